/**
 * A simulation of how Argo CD syncs one environment, run at synth (Environment) and by the test harness.
 *
 * What it models, from argo-cd v3.5.1 (gitops-engine is vendored there under `gitops-engine/`):
 * - Inside one Application, objects are applied wave by wave (`gitops-engine/pkg/sync/sync_context.go`): after
 *   a wave that is not the last, the sync waits while any object of the wave is Progressing or Suspended, fails
 *   (and is retried) when one is Degraded, and goes on when all are Healthy or have no health check. The last
 *   wave is never waited for ("successful EVEN if those objects subsequently degrade"). Before any wave, a dry
 *   run of every object fails the whole sync when an object's namespace does not exist.
 * - The root app-of-apps syncs its Applications the same way, by their waves. Without the Application health
 *   check an Application has no health (`GetHealthCheckFunc` knows no `argoproj.io/Application`), so the root
 *   does not wait and every child syncs at once. With the customization the docs give (`obj.status.health`),
 *   an Application's health is its children's worst health (`controller/health.go` `setApplicationHealth`):
 *   objects not created yet and objects annotated `argocd.argoproj.io/ignore-healthcheck: "true"` do not count;
 *   an Application with no live object is Missing, which the root keeps waiting on.
 * - An ApplicationSet's generated Applications are not the root's resources: by default nothing orders them, they
 *   all sync at once whatever their sync-wave annotation says, and a reference across them is an error (no
 *   setting can order it). With the RollingSync strategy (Progressive Syncs, `applicationset/progressivesync/
 *   progressive_sync.go`) the ApplicationSet controller syncs them step by step (one step per wave here) and
 *   starts a step once every Application of the previous one is Healthy and Synced, by the Application's own
 *   health (its children's, `controller/health.go`), so with or without the Application health check.
 * - Health of the kinds the library emits, given which objects exist:
 *   HorizontalPodAutoscaler (`gitops-engine/pkg/health/health_hpa.go`): Degraded on `FailedGetScale`, that is
 *   while its scale target does not exist. KEDA ScaledObject (`resource_customizations/keda.sh/ScaledObject/
 *   health.lua`): Degraded while not Ready (its target is missing). Rollout (`resource_customizations/
 *   argoproj.io/Rollout/health.lua`): Degraded on `InvalidSpec`, which Argo Rollouts sets while its workloadRef,
 *   an AnalysisTemplate or its stable/canary Service is missing; a first rollout has no steps, so it then goes
 *   Healthy. HTTPRoute (`resource_customizations/gateway.networking.k8s.io/HTTPRoute/health.lua`): Degraded while
 *   `ResolvedRefs` is False (a backend Service is missing). PersistentVolumeClaim (`health_pvc.go`): Progressing
 *   while Pending; it is assumed to bind only once a pod that mounts it exists (a `WaitForFirstConsumer`
 *   storage class, the worst case). Deployment and StatefulSet (`health_deployment.go`, `health_statefulset.go`):
 *   Progressing until their pods run, so while a ServiceAccount, PVC, ConfigMap or Secret of the tree they mount
 *   is missing. PodDisruptionBudget (`policy/PodDisruptionBudget/health.lua`): Healthy once the disruption
 *   controller reports, `InsufficientPods` included. Service (`health_service.go`): Healthy unless a
 *   LoadBalancer. Namespaces, RBAC, ConfigMaps, NetworkPolicies, quotas, monitors, AnalysisTemplates,
 *   LeaderWorkerSets, RoleBasedGroups and PodGroups have no health check in v3.5.1: they count as done once applied.
 * - What it does not know, and assumes: CRDs and controllers are installed; objects not in the tree (Secrets
 *   such as `hf-token`, the Gateway, namespaces of other teams) exist; pods become ready and metrics are served
 *   once what they need exists (runtime matters a live cluster decides).
 *
 * It reports (severity `error`): a deadlock (an environment that never gets every object applied and every
 * Application Healthy), and an object applied before something of the tree it references exists when the
 * order is promised (same Application, or across Applications with the health check on): HPA/ScaledObject ->
 * scale target, Service/PodDisruptionBudget -> pods, HTTPRoute -> Service, RoleBinding -> Role, Rollout ->
 * AnalysisTemplate, workloadRef and Services, pods -> ServiceAccount/PVC/ConfigMap/Secret, object -> Namespace.
 * Across Applications without the health check nothing is ordered; those references are `warning`s (Argo CD
 * retries until the reference exists).
 */
