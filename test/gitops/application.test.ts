import { Chart, Duration, Testing } from 'cdk8s';
import { k8s } from '../../lib/core/k8s';
import { Application, PlatformProject, SyncOption, TenantProject } from '../../lib/gitops';
import { CanaryRollout, CanaryStep } from '../../lib/delivery';
import { synth, synthValid } from '../harness';

const REPO = 'https://github.com/example/platform.git';

function setup() {
  const app = Testing.app();
  const argo = new Chart(app, 'argo');
  const work = new Chart(app, 'work');
  return { app, argo, work };
}

const appOf = (manifests: any[]) => manifests.find((m) => m.kind === 'Application');

describe('Application', () => {
  test('CanaryRollout contents: the Services\' rollouts-pod-template-hash selector is ignored and respected on sync', () => {
    const { argo, work } = setup();
    const ro = new CanaryRollout(work, 'ro', {
      name: 'web', namespace: 'web-team', replicas: 2, steps: [CanaryStep.trafficWeight(50), CanaryStep.pause()],
      template: { spec: { containers: [{ name: 'web', image: 'registry.example.com/web:1.0.0', ports: [{ containerPort: 8080 }] }] } },
    });
    new Application(argo, 'serving', { name: 'prod-serving', repoUrl: REPO, path: 'dist/prod/serving', contents: [work] });
    const a = appOf(synth(argo));
    for (const svc of [ro.stableService, ro.canaryService]) {
      expect(a.spec.ignoreDifferences).toContainEqual({
        kind: 'Service', name: svc.name, namespace: 'web-team', jsonPointers: ['/spec/selector/rollouts-pod-template-hash'],
      });
    }
    // Server-side apply replaces Service spec.selector as a whole (atomic map): without this option a self-heal
    // would apply the Git selector and drop the key.
    expect(a.spec.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
    expect(a.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
    expect(a.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
  });

  test('defaults: automated prune + selfHeal, CreateNamespace, ServerSideApply, retry with backoff', () => {
    const { argo } = setup();
    new Application(argo, 'serving', { name: 'prod-serving', repoUrl: REPO, path: 'dist/prod/serving', destinationNamespace: 'ml-team' });
    const manifests = synthValid(argo);
    expect(manifests).toMatchSnapshot();
    const a = appOf(manifests);
    expect(a.metadata).toMatchObject({ name: 'prod-serving', namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io'] });
    expect(a.spec.project).toBe('default');
    expect(a.spec.source).toEqual({ repoURL: REPO, targetRevision: 'HEAD', path: 'dist/prod/serving' });
    expect(a.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'ml-team' });
    expect(a.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    expect(a.spec.syncPolicy.syncOptions).toEqual(['CreateNamespace=true', 'ServerSideApply=true']);
    expect(a.spec.syncPolicy.retry).toEqual({ limit: 5, backoff: { duration: '5s', factor: 2, maxDuration: '3m' } });
    expect(a.spec.ignoreDifferences).toBeUndefined();
  });

  test('options: manual sync, custom sync options, retry, destination name, wave, no cascade', () => {
    const { argo } = setup();
    new Application(argo, 'a', {
      name: 'a', repoUrl: 'git@github.com:example/platform.git', path: 'dist/dev/a', targetRevision: 'v1.2.3',
      automated: false, syncOptions: [SyncOption.PRUNE_LAST, SyncOption.custom('Validate=false')],
      retry: { limit: -1, backoffDuration: Duration.seconds(10), backoffFactor: 3, backoffMaxDuration: Duration.hours(1) },
      destinationName: 'gpu-cluster', syncWave: 3, cascadeDelete: false, labels: { team: 'ml' },
    });
    const a = appOf(synthValid(argo));
    expect(a.spec.syncPolicy.automated).toBeUndefined();
    expect(a.spec.syncPolicy.syncOptions).toEqual(['PruneLast=true', 'Validate=false']);
    expect(a.spec.syncPolicy.retry).toEqual({ limit: -1, backoff: { duration: '10s', factor: 3, maxDuration: '1h' } });
    expect(a.spec.destination).toEqual({ name: 'gpu-cluster' });
    expect(a.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('3');
    expect(a.metadata.finalizers).toBeUndefined();
    expect(a.metadata.labels).toEqual({ team: 'ml' });
    expect(a.spec.source.targetRevision).toBe('v1.2.3');
  });

  test('collects ignoreDifferences from any construct in its contents, lazily, without duplicates', () => {
    const { argo, work } = setup();
    const app = new Application(argo, 'a', {
      name: 'a', repoUrl: REPO, path: 'dist/dev/a', contents: [work],
      ignoreDifferences: [{ group: 'apps', kind: 'Deployment', name: 'x', namespace: 'ml', jsonPointers: ['/spec/replicas'] }],
    });
    // Added after the Application: still collected at synth.
    const holder = new k8s.KubeConfigMap(work, 'cm', { metadata: { name: 'cm', namespace: 'ml' } });
    Object.assign(holder, { ignoreDifferences: [
      { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'r', namespace: 'ml', jqPathExpressions: ['.spec.rules[].backendRefs[].weight'] },
      { group: 'apps', kind: 'Deployment', name: 'x', namespace: 'ml', jsonPointers: ['/spec/replicas'] },
    ] });
    const a = appOf(synth(argo));
    expect(app.ignoreDifferences).toHaveLength(2);
    expect(a.spec.ignoreDifferences).toEqual([
      { group: 'apps', kind: 'Deployment', name: 'x', namespace: 'ml', jsonPointers: ['/spec/replicas'] },
      { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'r', namespace: 'ml', jqPathExpressions: ['.spec.rules[].backendRefs[].weight'] },
    ]);
    // Ignored fields must also stay out of the apply.
    expect(a.spec.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
  });

  test('plugin source: spec.source.plugin with the plugin name and env entries sorted by name', () => {
    const { argo } = setup();
    new Application(argo, 'a', {
      name: 'serving', repoUrl: REPO, path: '.', destinationNamespace: 'serving',
      plugin: { name: 'cdk8s-v1.0', env: { GITOPS_APPLICATION: 'serving', GITOPS_ENVIRONMENT: 'prod' } },
    });
    const source = appOf(synthValid(argo)).spec.source;
    expect(source).toEqual({
      repoURL: REPO, targetRevision: 'HEAD', path: '.',
      plugin: { name: 'cdk8s-v1.0', env: [{ name: 'GITOPS_APPLICATION', value: 'serving' }, { name: 'GITOPS_ENVIRONMENT', value: 'prod' }] },
    });
  });

  test('plugin source errors', () => {
    const { argo } = setup();
    expect(() => new Application(argo, 'a', { name: 'x', repoUrl: REPO, path: '.', plugin: { name: 'Bad Name' } }))
      .toThrow('[argo/a] plugin.name: given "Bad Name"; allowed: a plugin name "<name>-<version>" such as "cdk8s-v1.0"');
    expect(() => new Application(argo, 'b', { name: 'x', repoUrl: REPO, path: '.', plugin: { name: 'p', env: { 'A-B': 'v' } } }))
      .toThrow('[argo/b] plugin.env.A-B: given "A-B"; allowed: an environment variable name');
  });

  test('contents without a namespace are reported', () => {
    const { argo, work } = setup();
    new Application(argo, 'a', { name: 'a', repoUrl: REPO, path: 'dist/dev/a', contents: [work] });
    new k8s.KubeConfigMap(work, 'cm', { metadata: { name: 'cm' } });
    new k8s.KubeNamespace(work, 'ns', { metadata: { name: 'ok' } });
    expect(() => synth(argo)).toThrow(/\[work\/cm\] metadata.namespace: given undefined; allowed: an explicit namespace on every namespaced object \(ConfigMap\/cm in Application "a"\)/);
  });

  test('contents are checked against the project', () => {
    const { argo, work } = setup();
    const project = new TenantProject(argo, 'p', { name: 'ml', namespaces: ['ml'], sourceRepos: [REPO] });
    new Application(argo, 'a', { name: 'a', repoUrl: REPO, path: 'dist/dev/a', contents: [work], project });
    new k8s.KubeResourceQuota(work, 'q', { metadata: { name: 'q', namespace: 'ml' } });
    expect(() => synth(argo)).toThrow(/\[work\/q\] project: given "ResourceQuota\/q in Application \\"a\\""; allowed: no ResourceQuota, LimitRange, NetworkPolicy, ServiceAccount, Secret, Role, RoleBinding in tenant project "ml" \(the platform owns them\)/);
  });

  test('a tenant project refuses kinds outside its whitelist, with the list', () => {
    const { argo, work } = setup();
    const project = new TenantProject(argo, 'p', { name: 'ml', namespaces: ['ml'], sourceRepos: [REPO] });
    new Application(argo, 'a', { name: 'a', repoUrl: REPO, path: 'dist/dev/a', contents: [work], project });
    new k8s.KubeIngress(work, 'i', { metadata: { name: 'i', namespace: 'ml' } });
    expect(() => synth(argo)).toThrow(/\[work\/i\] project: given "Ingress\/i in Application \\"a\\""; allowed: only the kinds tenant project "ml" allows \(allowedKinds: apps\/Deployment, .*\); given networking.k8s.io\/Ingress/);
  });

  test('the platform project allows cluster-scoped kinds', () => {
    const { argo, work } = setup();
    const project = new PlatformProject(argo, 'p', { name: 'platform', sourceRepos: [REPO] });
    new Application(argo, 'a', { name: 'a', repoUrl: REPO, path: 'dist/dev/a', contents: [work], project });
    new k8s.KubeNamespace(work, 'ns', { metadata: { name: 'ml' } });
    expect(appOf(synthValid(argo)).spec.project).toBe('platform');
  });

  describe('errors', () => {
    const base = { name: 'a', repoUrl: REPO, path: 'dist/a' };
    test.each([
      ['repoUrl', { repoUrl: 'github.com/example' }, /\[argo\/a\] repoUrl: given "github.com\/example"; allowed: a Git repository URL/],
      ['repoUrl http', { repoUrl: 'http://example.com/x.git' }, /repoUrl: given "http:\/\/example.com\/x.git"; allowed: a Git repository URL/],
      ['name', { name: 'Prod_Serving' }, /\[argo\/a\] name: given "Prod_Serving"; allowed: a DNS-1123 label/],
      ['path', { path: '/dist/a' }, /\[argo\/a\] path: given "\/dist\/a"; allowed: a relative path inside the repository/],
      ['path ..', { path: 'dist/../etc' }, /path: given "dist\/..\/etc"; allowed: a relative path/],
      ['targetRevision', { targetRevision: 'main branch' }, /targetRevision: given "main branch"; allowed: a Git revision/],
      ['destinationServer', { destinationServer: 'kubernetes.default.svc' }, /destinationServer: given "kubernetes.default.svc"; allowed: an https:\/\/ API server URL/],
      ['destinationNamespace', { destinationNamespace: 'ML' }, /destinationNamespace: given "ML"; allowed: a DNS-1123 label/],
      ['syncOptions', { syncOptions: [SyncOption.custom('nonsense')] }, /syncOptions\[0\]: given "nonsense"; allowed: a sync option "Name=value"/],
      ['retry.limit', { retry: { limit: 1.5 } }, /retry.limit: given 1.5; allowed: an integer >= -1/],
      ['retry.backoffFactor', { retry: { backoffFactor: 0 } }, /retry.backoffFactor: given 0; allowed: an integer >= 1/],
      ['retry.backoffDuration', { retry: { backoffDuration: Duration.millis(500) } }, /retry.backoffDuration: given "0.5s"; allowed: a whole number of seconds > 0/],
      ['labels', { labels: { 'bad key!': 'x' } }, /labels key: given "bad key!"; allowed: a qualified name/],
      ['syncWave', { syncWave: 1.5 }, /syncWave: given 1.5; allowed: an integer from -1000 to 1000/],
    ])('%s', (_label, extra, message) => {
      const { argo } = setup();
      expect(() => new Application(argo, 'a', { ...base, ...extra } as any)).toThrow(message);
    });

    test('destinationServer and destinationName together', () => {
      const { argo } = setup();
      new Application(argo, 'a', { ...base, destinationServer: 'https://x.example.com', destinationName: 'x' });
      expect(() => synth(argo)).toThrow(/\[argo\/a\] destinationName: given "x"; allowed: either destinationServer or destinationName, not both/);
    });
  });
});
