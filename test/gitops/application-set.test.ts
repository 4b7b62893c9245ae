import { Chart, Testing } from 'cdk8s';
import { ApplicationSet, SyncOption } from '../../lib/gitops';
import { SYNC_WAVE_LABEL, TEMPLATE_PATCH, TEMPLATE_PATCH_WITH_PLUGIN } from '../../lib/gitops/application-set';
import { renderApplicationSet } from './appset-render';
import { synth, synthValid } from '../harness';

const REPO = 'https://github.com/example/platform.git';

describe('ApplicationSet', () => {
  test('list generator + Go template, one Application per element, each with its own sync policy (templatePatch)', () => {
    const chart = new Chart(Testing.app(), 'apps');
    const set = new ApplicationSet(chart, 's', {
      name: 'prod-apps', repoUrl: REPO, targetRevision: 'main',
      elements: [{ name: 'prod-platform', path: 'dist/prod/platform', project: 'prod-platform', syncWave: -20 }],
    });
    set.addElement({
      name: 'prod-serving', path: 'dist/prod/serving', project: 'prod-ml-team', namespace: 'ml-team',
      syncOptions: [SyncOption.SERVER_SIDE_APPLY], selfHeal: false, retry: { limit: 2 },
      ignoreDifferences: [{ group: 'apps', kind: 'Deployment', name: 'vllm', jsonPointers: ['/spec/replicas'] }],
    });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const spec = manifests[0].spec;
    expect(spec.goTemplate).toBe(true);
    expect(spec.generators[0].list.elements.map((e: any) => [e.name, e.path, e.project, e.namespace, e.syncWave])).toEqual([
      ['prod-platform', 'dist/prod/platform', 'prod-platform', '', '-20'],
      ['prod-serving', 'dist/prod/serving', 'prod-ml-team', 'ml-team', '0'],
    ]);
    expect(spec.template.metadata.name).toBe('{{.name}}');
    expect(spec.template.spec.source).toEqual({ repoURL: REPO, targetRevision: 'main', path: '{{.path}}' });
    // The sync policy and ignoreDifferences travel in each element; the template has none of its own.
    expect(spec.template.spec.syncPolicy).toBeUndefined();
    expect(spec.templatePatch).toBe(TEMPLATE_PATCH);
    expect(spec.strategy).toBeUndefined();
    const [platform, serving] = renderApplicationSet(manifests[0]);
    expect(platform.metadata).toMatchObject({ name: 'prod-platform', annotations: { 'argocd.argoproj.io/sync-wave': '-20' } });
    expect(platform.spec.syncPolicy).toEqual({
      automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'],
      retry: { limit: 5, backoff: { duration: '5s', factor: 2, maxDuration: '3m' } },
    });
    expect(platform.spec.ignoreDifferences).toEqual([]);
    expect(serving.spec).toEqual({
      project: 'prod-ml-team',
      source: { repoURL: REPO, targetRevision: 'main', path: 'dist/prod/serving' },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'ml-team' },
      ignoreDifferences: [{ group: 'apps', kind: 'Deployment', name: 'vllm', jsonPointers: ['/spec/replicas'] }],
      syncPolicy: {
        automated: { prune: true, selfHeal: false }, syncOptions: ['ServerSideApply=true', 'RespectIgnoreDifferences=true'],
        retry: { limit: 2, backoff: { duration: '5s', factor: 2, maxDuration: '3m' } },
      },
    });
  });

  test('ApplicationSet-wide ignoreDifferences reach every element, after its own', () => {
    const chart = new Chart(Testing.app(), 'apps');
    const set = new ApplicationSet(chart, 's', { name: 'x', repoUrl: REPO, elements: [
      { name: 'a', path: 'dist/a', project: 'default', ignoreDifferences: [{ kind: 'Service', name: 'a', jsonPointers: ['/spec/selector'] }] },
      { name: 'b', path: 'dist/b', project: 'default' },
    ] });
    set.replaceIgnoreDifferences([{ group: 'apps', kind: 'Deployment', name: 'vllm', jsonPointers: ['/spec/replicas'] }]);
    const [a, b] = renderApplicationSet(synthValid(chart)[0]);
    expect(a.spec.ignoreDifferences.map((d: any) => d.kind)).toEqual(['Deployment', 'Service']);
    expect(b.spec.ignoreDifferences.map((d: any) => d.kind)).toEqual(['Deployment']);
    for (const app of [a, b]) expect(app.spec.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
  });

  test('an element with a plugin source: the patch adds it to the template\'s source; elements without one get none', () => {
    const chart = new Chart(Testing.app(), 'apps');
    new ApplicationSet(chart, 's', { name: 'x', repoUrl: REPO, elements: [
      { name: 'a', path: '.', project: 'default', plugin: { name: 'cdk8s-v1.0', env: { GITOPS_ENVIRONMENT: 'dev', GITOPS_APPLICATION: 'a' } } },
      { name: 'b', path: 'dist/dev/b', project: 'default' },
    ] });
    const [set] = synthValid(chart);
    expect(set.spec.templatePatch).toBe(TEMPLATE_PATCH_WITH_PLUGIN);
    const [a, b] = renderApplicationSet(set);
    expect(a.spec.source).toEqual({ repoURL: REPO, targetRevision: 'HEAD', path: '.',
      plugin: { name: 'cdk8s-v1.0', env: [{ name: 'GITOPS_APPLICATION', value: 'a' }, { name: 'GITOPS_ENVIRONMENT', value: 'dev' }] } });
    expect(b.spec.source).toEqual({ repoURL: REPO, targetRevision: 'HEAD', path: 'dist/dev/b' });
  });

  test('rollingSync: one RollingSync step per wave, keyed on a label carrying the wave', () => {
    const chart = new Chart(Testing.app(), 'apps');
    new ApplicationSet(chart, 's', { name: 'x', repoUrl: REPO, rollingSync: true, elements: [
      { name: 'ns', path: 'dist/ns', project: 'default', syncWave: -20 },
      { name: 'web', path: 'dist/web', project: 'default', syncWave: 0 },
      { name: 'policy', path: 'dist/policy', project: 'default', syncWave: -10 },
      { name: 'api', path: 'dist/api', project: 'default', syncWave: 0 },
    ] });
    const [set] = synthValid(chart);
    expect(set.spec.strategy).toEqual({ type: 'RollingSync', rollingSync: { steps: [
      { matchExpressions: [{ key: SYNC_WAVE_LABEL, operator: 'In', values: ['minus-20'] }] },
      { matchExpressions: [{ key: SYNC_WAVE_LABEL, operator: 'In', values: ['minus-10'] }] },
      { matchExpressions: [{ key: SYNC_WAVE_LABEL, operator: 'In', values: ['0'] }] },
    ] } });
    const apps = renderApplicationSet(set);
    expect(apps.map((a) => [a.metadata.name, a.metadata.labels[SYNC_WAVE_LABEL]])).toEqual([
      ['api', '0'], ['ns', 'minus-20'], ['policy', 'minus-10'], ['web', '0'],
    ]);
    // Valid label values (the API server refuses "-20").
    for (const a of apps) expect(a.metadata.labels[SYNC_WAVE_LABEL]).toMatch(/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/);
  });

  describe('errors', () => {
    test('no elements', () => {
      const chart = new Chart(Testing.app(), 'apps');
      new ApplicationSet(chart, 's', { name: 'x', repoUrl: REPO });
      expect(() => synth(chart)).toThrow('[apps/s] elements: given []; allowed: at least one Application');
    });
    test('duplicate application names', () => {
      const chart = new Chart(Testing.app(), 'apps');
      new ApplicationSet(chart, 's', { name: 'x', repoUrl: REPO, elements: [
        { name: 'a', path: 'dist/a', project: 'p' }, { name: 'a', path: 'dist/b', project: 'p' },
      ] });
      expect(() => synth(chart)).toThrow('[apps/s] elements[1].name: given "a"; allowed: unique Application names');
    });
    test('invalid path', () => {
      const chart = new Chart(Testing.app(), 'apps');
      new ApplicationSet(chart, 's', { name: 'x', repoUrl: REPO, elements: [{ name: 'a', path: '../a', project: 'p' }] });
      expect(() => synth(chart)).toThrow(/\[apps\/s\] elements\[0\].path: given "..\/a"; allowed: a relative path/);
    });
    test('element project: not a valid AppProject name', () => {
      const chart = new Chart(Testing.app(), 'apps');
      new ApplicationSet(chart, 's', { name: 'x', repoUrl: REPO, elements: [{ name: 'a', path: 'dist/a', project: 'Team_A' }] });
      expect(() => synth(chart)).toThrow(/\[apps\/s\] elements\[0\]\.project: given "Team_A"; allowed: .*DNS-1123 subdomain/);
    });
    test('element project: restricted to known projects', () => {
      const chart = new Chart(Testing.app(), 'apps');
      const set = new ApplicationSet(chart, 's', { name: 'x', repoUrl: REPO, elements: [
        { name: 'a', path: 'dist/a', project: 'default' }, { name: 'b', path: 'dist/b', project: 'prod-ml' },
      ] });
      set._restrictProjects(() => ['prod-platform']);
      expect(() => synth(chart)).toThrow('[apps/s] elements[1].project: given "prod-ml (Application \\"b\\")"; allowed: "default" or an AppProject of the environment: ["prod-platform"]');
    });
    test('an element\'s sync options are checked', () => {
      const chart = new Chart(Testing.app(), 'apps');
      new ApplicationSet(chart, 's', { name: 'x', repoUrl: REPO, elements: [{ name: 'a', path: 'dist/a', project: 'p', retry: { limit: -2 } }] });
      expect(() => synth(chart)).toThrow(/\[apps\/s\/elements\[0\]\] retry\.limit: given -2/);
    });
    test('invalid repo URL', () => {
      const chart = new Chart(Testing.app(), 'apps');
      expect(() => new ApplicationSet(chart, 's', { name: 'x', repoUrl: 'example.com/x' }))
        .toThrow(/\[apps\/s\] repoUrl: given "example.com\/x"; allowed: a Git repository URL/);
    });
  });
});