import { findPodSpecs, groupOf, selects, sharePodSpecs } from '../core/manifest-model';
import { compareStrings, manifestWave } from './canonical-order';

/** The annotation that keeps an object out of its Application's health (argo-cd common/common.go). */
export const IGNORE_HEALTHCHECK_ANNOTATION = 'argocd.argoproj.io/ignore-healthcheck';

/** One Application of a simulated environment. */
export interface SimApplication {
  /** Argo CD name. */
  readonly name: string;
  /** Its sync wave in the root. */
  readonly wave: number;
  /** Destination namespace created by CreateNamespace before the sync, if any. */
  readonly createdNamespace?: string;
  /** Its manifests. */
  readonly objects: any[];
}

/** An environment to simulate. */
export interface SimEnvironment {
  readonly name: string;
  /** True when a root app-of-apps syncs the Applications by wave; false for an ApplicationSet. */
  readonly ordered: boolean;
  /** An ApplicationSet with the RollingSync strategy: Applications synced by wave, whatever the health check. */
  readonly rollingSync?: boolean;
  readonly applications: SimApplication[];
}

/** One finding of the simulation. */
export interface SyncFinding {
  /** `error` fails the synth; `warning` is informational. */
  readonly severity: string;
  /** The Application, or `<env>-root`. */
  readonly application: string;
  /** `Kind/namespace/name` of the object, if any. */
  readonly object: string;
  readonly message: string;
}

type Health = 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | undefined;

interface Ref {
  readonly key: string;
  readonly why: string;
}

interface Obj {
  readonly m: any;
  readonly key: string;
  readonly id: string;
  readonly app: number;
  readonly wave: number;
  readonly ignoreHealth: boolean;
  /** Objects of the tree it references (filled once every object is known). */
  refs: Ref[];
}

const keyOf = (group: string, kind: string, ns: string, name: string) => `${group}/${kind}/${ns}/${name}`;
const idOf = (m: any) => (m.metadata?.namespace ? `${m.kind}/${m.metadata.namespace}/${m.metadata?.name}` : `${m.kind}/${m.metadata?.name}`);

const POD_OWNERS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'LeaderWorkerSet',
  'RoleBasedGroup', 'Rollout', 'Pod']);

