/**
 * The Argo CD sync checks for a GitOps tree of YAML (one cluster per environment folder, `<env>/<application>/`,
 * as `GitOpsApp` writes it, or any tree laid out that way): the environment is rebuilt from the Application
 * manifests and simulated both ways (Application health check on and off) by the same simulation `GitOpsApp`
 * runs at synth (`lib/gitops/sync-simulation.ts`, which imports only `canonical-order.ts`: no cdk8s, no jsii
 * library at validation time).
 *
 * How the environment is read: every Argo CD `Application` whose `spec.source.path` names a folder of the tree
 * that holds no Application itself is one Application of the environment (an Application pointing at a folder of
 * Applications is the app-of-apps root); its sync wave is its `argocd.argoproj.io/sync-wave` annotation (argo-cd
 * v3.5.1 `gitops-engine/pkg/sync/syncwaves`: default 0), its namespace is created when `syncOptions` has
 * `CreateNamespace=true` and `destination.namespace` is set. The elements of an `ApplicationSet`'s list generator
 * (`name`, `path`, `namespace`) are Applications too, and then nothing orders the Applications (the generated
 * Applications are not the root's resources), unless the ApplicationSet has the RollingSync strategy: then an
 * Application's wave is the index of the first step whose `matchExpressions` select its labels (the template's,
 * rendered), and one no step selects is never synced (argo-cd v3.5.1 docs/operator-manual/applicationset/
 * Progressive-Syncs.md). An element's own `syncPolicy` (the templatePatch `GitOpsApp` writes) decides its
 * CreateNamespace. A source path is matched to a folder by its longest trailing
 * segments (`dist/dev/web` matches the folder `.../dev/web` wherever the tree was validated from). An Application
 * whose source is the cdk8s Config Management Plugin (`spec.source.plugin` with the env entries
 * `GITOPS_ENVIRONMENT` and `GITOPS_APPLICATION`) deploys the folder `<environment>/<application>` the plugin prints.
 */
import * as path from 'path';
import { SimApplication, simulateBothWays, SyncFinding } from '../gitops/sync-simulation';
import { isObject, objectId } from './types';
import type { Violation } from './types';

const WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

interface FolderDoc { readonly manifest: any; readonly file?: string }

interface AppSource {
  readonly name: string;
  readonly wave: number;
  readonly createdNamespace?: string;
  readonly sourcePath: string;
  /** The object the Application's findings are reported on (the Application, or the ApplicationSet). */
  readonly owner: any;
}

const isArgo = (m: any, kind: string) => isObject(m) && m.kind === kind && typeof m.apiVersion === 'string' && m.apiVersion.startsWith('argoproj.io/');

function waveOf(value: unknown): number {
  const n = Number(value ?? 0);
  return Number.isInteger(n) ? n : 0;
}

function createsNamespace(spec: any, namespace: unknown): string | undefined {
  const options: unknown[] = Array.isArray(spec?.syncPolicy?.syncOptions) ? spec.syncPolicy.syncOptions : [];
  return options.includes('CreateNamespace=true') && typeof namespace === 'string' && namespace !== '' ? namespace : undefined;
}

/** `{{.key}}` / `{{ .key }}` of a Go template replaced by the element's values (what a list generator does). */
function render(template: unknown, element: any): unknown {
  if (typeof template !== 'string') return template;
  return template.replace(/\{\{\s*\.([A-Za-z0-9_]+)\s*\}\}/g, (_m, key: string) => String(element?.[key] ?? ''));
}

/**
 * The folder the cdk8s Config Management Plugin prints for a source (lib/gitops/config-management-plugin.ts:
 * `$OUT/$ARGOCD_ENV_GITOPS_ENVIRONMENT/$ARGOCD_ENV_GITOPS_APPLICATION`), or undefined for another source.
 */
function pluginFolder(source: any): string | undefined {
  const env: unknown[] = Array.isArray(source?.plugin?.env) ? source.plugin.env : [];
  const value = (name: string) => env.find((e: any) => isObject(e) && e.name === name) as any;
  const [e, a] = [value('GITOPS_ENVIRONMENT')?.value, value('GITOPS_APPLICATION')?.value];
  return typeof e === 'string' && typeof a === 'string' && e !== '' && a !== '' ? `${e}/${a}` : undefined;
}

/** True when every RollingSync `matchExpression` selects `labels` (In / NotIn with OR over values, AND over expressions). */
function stepSelects(step: any, labels: { [k: string]: unknown }): boolean {
  const expressions: any[] = Array.isArray(step?.matchExpressions) ? step.matchExpressions : [];
  return expressions.every((x) => {
    const values: unknown[] = Array.isArray(x?.values) ? x.values : [];
    const hit = typeof x?.key === 'string' && labels[x.key] !== undefined && values.includes(labels[x.key]);
    return x?.operator === 'NotIn' ? !hit : hit;
  });
}

