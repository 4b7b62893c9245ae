import { Chart } from 'cdk8s';
import { ClusterPrerequisites, Prerequisite } from '../../lib/core';
import { k8s } from '../../lib/core/k8s';
import { Environment, GitOpsApp } from '../../lib/gitops';
import { SimApplication, simulateSync, SyncFinding } from '../../lib/gitops/sync-simulation';
import { buildExamples } from '../../examples/main';

const REPO = 'https://github.com/example/platform.git';
const wave = (w: number) => ({ 'argocd.argoproj.io/sync-wave': String(w) });
const ns = (name: string, w = -20) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, annotations: wave(w) } });
const deployment = (name: string, w: number, extra: any = {}) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'team', annotations: wave(w) },
  spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'x:1' }], ...extra } } },
});
const rollout = (name: string, w: number) => ({
  apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name, namespace: 'team', annotations: wave(w) },
  spec: {
    workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
    strategy: { canary: { stableService: `${name}-stable`, canaryService: `${name}-canary`, analysis: { templates: [{ templateName: 'success' }] } } },
  },
});
const hpa = (name: string, w: number, target: any) => ({
  apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name, namespace: 'team', annotations: wave(w) },
  spec: { scaleTargetRef: target, minReplicas: 1, maxReplicas: 2 },
});
const service = (name: string, w: number, selector: any) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'team', annotations: wave(w) }, spec: { selector, ports: [{ port: 80 }] } });
const simple = (kind: string, apiVersion: string, name: string, w: number, spec: any = {}) => ({ apiVersion, kind, metadata: { name, namespace: 'team', annotations: wave(w) }, spec });

const env = (applications: SimApplication[], ordered = true) => ({ name: 'prod', ordered, applications });
const errors = (f: SyncFinding[]) => f.filter((x) => x.severity === 'error').map((x) => x.message);