/** Every reference of `o` to an object of the tree, with why it matters. */
function referencesOf(o: Obj, byKey: Map<string, Obj>, podOwners: Map<string, Obj[]>): Ref[] {
  const m = o.m;
  const ns = m.metadata?.namespace ?? '';
  const spec = m.spec ?? {};
  const out: Ref[] = [];
  const add = (group: string, kind: string, namespace: string, name: unknown, why: string) => {
    if (typeof name !== 'string') return;
    const key = keyOf(group, kind, namespace, name);
    if (byKey.has(key) && key !== o.key) out.push({ key, why });
  };
  if (ns !== '') add('', 'Namespace', '', ns, 'its namespace');
  const scaleRef = (ref: any, why: string) => {
    if (ref && typeof ref === 'object') add(groupOf(ref.apiVersion ?? 'apps/v1'), ref.kind ?? 'Deployment', ns, ref.name, why);
  };
  if (m.kind === 'HorizontalPodAutoscaler') scaleRef(spec.scaleTargetRef, 'its scale target (FailedGetScale: the HPA is Degraded while it is missing)');
  if (m.kind === 'ScaledObject') scaleRef(spec.scaleTargetRef, 'its scale target (the ScaledObject is not Ready while it is missing)');
  if (m.kind === 'RoleBinding' && m.roleRef) {
    if (m.roleRef.kind === 'Role') add('rbac.authorization.k8s.io', 'Role', ns, m.roleRef.name, 'its Role');
    else add('rbac.authorization.k8s.io', 'ClusterRole', '', m.roleRef.name, 'its ClusterRole');
  }
  if (m.kind === 'ClusterRoleBinding' && m.roleRef) add('rbac.authorization.k8s.io', 'ClusterRole', '', m.roleRef.name, 'its ClusterRole');
  if (m.kind === 'HTTPRoute') {
    for (const rule of spec.rules ?? []) {
      for (const b of rule?.backendRefs ?? []) {
        if ((b.kind ?? 'Service') === 'Service' && (b.group ?? '') === '') add('', 'Service', b.namespace ?? ns, b.name, 'a backend Service (ResolvedRefs is False, the route Degraded, while it is missing)');
      }
    }
  }
  if (m.kind === 'Rollout') {
    const invalid = '(InvalidSpec: the Rollout is Degraded while it is missing)';
    if (spec.workloadRef) add(groupOf(spec.workloadRef.apiVersion ?? 'apps/v1'), spec.workloadRef.kind ?? 'Deployment', ns, spec.workloadRef.name, `its workloadRef ${invalid}`);
    const canary = spec.strategy?.canary ?? {};
    const blueGreen = spec.strategy?.blueGreen ?? {};
    for (const svc of [canary.stableService, canary.canaryService, blueGreen.activeService, blueGreen.previewService]) add('', 'Service', ns, svc, `a Service it routes ${invalid}`);
    const templates = [...(canary.analysis?.templates ?? []), ...(canary.steps ?? []).flatMap((s: any) => s?.analysis?.templates ?? [])];
    for (const t of templates) {
      if (t?.clusterScope) add('argoproj.io', 'ClusterAnalysisTemplate', '', t.templateName, `an analysis template ${invalid}`);
      else add('argoproj.io', 'AnalysisTemplate', ns, t?.templateName, `an analysis template ${invalid}`);
    }
    const routes = canary.trafficRouting?.plugins?.['argoproj-labs/gatewayAPI'];
    if (routes?.httpRoute) add('gateway.networking.k8s.io', 'HTTPRoute', routes.namespace ?? ns, routes.httpRoute, 'the HTTPRoute it sets weights on');
  }
  const podSelector = m.kind === 'Service' ? (spec.selector && Object.keys(spec.selector).length > 0 ? { matchLabels: spec.selector } : undefined)
    : m.kind === 'PodDisruptionBudget' ? spec.selector : undefined;
  if (podSelector && m.kind !== 'Service' || (m.kind === 'Service' && podSelector && spec.type !== 'ExternalName')) {
    // The pods' owner that comes first is the one that counts.
    const owners = (podOwners.get(ns) ?? []).filter((p) => findPodSpecs(p.m).some((pod) => selects(podSelector, pod.labels)));
    const first = owners.sort((a, b) => position(a, b))[0];
    if (first) out.push({ key: first.key, why: 'the pods it selects' });
  }
  for (const pod of POD_OWNERS.has(m.kind) ? findPodSpecs(m) : []) {
    const sa = pod.spec.serviceAccountName;
    if (sa && sa !== 'default') add('', 'ServiceAccount', ns, sa, 'the ServiceAccount of its pods (no pod is created while it is missing)');
    for (const v of pod.spec.volumes ?? []) {
      add('', 'PersistentVolumeClaim', ns, v?.persistentVolumeClaim?.claimName, 'a PVC its pods mount (they stay Pending while it is missing)');
      if (v?.configMap && !v.configMap.optional) add('', 'ConfigMap', ns, v.configMap.name, 'a ConfigMap its pods mount');
      if (v?.secret && !v.secret.optional) add('', 'Secret', ns, v.secret.secretName, 'a Secret its pods mount');
    }
  }
  return out;
}

/** Order of two objects of the same Application by wave (app index breaks ties only for a stable sort). */
function position(a: Obj, b: Obj): number {
  return a.wave - b.wave || a.app - b.app || compareStrings(a.key, b.key);
}

/** The health Argo CD gives `o` when the objects in `live` exist. */
function healthOf(o: Obj, live: Set<string>, byKey: Map<string, Obj>): { health: Health; reason?: string } {
  const m = o.m;
  const missing = o.refs.filter((r) => !live.has(r.key) && !r.key.startsWith('/Namespace/'));
  const name = (r: Ref) => `${idOf(byKey.get(r.key)!.m)} (${r.why})`;
  switch (m.kind) {
    case 'HorizontalPodAutoscaler':
    case 'ScaledObject':
    case 'HTTPRoute':
      return missing.length > 0 ? { health: 'Degraded', reason: `missing ${missing.map(name).join(', ')}` } : { health: 'Healthy' };
    case 'Rollout': {
      const invalid = missing.filter((r) => r.why.includes('InvalidSpec'));
      if (invalid.length > 0) return { health: 'Degraded', reason: `missing ${invalid.map(name).join(', ')}` };
      return missing.length > 0 ? { health: 'Progressing', reason: `its pods wait for ${missing.map(name).join(', ')}` } : { health: 'Healthy' };
    }
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Pod':
      return missing.length > 0 ? { health: 'Progressing', reason: `its pods wait for ${missing.map(name).join(', ')}` } : { health: 'Healthy' };
    case 'PersistentVolumeClaim': {
      const consumer = [...byKey.values()].some((p) => live.has(p.key) && POD_OWNERS.has(p.m.kind) && p.refs.some((r) => r.key === o.key));
      return consumer ? { health: 'Healthy' } : { health: 'Progressing', reason: 'Pending until a pod that mounts it exists (WaitForFirstConsumer)' };
    }
    case 'Service':
      return m.spec?.type === 'LoadBalancer' ? { health: 'Progressing', reason: 'a LoadBalancer waits for its address' } : { health: 'Healthy' };
    case 'PodDisruptionBudget':
      return { health: 'Healthy' };
    default:
      return { health: undefined };
  }
}