function applicationsOf(docs: FolderDoc[]): { apps: AppSource[]; ordered: boolean; rollingSync: boolean; unselected: AppSource[] } {
  const apps: AppSource[] = [];
  const unselected: AppSource[] = [];
  let ordered = true;
  let rollingSync = false;
  for (const { manifest: m } of docs) {
    const sourcePath = isArgo(m, 'Application') ? pluginFolder(m.spec?.source) ?? m.spec?.source?.path : undefined;
    if (typeof sourcePath === 'string') {
      apps.push({
        name: String(m.metadata?.name ?? ''), wave: waveOf(m.metadata?.annotations?.[WAVE_ANNOTATION]),
        createdNamespace: createsNamespace(m.spec, m.spec?.destination?.namespace), sourcePath, owner: m,
      });
    } else if (isArgo(m, 'ApplicationSet')) {
      const template = m.spec?.template;
      const steps: any[] = m.spec?.strategy?.type === 'RollingSync' && Array.isArray(m.spec?.strategy?.rollingSync?.steps) ? m.spec.strategy.rollingSync.steps : [];
      for (const g of Array.isArray(m.spec?.generators) ? m.spec.generators : []) {
        for (const e of Array.isArray(g?.list?.elements) ? g.list.elements : []) {
          const sourcePath = pluginFolder({ plugin: e?.plugin }) ?? render(template?.spec?.source?.path ?? '{{.path}}', e);
          if (typeof sourcePath !== 'string' || sourcePath === '') continue;
          ordered = false;
          const labels = Object.fromEntries(Object.entries(isObject(template?.metadata?.labels) ? template.metadata.labels : {}).map(([k, v]) => [k, render(v, e)]));
          const step = steps.findIndex((st) => stepSelects(st, labels));
          const app: AppSource = {
            name: String(render(template?.metadata?.name ?? '{{.name}}', e)),
            wave: steps.length > 0 ? step : waveOf(e?.syncWave),
            createdNamespace: createsNamespace(isObject(e?.syncPolicy) ? { syncPolicy: e.syncPolicy } : template?.spec, render(template?.spec?.destination?.namespace, e)),
            sourcePath, owner: m,
          };
          if (steps.length > 0) rollingSync = true;
          if (steps.length > 0 && step < 0) unselected.push(app); else apps.push(app);
        }
      }
    }
  }
  return { apps, ordered, rollingSync, unselected };
}

/** The folder of the tree a source path names: the one matching its longest run of trailing segments. */
function folderFor(sourcePath: string, folders: string[]): string | undefined {
  const segments = sourcePath.split('/').filter((s) => s !== '' && s !== '.');
  for (let k = segments.length; k >= 1; k--) {
    const suffix = segments.slice(-k).join(path.sep);
    const hits = folders.filter((f) => f === suffix || f.endsWith(path.sep + suffix));
    if (hits.length === 1) return hits[0];
    if (hits.length > 1) return undefined;
  }
  return undefined;
}

/** The sync rule of a simulation finding. */
function ruleOf(f: SyncFinding): string {
  if (f.severity === 'warning') return 'sync-unordered';
  return /^deadlock |^Application \S+ ends /.test(f.message) ? 'sync-deadlock' : 'sync-order';
}

/**
 * The sync findings of one cluster's documents (with their files), as violations on the object concerned (an
 * Application's own findings on its Application manifest, or the ApplicationSet that generates it). A cluster
 * with no Application naming one of its folders is not a GitOps tree: no findings.
 */
export function checkSync(docs: FolderDoc[]): Violation[] {
  const byFolder = new Map<string, any[]>();
  for (const d of docs) {
    if (d.file === undefined) continue;
    const folder = path.resolve(path.dirname(d.file));
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), d.manifest]);
  }
  const folders = [...byFolder.keys()];
  const { apps, ordered, rollingSync, unselected } = applicationsOf(docs);
  const never: Violation[] = unselected.map((a) => ({
    rule: 'sync-deadlock', object: objectId(a.owner),
    message: `Application ${a.name}: no RollingSync step selects its labels, so the ApplicationSet never syncs it (Progressive Syncs leaves it to a manual sync)`,
  }));
  const resolved = apps.map((a) => ({ a, folder: folderFor(a.sourcePath, folders) }))
    .filter((x): x is { a: AppSource; folder: string } => x.folder !== undefined);
  const holdsApps = (folder: string) => (byFolder.get(folder) ?? []).some((m) => isArgo(m, 'Application') || isArgo(m, 'ApplicationSet'));
  const children = resolved.filter((x) => !holdsApps(x.folder));
  if (children.length === 0) return never;
  const roots = resolved.filter((x) => holdsApps(x.folder));
  const envName = roots.length > 0 ? roots[0].a.name.replace(/-root$/, '') : path.basename(path.dirname(children[0].folder));
  const applications: SimApplication[] = children.map(({ a, folder }) => ({
    name: a.name, wave: a.wave, createdNamespace: a.createdNamespace, objects: byFolder.get(folder) ?? [],
  }));
  const owners = new Map<string, any>(children.map(({ a }) => [a.name, a.owner]));
  if (roots.length > 0) owners.set(`${envName}-root`, roots[0].a.owner);
  return [...never, ...simulateBothWays({ name: envName, ordered, rollingSync, applications }).map((f) => {
    const owner = owners.get(f.application);
    return {
      rule: ruleOf(f),
      object: f.object !== '' ? f.object : owner !== undefined ? objectId(owner) : `Application/${f.application}`,
      message: f.object !== '' ? `Application ${f.application}: ${f.message}` : f.message,
    };
  })];
}
