import { Construct } from 'constructs';
import { ClusterPrerequisites, ITenant, Prerequisite, SyncWave, Warnings } from '../../lib/core';
import { k8s } from '../../lib/core/k8s';
import { Environment, GitOpsApp, SyncOption } from '../../lib/gitops';
import { synth, synthValid } from '../harness';
import { renderApplicationSet } from './appset-render';

const REPO = 'https://github.com/example/platform.git';

function tenant(scope: Construct, name: string): ITenant {
  return Object.assign(new Construct(scope, `tenant-${name}`), { tenantName: name, namespaceName: name, placement: {}, quota: {} }) as any;
}

function build(useApplicationSet = false) {
  const app = new GitOpsApp({ repoUrl: REPO, outdir: '/tmp/unused' });
  const env = new Environment(app, 'prod', { targetRevision: 'release-1', useApplicationSet });
  // An ApplicationSet syncs in wave order with RollingSync, which Progressive Syncs must be on for.
  if (useApplicationSet) new ClusterPrerequisites(env, 'prerequisites', { declared: [Prerequisite.argoCdProgressiveSyncs()] });
  const platform = env.addPlatformProject();
  const ml = tenant(app, 'ml-team');
  const mlProject = env.addTenantProject(ml, { adminGroups: ['ml-admins'] });
  const base = env.addApplication('platform', { project: platform });
  new k8s.KubeNamespace(base, 'ns', { metadata: { name: 'ml-team' } });
  new k8s.KubeResourceQuota(base, 'quota', { metadata: { name: 'quota', namespace: 'ml-team' } });
  const serving = env.addApplication('serving', { project: mlProject, namespace: 'ml-team' });
  const deploy = new k8s.KubeDeployment(serving, 'deploy', {
    metadata: { name: 'vllm', namespace: 'ml-team' },
    spec: { selector: { matchLabels: { app: 'vllm' } }, template: { metadata: { labels: { app: 'vllm' } }, spec: { containers: [] } } },
  });
  Object.assign(deploy, { ignoreDifferences: [{ group: 'apps', kind: 'Deployment', name: 'vllm', namespace: 'ml-team', jsonPointers: ['/spec/replicas'] }] });
  return { app, env, platform, mlProject, base, serving };
}