const WORSE: Health[] = ['Healthy', 'Suspended', 'Progressing', 'Missing', 'Degraded'];

/** Simulates one mode; returns its findings. */
export function simulateSync(env: SimEnvironment, applicationHealthCheck: boolean): SyncFinding[] {
  return sharePodSpecs(() => simulateMode(env, applicationHealthCheck));
}

function simulateMode(env: SimEnvironment, applicationHealthCheck: boolean): SyncFinding[] {
  const findings: SyncFinding[] = [];
  const rootName = `${env.name}-root`;
  const mode = applicationHealthCheck ? 'with the Application health check' : 'without the Application health check';
  const objs: Obj[] = [];
  const byKey = new Map<string, Obj>();
  env.applications.forEach((a, app) => {
    for (const m of a.objects) {
      if (!m || typeof m !== 'object' || typeof m.kind !== 'string') continue;
      const o: Obj = {
        m, app, wave: manifestWave(m), refs: [],
        key: keyOf(groupOf(m.apiVersion), m.kind, m.metadata?.namespace ?? '', String(m.metadata?.name ?? '')),
        id: idOf(m),
        ignoreHealth: m.metadata?.annotations?.[IGNORE_HEALTHCHECK_ANNOTATION] === 'true',
      };
      objs.push(o);
      if (!byKey.has(o.key)) byKey.set(o.key, o);
    }
  });
  // Indexes, so that the passes below are linear in the objects: pod owners by namespace, objects by Application.
  const podOwners = new Map<string, Obj[]>();
  for (const o of objs) {
    if (!POD_OWNERS.has(o.m.kind)) continue;
    const ns = o.m.metadata?.namespace;
    if (typeof ns !== 'string') continue; // a Service or budget selects only pods of its own namespace
    const known = podOwners.get(ns);
    if (known) known.push(o); else podOwners.set(ns, [o]);
  }
  for (const o of objs) o.refs = referencesOf(o, byKey, podOwners);
  const byApp: Obj[][] = env.applications.map(() => []);
  for (const o of objs) byApp[o.app].push(o);

  const apps = env.applications;
  const ordered = env.rollingSync === true || (env.ordered && applicationHealthCheck);
  // What orders the Applications, in messages.
  const orderer = env.rollingSync === true ? 'the ApplicationSet (RollingSync)' : 'the root';
  const waveName = env.rollingSync === true ? 'RollingSync wave' : 'root wave';
  const appOf = (o: Obj) => apps[o.app];

  // Static order of references: where the order is promised, a reference resolves in the same or an earlier wave.
  const warned = new Set<string>();
  for (const o of objs) {
    for (const r of o.refs) {
      const t = byKey.get(r.key)!;
      const what = `${o.id} references ${t.id}, ${r.why}`;
      if (t.app === o.app) {
        if (t.wave > o.wave) {
          findings.push({ severity: 'error', application: appOf(o).name, object: o.id, message: `${what}, but is applied first: wave ${o.wave} before wave ${t.wave} of Application ${appOf(o).name}; give it wave ${t.wave} or later` });
        }
      } else if (r.why !== 'its namespace' || !isCreatedNamespace(apps[o.app], t)) {
        const [wo, wt] = [appOf(o).wave, appOf(t).wave];
        if (ordered && wt > wo) {
          findings.push({ severity: 'error', application: appOf(o).name, object: o.id, message: `${what}, in Application ${appOf(t).name} (${waveName} ${wt}), which ${orderer} syncs after ${appOf(o).name} (${waveName} ${wo}) ${mode}; move one of them so the reference is in the same or an earlier wave` });
        } else if ((!ordered || wt === wo) && !warned.has(`${o.app}|${r.why === 'its namespace' ? r.key : o.key + r.key}`)) {
          // One warning per namespace an Application needs from another one, not one per object in it.
          warned.add(`${o.app}|${r.why === 'its namespace' ? r.key : o.key + r.key}`);
          // An ApplicationSet without RollingSync can never order them: refused. Elsewhere the Application health
          // check (or another wave) orders them, and Argo CD retries until the reference exists: a warning.
          const unorderable = !env.ordered && env.rollingSync !== true;
          findings.push({ severity: unorderable ? 'error' : 'warning', application: appOf(o).name, object: o.id, message: `${what}, in Application ${appOf(t).name}: ${!env.ordered && env.rollingSync !== true ? 'nothing orders the Applications an ApplicationSet generates without the RollingSync strategy, so it may be applied first; use rollingSync (Progressive Syncs) or an app-of-apps root' : `${wt === wo ? `both Applications are in the same ${waveName} and sync at once` : `nothing orders Applications ${mode}`}, so it may be applied first; Argo CD retries until it exists`}` });
        }
      }
    }
  }

  // Dynamic run to a fixed point: which objects get applied, and does every Application end Healthy?
  const live = new Set<string>();
  const waves = apps.map((_, i) => [...new Set(byApp[i].map((o) => o.wave))].sort((a, b) => a - b));
  const nextWave = apps.map(() => 0);
  const blocked = apps.map((): string | undefined => undefined);
  const created = new Set<string>(apps.map((a) => a.createdNamespace).filter((n): n is string => n !== undefined).map((n) => keyOf('', 'Namespace', '', n)));
  const rootWaves = [...new Set(apps.map((a) => a.wave))].sort((a, b) => a - b);
  let rootIndex = ordered ? 0 : rootWaves.length;
  const started = (i: number) => !ordered || apps[i].wave <= (rootWaves[rootIndex] ?? Infinity);
  const appHealth = (i: number): { health: Health; reason?: string } => {
    let worst: Health = 'Healthy';
    let reason: string | undefined;
    let anyLive = false;
    for (const o of byApp[i]) {
      if (!live.has(o.key)) continue;
      anyLive = true;
      if (o.ignoreHealth) continue;
      const h = healthOf(o, live, byKey);
      if (h.health !== undefined && WORSE.indexOf(h.health) > WORSE.indexOf(worst)) {
        worst = h.health;
        reason = `${o.id} is ${h.health}: ${h.reason}`;
      }
    }
    return anyLive ? { health: worst, reason } : { health: 'Missing', reason: 'nothing of it is applied yet' };
  };

  for (let progress = true; progress;) {
    progress = false;
    apps.forEach((_a, i) => {
      if (!started(i) || nextWave[i] >= waves[i].length) return;
      // The dry run is client-side (gitops-engine sync_context.go applyObject: DryRunClient), so a missing
      // namespace only fails the apply of the wave that needs it; the sync is then retried.
      const mine = byApp[i];
      while (nextWave[i] < waves[i].length) {
        const w = waves[i][nextWave[i]];
        const wave = mine.filter((o) => o.wave === w);
        // Namespaces first inside a wave (sync_tasks.go Sort: adjustDeps), then everything else.
        const namespacesHere = new Set(wave.filter((o) => o.m.kind === 'Namespace').map((o) => o.key));
        const failed = wave.filter((o) => o.refs.some((r) => r.why === 'its namespace' && !live.has(r.key) && !namespacesHere.has(r.key) && !created.has(r.key)));
        for (const o of wave) {
          if (!failed.includes(o) && !live.has(o.key)) { live.add(o.key); progress = true; }
        }
        if (failed.length > 0) {
          const ns = failed[0].m.metadata.namespace;
          blocked[i] = `wave ${w} fails to apply ${failed[0].id}: namespace ${ns} does not exist yet (the sync is retried)`;
          return;
        }
        const last = nextWave[i] === waves[i].length - 1;
        if (!last) {
          const waiting = wave.map((o) => ({ o, h: healthOf(o, live, byKey) })).filter((x) => x.h.health !== undefined && x.h.health !== 'Healthy');
          if (waiting.length > 0) {
            const x = waiting[0];
            blocked[i] = `wave ${w} does not finish: ${x.o.id} is ${x.h.health} (${x.h.reason})${x.h.health === 'Degraded' ? ', which fails the sync' : ''}`;
            return;
          }
        }
        nextWave[i]++;
        blocked[i] = undefined;
        progress = true;
      }
    });
    if (ordered && rootIndex < rootWaves.length) {
      const current = apps.map((_a, i) => i).filter((i) => apps[i].wave === rootWaves[rootIndex]);
      if (current.every((i) => appHealth(i).health === 'Healthy')) {
        rootIndex++;
        progress = true;
      }
    }
  }

  const stuck = apps.map((_a, i) => i).filter((i) => nextWave[i] < waves[i].length);
  for (const i of stuck) {
    const why = !started(i)
      ? `${orderer} never syncs it ${mode}: ${rootBlocker()}`
      : blocked[i] ?? 'it never finishes';
    findings.push({ severity: 'error', application: apps[i].name, object: '', message: `deadlock ${mode}: Application ${apps[i].name} never finishes its sync; ${why}` });
  }
  if (stuck.length === 0) {
    apps.forEach((a, i) => {
      const h = appHealth(i);
      if (h.health !== 'Healthy') {
        findings.push({ severity: 'error', application: a.name, object: '', message: `Application ${a.name} ends ${h.health} ${mode}: ${h.reason}` });
      }
    });
    if (ordered && rootIndex < rootWaves.length) {
      findings.push({ severity: 'error', application: rootName, object: '', message: `deadlock ${mode}: ${orderer} waits forever at wave ${rootWaves[rootIndex]}: ${rootBlocker()}` });
    }
  }
  return findings;

  function rootBlocker(): string {
    const waiting = apps.map((_a, i) => i).filter((i) => apps[i].wave === rootWaves[rootIndex] && appHealth(i).health !== 'Healthy');
    return waiting.map((i) => `${apps[i].name} (${waveName} ${apps[i].wave}) is ${appHealth(i).health}: ${blocked[i] ?? appHealth(i).reason}`).join('; ');
  }
}

