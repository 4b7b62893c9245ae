import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { main } from '../../lib/validation/cli';
import { Finding, Report, suppressionAnnotation, validatePaths } from '../harness';
import { deployment, NS } from './fixtures';

let root: string;
beforeEach(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-sync-')); });
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const write = (rel: string, docs: any[]) => {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, docs.map((d) => stringify(d)).join('---\n'));
};

const SYNC_RULES = ['sync-order', 'sync-deadlock', 'sync-unordered'];
const syncFindings = (report: Report): Finding[] => report.clusters.flatMap((c) => c.findings).filter((f) => SYNC_RULES.includes(f.rule));

function application(name: string, folder: string, wave: number, extra: { [key: string]: any } = {}): any {
  return {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Application',
    metadata: { name, namespace: 'argocd', annotations: { 'argocd.argoproj.io/sync-wave': String(wave), ...extra.annotations } },
    spec: {
      project: 'default', destination: { server: 'https://kubernetes.default.svc', namespace: extra.namespace },
      source: { repoURL: 'https://example.com/gitops.git', targetRevision: 'main', path: `dist/dev/${folder}` },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: extra.namespace ? ['CreateNamespace=true'] : [] },
    },
  };
}

const hpa = {
  apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: NS },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 2,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }] },
};

/** An app-of-apps tree: root -> apps/ -> one Application per folder. `hpaFolder`: where the HPA goes. */
function tree(hpaFolder: 'scaling' | 'web', rootApps: (apps: any[]) => any[] = (a) => a, scalingAnnotations = {}): void {
  write('dev/root/manifests.yaml', [application('dev-root', 'apps', 0)]);
  write('dev/apps/manifests.yaml', rootApps([
    application('dev-scaling', 'scaling', -10, { annotations: scalingAnnotations }),
    application('dev-web', 'web', 0, { namespace: NS }),
  ]));
  write('dev/web/manifests.yaml', hpaFolder === 'web' ? [deployment(), hpa] : [deployment()]);
  write('dev/scaling/manifests.yaml', hpaFolder === 'scaling' ? [hpa] : [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: NS }, data: { a: 'b' } }]);
}