describe('Environment', () => {
  test('its printed warnings name the environment (dev and prod built by the same code print different lines)', () => {
    const app = new GitOpsApp({ repoUrl: REPO, outdir: '/tmp/unused' });
    for (const name of ['dev', 'prod']) {
      const env = new Environment(app, name);
      const serving = env.addApplication('serving', { project: env.addPlatformProject() });
      Warnings.add(new k8s.KubeNamespace(serving, 'ns', { metadata: { name: 'ml-team' } }), 'image not pinned');
    }
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const nodeEnv = process.env.NODE_ENV;
    try {
      process.env.NODE_ENV = 'production';
      app.synthFolders();
      expect(write.mock.calls.map((c) => c[0])).toEqual([
        'Warning: environment "dev": [serving/ns] image not pinned\n',
        'Warning: environment "prod": [serving/ns] image not pinned\n',
      ]);
    } finally {
      process.env.NODE_ENV = nodeEnv;
      write.mockRestore();
    }
  });

  describe('pluginSource: Argo CD runs the synth with the Config Management Plugin', () => {
    const withPlugin = (props: { path?: string } = {}) => {
      const app = new GitOpsApp({ repoUrl: REPO, outdir: '/tmp/unused' });
      const plugin = app.addConfigManagementPlugin({ name: 'synth', version: 'v2' });
      const env = new Environment(app, 'dev', { pluginSource: { plugin, ...props } });
      const platform = env.addPlatformProject();
      const c = env.addApplication('web', { project: platform, namespace: 'web' });
      new k8s.KubeNamespace(c, 'ns', { metadata: { name: 'web' } });
      return { app, env };
    };
    test('every Application names the plugin and its own folder in the plugin env; path is the folder of cdk8s.yaml', () => {
      const web = synth(withPlugin().app).find((m) => m.kind === 'Application' && m.metadata.name === 'dev-web');
      expect(web.spec.source).toEqual({
        repoURL: REPO, targetRevision: 'HEAD', path: '.',
        plugin: { name: 'synth-v2', env: [{ name: 'GITOPS_APPLICATION', value: 'web' }, { name: 'GITOPS_ENVIRONMENT', value: 'dev' }] },
      });
      const other = synth(withPlugin({ path: 'platform' }).app).find((m) => m.kind === 'Application' && m.metadata.name === 'dev-web');
      expect(other.spec.source.path).toBe('platform');
    });
    test('the environment still simulates to Healthy both ways', () => {
      const { env } = withPlugin();
      for (const hc of [true, false]) expect(env.simulateSync(hc).filter((f) => f.severity === 'error')).toEqual([]);
    });
    test('a plugin of another GitOpsApp or a bad path is refused', () => {
      const app = new GitOpsApp({ repoUrl: REPO, outdir: '/tmp/unused' });
      const foreign = new GitOpsApp({ repoUrl: REPO, outdir: '/tmp/unused' }).addConfigManagementPlugin();
      expect(() => new Environment(app, 'dev', { pluginSource: { plugin: foreign } }))
        .toThrow(/^\[dev\] pluginSource\.plugin: given .*; allowed: the ConfigManagementPlugin of the same GitOpsApp/);
      const plugin = app.addConfigManagementPlugin();
      expect(() => new Environment(app, 'dev', { pluginSource: { plugin, path: '/abs' } })).toThrow(/^\[dev\] pluginSource\.path: given "\/abs"; allowed: a relative path/);
    });
    test('with an ApplicationSet, each generated Application (companions included) gets the same plugin source', () => {
      const [plain, set] = [false, true].map((useApplicationSet) => {
        const app = new GitOpsApp({ repoUrl: REPO, outdir: '/tmp/unused' });
        const plugin = app.addConfigManagementPlugin();
        const env = new Environment(app, 'staging', { pluginSource: { plugin }, useApplicationSet });
        new ClusterPrerequisites(env, 'prerequisites', { declared: [Prerequisite.argoCdProgressiveSyncs()] });
        const platform = env.addPlatformProject();
        new k8s.KubeNamespace(env.addApplication('base', { project: platform }), 'ns', { metadata: { name: 'web' } });
        const web = env.addApplication('web', { project: env.addTenantProject(tenant(app, 'web')), namespace: 'web' });
        new k8s.KubeServiceAccount(web, 'sa', { metadata: { name: 'web', namespace: 'web' } });
        new k8s.KubeConfigMap(web, 'cm', { metadata: { name: 'web', namespace: 'web' }, data: { a: 'b' } });
        const manifests = synth(app).filter((m) => m.kind === 'Application' || m.kind === 'ApplicationSet');
        const s = manifests.find((m) => m.kind === 'ApplicationSet');
        const children = s ? renderApplicationSet(s) : manifests.filter((m) => m.metadata.name !== 'staging-root');
        return Object.fromEntries(children.map((a) => [a.metadata.name, a.spec.source]));
      });
      expect(Object.keys(set).sort()).toEqual(['staging-base', 'staging-web', 'staging-web-platform']);
      expect(set).toEqual(plain);
      expect(set['staging-web-platform'].plugin.env).toEqual([{ name: 'GITOPS_APPLICATION', value: 'web-platform' }, { name: 'GITOPS_ENVIRONMENT', value: 'staging' }]);
    });
  });

  describe('ApplicationSet mode keeps every Application\'s own settings (templatePatch)', () => {
    /** The spec of each child Application: written (app-of-apps) or generated by the ApplicationSet. */
    const specs = (app: GitOpsApp) => {
      const apps = synth(app).filter((m) => m.metadata?.name !== 'prod-root');
      const set = apps.find((m) => m.kind === 'ApplicationSet');
      const children = set ? renderApplicationSet(set) : apps.filter((m) => m.kind === 'Application');
      // Argo CD omits an empty namespace or list (omitempty), so "" and [] read as absent.
      return Object.fromEntries(children.map((a) => [a.metadata.name, {
        ...a.spec,
        destination: { ...a.spec.destination, namespace: a.spec.destination.namespace || undefined },
        ignoreDifferences: a.spec.ignoreDifferences?.length ? a.spec.ignoreDifferences : undefined,
      }]));
    };
    test.each([
      ['syncOptions', { syncOptions: [SyncOption.PRUNE_LAST] }],
      ['automated', { automated: false }],
      ['prune', { prune: false }],
      ['selfHeal', { selfHeal: false }],
      ['retry', { retry: { limit: 1 } }],
    ])('%s reaches the generated Application as it reaches a plain one', (_prop, options) => {
      const [plain, set] = [false, true].map((mode) => {
        const { app, env, mlProject } = build(mode);
        const extra = env.addApplication('extra', { project: mlProject, namespace: 'ml-team', ...options });
        new k8s.KubeConfigMap(extra, 'cm', { metadata: { name: 'settings', namespace: 'ml-team' }, data: { a: 'b' } });
        return specs(app);
      });
      expect(Object.keys(set).sort()).toEqual(['prod-extra', 'prod-platform', 'prod-serving']);
      expect(set).toEqual(plain);
    });
    test('a tenant\'s Application has no CreateNamespace, the platform\'s has it, in both modes', () => {
      for (const mode of [false, true]) {
        const s = specs(build(mode).app);
        expect(s['prod-serving'].syncPolicy.syncOptions).toEqual(['ServerSideApply=true', 'RespectIgnoreDifferences=true']);
        expect(s['prod-serving'].ignoreDifferences).toEqual([{ group: 'apps', kind: 'Deployment', name: 'vllm', namespace: 'ml-team', jsonPointers: ['/spec/replicas'] }]);
        expect(s['prod-platform'].syncPolicy.syncOptions).toEqual(['CreateNamespace=true', 'ServerSideApply=true']);
        expect(s['prod-platform'].ignoreDifferences).toBeUndefined();
      }
    });
    test('the same options are kept on an Application without an ApplicationSet', () => {
      const { app, env, mlProject } = build(false);
      const extraChart = env.addApplication('extra', { project: mlProject, namespace: 'ml-team', syncOptions: [SyncOption.PRUNE_LAST], selfHeal: false });
      new k8s.KubeConfigMap(extraChart, 'cm', { metadata: { name: 'settings', namespace: 'ml-team' }, data: { a: 'b' } });
      const extra = synth(app).find((m) => m.kind === 'Application' && m.metadata.name === 'prod-extra');
      expect(extra.spec.syncPolicy.syncOptions).toEqual(['PruneLast=true']);
      expect(extra.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: false });
    });
    test('a project of another environment is refused', () => {
      const { app, env } = build(true);
      const other = new Environment(app, 'dev', {});
      const foreign = other.addPlatformProject();
      expect(() => env.addApplication('extra', { project: foreign }))
        .toThrow(/^\[prod\] addApplication\("extra"\)\.project: given "dev-platform \(Application \\"prod-extra\\"\)"; allowed: an AppProject of environment "prod"/);
    });
    test('elements name only the environment\'s projects', () => {
      const { app } = build(true);
      const set = synth(app).find((m) => m.kind === 'ApplicationSet');
      expect(set.spec.generators[0].list.elements.map((e: any) => [e.name, e.project])).toEqual([
        ['prod-platform', 'prod-platform'], ['prod-serving', 'prod-ml-team'],
      ]);
    });
  });

  test('child Applications, projects and the root app-of-apps', () => {
    const { app, env } = build();
    const manifests = synth(app);
    expect(manifests).toMatchSnapshot();
    const apps = manifests.filter((m) => m.kind === 'Application');
    expect(apps.map((a) => a.metadata.name)).toEqual(['prod-platform', 'prod-serving', 'prod-root']);
    const root = apps[2];
    expect(root.spec.source.path).toBe('dist/prod/apps');
    expect(root.spec.source.targetRevision).toBe('release-1');
    const platform = apps[0];
    expect(platform.spec.source.path).toBe('dist/prod/platform');
    expect(platform.spec.project).toBe('prod-platform');
    // The Application's wave is the lowest wave it deploys: namespaces first.
    expect(platform.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe(String(SyncWave.NAMESPACE));
    const serving = apps[1];
    expect(serving.spec.project).toBe('prod-ml-team');
    expect(serving.spec.destination.namespace).toBe('ml-team');
    expect(serving.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe(String(SyncWave.WORKLOAD));
    expect(serving.spec.ignoreDifferences).toEqual([{ group: 'apps', kind: 'Deployment', name: 'vllm', namespace: 'ml-team', jsonPointers: ['/spec/replicas'] }]);
    const projects = manifests.filter((m) => m.kind === 'AppProject');
    expect(projects.map((p) => [p.metadata.name, p.metadata.annotations['argocd.argoproj.io/sync-wave']])).toEqual([['prod-ml-team', '-30'], ['prod-platform', '-30']]);
    // Every object got a default wave.
    const ns = manifests.find((m) => m.kind === 'Namespace');
    expect(ns.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-20');
    expect(env.applications.map((a) => a.folder)).toEqual(['prod/platform', 'prod/serving']);
  });

  test('Argo CD objects validate against the CRD schemas', () => {
    const { app } = build();
    const argo = synth(app).filter((m) => m.apiVersion === 'argoproj.io/v1alpha1');
    expect(argo.length).toBe(5);
    // Only the Argo CD objects: the test Deployment has no containers.
    const { expectValid } = require('../harness');
    expectValid(argo);
  });

  test('ApplicationSet mode: one ApplicationSet instead of child Applications', () => {
    const { app } = build(true);
    const manifests = synth(app);
    expect(manifests.filter((m) => m.kind === 'Application').map((a) => a.metadata.name)).toEqual(['prod-root']);
    const set = manifests.find((m) => m.kind === 'ApplicationSet');
    expect(set.metadata.name).toBe('prod-apps');
    expect(set.spec.generators[0].list.elements.map((e: any) => [e.name, e.path, e.project, e.namespace, e.syncWave, e.syncWaveLabel])).toEqual([
      ['prod-platform', 'dist/prod/platform', 'prod-platform', '', '-20', 'minus-20'],
      ['prod-serving', 'dist/prod/serving', 'prod-ml-team', 'ml-team', '0', '0'],
    ]);
    // In wave order by default (RollingSync): the platform's namespaces, then the tenant's workloads.
    expect(set.spec.strategy.type).toBe('RollingSync');
    expect(set.spec.strategy.rollingSync.steps.map((st: any) => st.matchExpressions[0].values)).toEqual([['minus-20'], ['0']]);
    const { expectValid } = require('../harness');
    expectValid(manifests.filter((m) => m.apiVersion === 'argoproj.io/v1alpha1'));
  });

  test('a tenant Application may not deploy platform-owned kinds (also in ApplicationSet mode)', () => {
    for (const mode of [false, true]) {
      const { app, serving } = build(mode);
      new k8s.KubeResourceQuota(serving, 'q', { metadata: { name: 'q', namespace: 'ml-team' } });
      expect(() => synth(app)).toThrow(/\[serving\/q\] project: given "ResourceQuota\/q in Application \\"prod-serving\\""; allowed: no ResourceQuota, LimitRange, NetworkPolicy, ServiceAccount, Secret, Role, RoleBinding in tenant project "prod-ml-team"/);
    }
  });

  test('a service\'s NetworkPolicies, ServiceAccount and RBAC in a tenant chart go to a platform companion Application', () => {
    for (const mode of [false, true]) {
      const { app, serving } = build(mode);
      new k8s.KubeNetworkPolicy(serving, 'np', { metadata: { name: 'vllm', namespace: 'ml-team' }, spec: { podSelector: { matchLabels: { app: 'vllm' } } } });
      new k8s.KubeServiceAccount(serving, 'sa', { metadata: { name: 'vllm', namespace: 'ml-team' } });
      const folders = app.synthFolders();
      const kinds = (f: string) => folders.find((x) => x.folder === f)!.objects.map((o) => o.manifest.kind);
      expect(kinds('prod/serving')).toEqual(['Deployment']);
      expect(kinds('prod/serving-platform')).toEqual(['NetworkPolicy', 'ServiceAccount']);
      const apps = folders.find((x) => x.folder === 'prod/apps')!.objects.map((o) => o.manifest);
      if (!mode) {
        const companion = apps.find((m) => m.kind === 'Application' && m.metadata.name === 'prod-serving-platform');
        expect(companion.spec).toMatchObject({ project: 'prod-platform', source: { path: 'dist/prod/serving-platform' } });
        // Before the tenant's Application (wave 0): its objects are at the policy wave.
        expect(companion.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-10');
        expect(companion.spec.syncPolicy.syncOptions).toEqual(['ServerSideApply=true']);
      } else {
        const set = apps.find((m) => m.kind === 'ApplicationSet');
        const companion = set.spec.generators[0].list.elements.find((e: any) => e.name === 'prod-serving-platform');
        expect(companion).toMatchObject({ path: 'dist/prod/serving-platform', project: 'prod-platform', namespace: '', syncWave: '-10' });
        expect(companion.syncPolicy.syncOptions).toEqual(['ServerSideApply=true']);
      }
    }
  });

  test('a tenant chart\'s NetworkPolicy needs a platform project to go to', () => {
    const app = new GitOpsApp({ repoUrl: REPO });
    const env = new Environment(app, 'prod');
    const serving = env.addApplication('serving', { project: env.addTenantProject(tenant(app, 'ml-team')), namespace: 'ml-team' });
    new k8s.KubeNetworkPolicy(serving, 'np', { metadata: { name: 'vllm', namespace: 'ml-team' }, spec: { podSelector: {} } });
    expect(() => app.synthFolders()).toThrow('[serving] project: given "prod-ml-team (its NetworkPolicies, ServiceAccounts or RBAC go to a platform companion Application \\"prod-serving-platform\\")"; allowed: an environment with a platform project (Environment.addPlatformProject()) to own them');
  });

  test('two Applications may not manage the same object', () => {
    const { app, serving } = build();
    new k8s.KubeNamespace(serving, 'ns', { metadata: { name: 'ml-team' } });
    expect(() => synth(app)).toThrow(/an object only one Application manages \(also in Application "prod-platform" of environment "prod"\)/);
  });

  test('addApplicationForChart: a chart a builder made in the environment becomes an Application', () => {
    const { app, env, mlProject } = build();
    const { Chart } = require('cdk8s');
    const chart = new Chart(env, 'inference-ml-team');
    new k8s.KubeConfigMap(chart, 'cm', { metadata: { name: 'cm', namespace: 'ml-team' } });
    const nested = new Chart(chart, 'nested');
    new k8s.KubeConfigMap(nested, 'cm2', { metadata: { name: 'cm2', namespace: 'ml-team' } });
    const info = env.addApplicationForChart(chart, { project: mlProject, namespace: 'ml-team' });
    expect(info.folder).toBe('prod/inference-ml-team');
    const folder = app.synthFolders().find((f) => f.folder === 'prod/inference-ml-team')!;
    expect(folder.objects.map((o) => o.fileName)).toEqual(['configmap-cm.yaml', 'configmap-cm2.yaml']);
    const a = app.synthManifests().find((m) => m.kind === 'Application' && m.metadata.name === 'prod-inference-ml-team');
    expect(a.spec).toMatchObject({ project: 'prod-ml-team', source: { path: 'dist/prod/inference-ml-team' } });
    expect(() => env.addApplicationForChart(chart)).toThrow('[prod] addApplicationForChart.chart: given "inference-ml-team"; allowed: a chart that is not an Application yet');
    expect(() => env.addApplicationForChart(nested)).toThrow('[prod] addApplicationForChart.chart: given "inference-ml-team/nested"; allowed: a top-level Chart (in no other chart) of environment "prod"');
  });

  describe('errors', () => {
    test('environment name not a DNS label', () => {
      const app = new GitOpsApp({ repoUrl: REPO });
      expect(() => new Environment(app, 'Prod_EU')).toThrow(/\[Prod_EU\] name: given "Prod_EU"; allowed: a DNS-1123 label of at most 30 characters/);
    });
    test('duplicate environment names', () => {
      const app = new GitOpsApp({ repoUrl: REPO });
      new Environment(app, 'a', { name: 'prod' });
      expect(() => new Environment(app, 'b', { name: 'prod' })).toThrow('[b] name: given "prod"; allowed: a name no other environment of the GitOpsApp uses');
    });
    test('duplicate application names', () => {
      const { env } = build();
      expect(() => env.addApplication('serving2', { name: 'serving' }))
        .toThrow('[prod] addApplication("serving2").name: given "serving"; allowed: a name no other Application of environment "prod" uses (serving has it)');
    });
    test('reserved application names', () => {
      const { env } = build();
      expect(() => env.addApplication('apps')).toThrow('[prod] addApplication("apps").name: given "apps"; allowed: a name other than "apps", "root" (folders of the environment)');
    });
    test('application name not a DNS label', () => {
      const { env } = build();
      expect(() => env.addApplication('x', { name: 'My App' })).toThrow(/\[prod\] addApplication\("x"\).name: given "My App"; allowed: a DNS-1123 label/);
    });
    test('environment outside a GitOpsApp', () => {
      const { App } = require('cdk8s');
      expect(() => new Environment(new App() as any, 'dev')).toThrow(/\[dev\] scope: given .*; allowed: a GitOpsApp/);
    });
    test('targetRevision', () => {
      const app = new GitOpsApp({ repoUrl: REPO });
      expect(() => new Environment(app, 'dev', { targetRevision: 'a b' })).toThrow('[dev] targetRevision: given "a b"; allowed: a Git revision: HEAD, a branch, a tag or a commit SHA');
    });
  });

  test('an environment validates on its own with the harness (one cluster)', () => {
    const { app, env } = build();
    expect(synth(env)).toEqual(app.synthManifests());
  });

  test('the whole environment passes the harness when its workloads are real', () => {
    const app = new GitOpsApp({ repoUrl: REPO });
    const env = new Environment(app, 'dev');
    const c = env.addApplication('config', { project: env.addPlatformProject() });
    new k8s.KubeNamespace(c, 'ns', { metadata: { name: 'ml-team' } });
    new k8s.KubeConfigMap(c, 'cm', { metadata: { name: 'cm', namespace: 'ml-team' }, data: { a: 'b' } });
    const manifests = synthValid(app);
    expect(manifests.map((m) => m.kind)).toEqual(['AppProject', 'Application', 'Namespace', 'ConfigMap', 'Application']);
  });
});