function isCreatedNamespace(app: SimApplication, ns: Obj): boolean {
  return app.createdNamespace !== undefined && ns.m.kind === 'Namespace' && ns.m.metadata?.name === app.createdNamespace;
}

/** Both modes (Application health check on and off), errors first. */
export function simulateBothWays(env: SimEnvironment): SyncFinding[] {
  // Both ways read the same pod specs (every Service and budget looks through every pod owner's): found once.
  const all = sharePodSpecs(() => [...simulateSync(env, true), ...simulateSync(env, false)]);
  const seen = new Set<string>();
  return all.filter((f) => {
    const k = `${f.severity}|${f.application}|${f.object}|${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  }).sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
}

/** Kinds whose whole manifest the simulation reads (small objects). */
const READ_WHOLE = new Set(['HorizontalPodAutoscaler', 'ScaledObject', 'RoleBinding', 'ClusterRoleBinding', 'HTTPRoute', 'Service',
  'PodDisruptionBudget', 'PersistentVolumeClaim']);

/**
 * What the simulation needs of a manifest, without its bulk (env vars, probes, container specs): the synth keeps
 * this much of every object of an environment until the environment is checked, instead of every manifest.
 */
export function simulationView(m: any): any {
  const metadata = {
    name: m?.metadata?.name,
    namespace: m?.metadata?.namespace,
    annotations: pick(m?.metadata?.annotations, ['argocd.argoproj.io/sync-wave', IGNORE_HEALTHCHECK_ANNOTATION]),
  };
  if (READ_WHOLE.has(m?.kind)) return m;
  const view: any = { apiVersion: m?.apiVersion, kind: m?.kind, metadata };
  if (m?.kind === 'Rollout') {
    view.spec = { workloadRef: m.spec?.workloadRef, strategy: m.spec?.strategy };
  }
  if (POD_OWNERS.has(m?.kind)) {
    view.spec = {
      ...view.spec,
      pods: findPodSpecs(m).map((p) => ({
        template: {
          metadata: { labels: p.labels },
          spec: { containers: [], serviceAccountName: p.spec.serviceAccountName, volumes: p.spec.volumes },
        },
      })),
    };
  }
  return view;
}

function pick(o: any, keys: string[]): { [k: string]: string } | undefined {
  if (!o || typeof o !== 'object') return undefined;
  const out: { [k: string]: string } = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return Object.keys(out).length > 0 ? out : undefined;
}