describe('Argo CD sync checks on a GitOps tree', () => {
  test('an HPA in an earlier-wave Application than its target: sync-order, and the root deadlocks with the health check', () => {
    tree('scaling');
    const found = syncFindings(validatePaths([root]));
    const hpaId = `HorizontalPodAutoscaler/${NS}/web`;
    expect(found).toContainEqual(expect.objectContaining({
      rule: 'sync-order', severity: 'error', object: hpaId, file: path.join(root, 'dev/scaling/manifests.yaml'), document: 1,
    }));
    expect(found.find((f) => f.rule === 'sync-order')!.message).toMatch(/in Application dev-web \(root wave 0\), which the root syncs after dev-scaling \(root wave -10\)/);
    // The HPA is Degraded (FailedGetScale) while the Deployment is missing, so the root never reaches wave 0.
    const deadlock = found.filter((f) => f.rule === 'sync-deadlock');
    expect(deadlock.length).toBeGreaterThan(0);
    expect(deadlock.map((f) => f.message).join('\n')).toMatch(/deadlock with the Application health check: .*dev-scaling \(root wave -10\) is Degraded/);
    // An Application's own finding sits on its Application manifest, with the one-line fix of the rule.
    expect(deadlock[0]).toMatchObject({ severity: 'error', object: 'Application/argocd/dev-web', file: path.join(root, 'dev/apps/manifests.yaml') });
    expect(deadlock[0].fix).not.toContain('\n');
  });

  test('the command reports them with exit code 1 and JSON, and --skip leaves them out', () => {
    tree('scaling');
    const lines: string[] = [];
    const code = main(['validate', root, '--json'], { out: (t) => lines.push(t), err: (t) => lines.push(t) });
    expect(code).toBe(1);
    const rules = syncFindings(JSON.parse(lines.join('\n'))).map((f) => f.rule);
    expect(rules).toEqual(expect.arrayContaining(['sync-order', 'sync-deadlock']));
    const skipped = validatePaths([root], { skip: SYNC_RULES });
    expect(syncFindings(skipped)).toEqual([]);
  });

  test('the HPA in the Application of its target: no sync finding', () => {
    tree('web');
    expect(syncFindings(validatePaths([root]))).toEqual([]);
  });

  test('suppressed on the object with a reason, like every rule', () => {
    tree('scaling', (apps) => apps.map((a) => (a.metadata.name === 'dev-web'
      ? { ...a, metadata: { ...a.metadata, annotations: { ...a.metadata.annotations, ...suppressionAnnotation({ 'sync-deadlock': 'the HPA is removed from dev-scaling next release' }) } } }
      : a)));
    const found = syncFindings(validatePaths([root]));
    const onWeb = found.filter((f) => f.object === 'Application/argocd/dev-web');
    expect(onWeb.length).toBeGreaterThan(0);
    expect(onWeb.every((f) => f.suppressed === 'the HPA is removed from dev-scaling next release')).toBe(true);
    expect(found.filter((f) => f.object === `HorizontalPodAutoscaler/${NS}/web` && f.suppressed === undefined).map((f) => f.rule)).toContain('sync-order');
  });

  /** An ApplicationSet generating dev-scaling (wave -10) and dev-web (wave 0); `strategy`: its strategy, if any. */
  const applicationSet = (strategy?: any, labels?: any) => [{
    apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', metadata: { name: 'dev-apps', namespace: 'argocd' },
    spec: {
      goTemplate: true,
      generators: [{ list: { elements: [
        { name: 'dev-scaling', path: 'dist/dev/scaling', namespace: '', syncWave: '-10', syncWaveLabel: 'minus-10' },
        { name: 'dev-web', path: 'dist/dev/web', namespace: NS, syncWave: '0', syncWaveLabel: '0', syncPolicy: { syncOptions: ['CreateNamespace=true'] } },
      ] } }],
      strategy,
      template: {
        metadata: { name: '{{.name}}', namespace: 'argocd', labels },
        spec: {
          project: 'default', destination: { server: 'https://kubernetes.default.svc', namespace: '{{.namespace}}' },
          source: { repoURL: 'https://example.com/gitops.git', targetRevision: 'main', path: '{{.path}}' },
        },
      },
      templatePatch: '{"spec":{"syncPolicy":{{ toJson .syncPolicy }}}}',
    },
  }];
  const step = (value: string) => ({ matchExpressions: [{ key: 'gpu-platform.dev/sync-wave', operator: 'In', values: [value] }] });

  test('an ApplicationSet without RollingSync orders nothing: the cross-Application reference is refused (sync-order), no deadlock', () => {
    tree('scaling', () => applicationSet());
    const found = syncFindings(validatePaths([root]));
    expect(found.map((f) => `${f.rule} ${f.severity} ${f.object}`)).toEqual([`sync-order error HorizontalPodAutoscaler/${NS}/web`]);
    expect(found[0].message).toMatch(/nothing orders the Applications an ApplicationSet generates without the RollingSync strategy/);
  });

  test('an ApplicationSet with RollingSync orders by its steps: the HPA one step early deadlocks, both ways', () => {
    tree('scaling', () => applicationSet({ type: 'RollingSync', rollingSync: { steps: [step('minus-10'), step('0')] } },
      { 'gpu-platform.dev/sync-wave': '{{.syncWaveLabel}}' }));
    const found = syncFindings(validatePaths([root]));
    expect(found.find((f) => f.rule === 'sync-order')!.message).toMatch(/which the ApplicationSet \(RollingSync\) syncs after dev-scaling \(RollingSync wave 0\)/);
    expect(found.filter((f) => f.rule === 'sync-deadlock').map((f) => f.message).join('\n')).toMatch(/without the Application health check: Application dev-web never finishes its sync; the ApplicationSet \(RollingSync\) never syncs it/);
    // With the HPA next to its target, nothing to report (the element's own syncPolicy creates dev-web's namespace).
    tree('web', () => applicationSet({ type: 'RollingSync', rollingSync: { steps: [step('minus-10'), step('0')] } },
      { 'gpu-platform.dev/sync-wave': '{{.syncWaveLabel}}' }));
    expect(syncFindings(validatePaths([root]))).toEqual([]);
  });

  test('an Application no RollingSync step selects is never synced: sync-deadlock on the ApplicationSet', () => {
    tree('web', () => applicationSet({ type: 'RollingSync', rollingSync: { steps: [step('0')] } }, { 'gpu-platform.dev/sync-wave': '{{.syncWaveLabel}}' }));
    const found = syncFindings(validatePaths([root]));
    expect(found).toContainEqual(expect.objectContaining({ rule: 'sync-deadlock', severity: 'error', object: 'ApplicationSet/argocd/dev-apps' }));
    expect(found.find((f) => f.rule === 'sync-deadlock')!.message).toMatch(/Application dev-scaling: no RollingSync step selects its labels/);
  });

  test('a folder of YAML with no Application is not a GitOps tree: no sync check', () => {
    write('web.yaml', [hpa]);
    expect(syncFindings(validatePaths([root]))).toEqual([]);
  });
});