describe('sync simulation', () => {
  test('the prod deadlock: an HPA in an earlier Application than its Rollout stops the root with the health check', () => {
    const apps: SimApplication[] = [
      { name: 'prod-tenant', wave: -20, objects: [ns('team')] },
      { name: 'prod-inference', wave: -10, objects: [deployment('qwen', 0), hpa('qwen', 0, { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'qwen' }),
        simple('NetworkPolicy', 'networking.k8s.io/v1', 'np', -10)] },
      { name: 'prod-canary', wave: 0, objects: [rollout('qwen', 10), service('qwen-stable', 0, { app: 'qwen' }), service('qwen-canary', 0, { app: 'qwen' }),
        simple('AnalysisTemplate', 'argoproj.io/v1alpha1', 'success', 10)] },
    ];
    const on = errors(simulateSync(env(apps), true));
    expect(on.some((m) => m.includes('HorizontalPodAutoscaler/team/qwen references Rollout/team/qwen') && m.includes('root wave 0'))).toBe(true);
    expect(on.some((m) => m.startsWith('deadlock with the Application health check: Application prod-canary never finishes')
      && m.includes('prod-inference (root wave -10) is Degraded') && m.includes('FailedGetScale'))).toBe(true);
    // Without the health check the root does not wait: the canary Application creates the Rollout, the HPA heals.
    const off = simulateSync(env(apps), false);
    expect(errors(off)).toEqual([]);
    expect(off.some((f) => f.severity === 'warning' && f.object === 'HorizontalPodAutoscaler/team/qwen')).toBe(true);
  });

  test('an HPA excluded from its Application health (ignore-healthcheck) does not stop the root, but its order is still checked', () => {
    const h = hpa('qwen', 0, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'late' });
    (h.metadata.annotations as any)['argocd.argoproj.io/ignore-healthcheck'] = 'true';
    const apps: SimApplication[] = [
      { name: 'a', wave: -10, objects: [ns('team'), h] },
      { name: 'b', wave: 0, objects: [deployment('late', 0)] },
    ];
    const on = errors(simulateSync(env(apps), true));
    expect(on).toHaveLength(1);
    expect(on[0]).toContain('references Deployment/team/late, its scale target');
  });

  test('a PVC in an earlier wave than the pods that mount it never binds (WaitForFirstConsumer): deadlock both ways', () => {
    const apps: SimApplication[] = [{ name: 'a', wave: 0, objects: [ns('team'),
      simple('PersistentVolumeClaim', 'v1', 'cache', -5),
      deployment('web', 0, { volumes: [{ name: 'c', persistentVolumeClaim: { claimName: 'cache' } }] })] }];
    for (const hc of [true, false]) {
      const e = errors(simulateSync(env(apps), hc));
      expect(e.some((m) => m.includes('Application a never finishes its sync; wave -5 does not finish: PersistentVolumeClaim/team/cache is Progressing'))).toBe(true);
    }
    // In the pods' wave it binds.
    (apps[0].objects[1].metadata.annotations as any)['argocd.argoproj.io/sync-wave'] = '0';
    expect(errors(simulateSync(env(apps), true))).toEqual([]);
  });

  test.each([
    ['RoleBinding -> Role', [simple('Role', 'rbac.authorization.k8s.io/v1', 'r', 0), { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'rb', namespace: 'team', annotations: wave(-10) }, roleRef: { kind: 'Role', name: 'r', apiGroup: 'rbac.authorization.k8s.io' }, subjects: [] }], 'RoleBinding/team/rb references Role/team/r'],
    ['HTTPRoute -> Service', [simple('HTTPRoute', 'gateway.networking.k8s.io/v1', 'route', -5, { rules: [{ backendRefs: [{ name: 'svc', port: 80 }] }] }), service('svc', 0, {})], 'HTTPRoute/team/route references Service/team/svc'],
    ['Rollout -> AnalysisTemplate', [deployment('qwen', 0), service('qwen-stable', 0, { app: 'qwen' }), service('qwen-canary', 0, { app: 'qwen' }), rollout('qwen', 5), simple('AnalysisTemplate', 'argoproj.io/v1alpha1', 'success', 10)], 'Rollout/team/qwen references AnalysisTemplate/team/success'],
    ['Rollout -> workloadRef', [deployment('qwen', 20), service('qwen-stable', 0, { app: 'qwen' }), service('qwen-canary', 0, { app: 'qwen' }), rollout('qwen', 10), simple('AnalysisTemplate', 'argoproj.io/v1alpha1', 'success', 10)], 'Rollout/team/qwen references Deployment/team/qwen, its workloadRef'],
    ['Service -> pods', [service('web', -5, { app: 'web' }), deployment('web', 0)], 'Service/team/web references Deployment/team/web, the pods it selects'],
    ['PDB -> pods', [simple('PodDisruptionBudget', 'policy/v1', 'web', -5, { selector: { matchLabels: { app: 'web' } }, maxUnavailable: 1 }), deployment('web', 0)], 'PodDisruptionBudget/team/web references Deployment/team/web'],
  ])('inside one Application, %s in a later wave is reported', (_name, objects, expected) => {
    const e = errors(simulateSync(env([{ name: 'a', wave: 0, objects: [ns('team'), ...(objects as any[])] }]), true));
    expect(e.some((m) => m.includes(expected as string) && m.includes('but is applied first'))).toBe(true);
  });

  test('an ApplicationSet without RollingSync orders nothing: a cross-Application reference is refused, both ways', () => {
    const apps: SimApplication[] = [
      { name: 'a', wave: -10, objects: [ns('team'), hpa('h', 0, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' })] },
      { name: 'b', wave: 0, objects: [deployment('web', 0)] },
    ];
    for (const hc of [true, false]) {
      const f = simulateSync(env(apps, false), hc);
      const hpaFinding = f.find((x) => x.object === 'HorizontalPodAutoscaler/team/h')!;
      expect(hpaFinding.severity).toBe('error');
      expect(hpaFinding.message).toContain('nothing orders the Applications an ApplicationSet generates without the RollingSync strategy');
      // b's Deployment needs a's namespace: refused too.
      expect(f.find((x) => x.object === 'Deployment/team/web')!.severity).toBe('error');
    }
  });

  test('an ApplicationSet with RollingSync orders by wave with or without the Application health check', () => {
    const rolling = (applications: SimApplication[]) => ({ name: 'prod', ordered: false, rollingSync: true, applications });
    const ok: SimApplication[] = [
      { name: 'a', wave: -10, objects: [ns('team')] },
      { name: 'b', wave: 0, objects: [deployment('web', 0), hpa('h', 0, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' })] },
    ];
    for (const hc of [true, false]) expect(simulateSync(rolling(ok), hc)).toEqual([]);
    // The HPA one step before its target: Degraded, so the step never completes: deadlock both ways.
    const bad: SimApplication[] = [
      { name: 'a', wave: -10, objects: [ns('team'), hpa('h', 0, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' })] },
      { name: 'b', wave: 0, objects: [deployment('web', 0)] },
    ];
    for (const hc of [true, false]) {
      const e = errors(simulateSync(rolling(bad), hc));
      expect(e.some((m) => m.includes('which the ApplicationSet (RollingSync) syncs after a (RollingSync wave -10)'))).toBe(true);
      expect(e.some((m) => m.includes('Application b never finishes its sync; the ApplicationSet (RollingSync) never syncs it') && m.includes('FailedGetScale'))).toBe(true);
    }
  });

  test('Environment: useApplicationSet orders with RollingSync by default; rollingSync: false refuses cross-Application references', () => {
    const make = (rollingSync?: boolean) => {
      const app = new GitOpsApp({ repoUrl: REPO });
      const e = new Environment(app, 'prod', { useApplicationSet: true, rollingSync });
      new ClusterPrerequisites(e, 'prerequisites', { declared: [Prerequisite.argoCdProgressiveSyncs()] });
      const platform = e.addPlatformProject();
      new k8s.KubeNamespace(e.addApplication('base', { project: platform }), 'ns', { metadata: { name: 'team' } });
      const web = e.addApplication('web', { project: platform });
      new k8s.KubeConfigMap(web, 'cm', { metadata: { name: 'web', namespace: 'team' }, data: { a: 'b' } });
      return { app, e };
    };
    const ordered = make();
    for (const hc of [true, false]) expect(errors(ordered.e.simulateSync(hc))).toEqual([]);
    expect(() => ordered.app.synthFolders()).not.toThrow();
    const unordered = make(false);
    expect(() => unordered.app.synthFolders()).toThrow(/\[prod\/web\] sync: given "ConfigMap\/team\/web: ConfigMap\/team\/web references Namespace\/team, its namespace, in Application prod-base: nothing orders the Applications an ApplicationSet generates without the RollingSync strategy/);
    // RollingSync is a declared prerequisite: without the declaration the synth says what to declare.
    const app = new GitOpsApp({ repoUrl: REPO });
    const e = new Environment(app, 'prod', { useApplicationSet: true });
    new k8s.KubeNamespace(e.addApplication('base'), 'ns', { metadata: { name: 'team' } });
    expect(() => app.synthFolders()).toThrow(/Argo CD setting "applicationsetcontroller\.enable\.progressive\.syncs" \(referenced by ApplicationSet\/argocd\/prod-apps\)/);
    expect(() => new Environment(new GitOpsApp({ repoUrl: REPO }), 'dev', { rollingSync: true }))
      .toThrow('[dev] rollingSync: given true; allowed: only with useApplicationSet: true (the root app-of-apps orders Applications by wave itself)');
  });

  test('every example environment simulates to Healthy with the Application health check on and off', () => {
    const app = buildExamples();
    expect(app.environments.map((e) => e.environmentName)).toEqual(['dev', 'staging', 'prod']);
    for (const e of app.environments) {
      for (const hc of [true, false]) expect(errors(e.simulateSync(hc))).toEqual([]);
    }
  });

  test('the synth fails with the simulation errors, in the standard format', () => {
    const app = new GitOpsApp({ repoUrl: REPO });
    const e = new Environment(app, 'prod');
    const platform = e.addPlatformProject();
    const c = e.addApplication('web', { project: platform });
    new k8s.KubeNamespace(c, 'ns', { metadata: { name: 'team' } });
    new k8s.KubePersistentVolumeClaim(c, 'pvc', { metadata: { name: 'cache', namespace: 'team', annotations: wave(-5) }, spec: { accessModes: ['ReadWriteOnce'] } });
    new k8s.KubeDeployment(c, 'web', { metadata: { name: 'web', namespace: 'team' }, spec: deployment('web', 0, { volumes: [{ name: 'c', persistentVolumeClaim: { claimName: 'cache' } }] }).spec as any });
    expect(() => app.synthFolders()).toThrow(/\[prod\/web\] sync: given "deadlock with the Application health check: Application prod-web never finishes its sync; wave -5 does not finish: PersistentVolumeClaim\/team\/cache is Progressing.*; allowed: an environment Argo CD syncs to Healthy/);
  });

  test('autoscalers: in their target\'s wave inside one Application, and out of its health', () => {
    const app = new GitOpsApp({ repoUrl: REPO });
    const e = new Environment(app, 'prod');
    const c = e.addApplication('web', { project: e.addPlatformProject() });
    new k8s.KubeNamespace(c, 'ns', { metadata: { name: 'team' } });
    new Chart(c, 'nested');
    new k8s.KubeDeployment(c, 'web', { metadata: { name: 'web', namespace: 'team', annotations: wave(10) }, spec: deployment('web', 10).spec as any });
    new k8s.KubeHorizontalPodAutoscalerV2(c, 'hpa', { metadata: { name: 'web', namespace: 'team' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 2 } });
    const h = app.synthManifests().find((m) => m.kind === 'HorizontalPodAutoscaler');
    expect(h.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '10', 'argocd.argoproj.io/ignore-healthcheck': 'true' });
  });
});
