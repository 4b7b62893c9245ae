import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart } from 'cdk8s';
import { ClusterPrerequisites, Prerequisite } from '../../lib/core/prerequisites';
import { k8s } from '../../lib/core/k8s';
import { Environment, GitOpsApp } from '../../lib/gitops';
import { PlatformPriorityClass } from '../../lib/serving/priority-class';

function env(outdir?: string): { app: GitOpsApp; env: Environment; chart: Chart } {
  const app = new GitOpsApp({ repoUrl: 'https://github.com/example/gitops.git', outdir });
  const e = new Environment(app, 'dev');
  const chart = new Chart(e, 'serving');
  e.addApplicationForChart(chart);
  return { app, env: e, chart };
}

function pod(chart: Chart, extra: Partial<k8s.PodSpec>): void {
  new k8s.KubeDeployment(chart, 'd', {
    metadata: { name: 'web', namespace: 'team' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [{
            name: 'c', image: 'nginx:1.27',
            env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'hf-token', key: 'token' } } }],
            resources: { limits: { 'nvidia.com/gpu': k8s.Quantity.fromNumber(1) } },
          }],
          ...extra,
        },
      },
    },
  });
}

describe('cluster prerequisites', () => {
  test('a reference neither created nor declared fails the synth, naming each one and how to fix it', () => {
    const { env: e, chart } = env();
    pod(chart, { priorityClassName: 'inference-high', schedulerName: 'volcano' });
    expect(() => e.synthFolders()).toThrow(/\[dev\] cluster prerequisites: the output references 4 object\(s\) it neither creates nor declares:\n {2}Extended resource "nvidia.com\/gpu" \(referenced by Deployment\/team\/web\)\n {2}PriorityClass "inference-high".*\n {2}Scheduler "volcano".*\n {2}Secret "team\/hf-token".*\nallowed: create it in the tree \(e.g. PlatformPriorityClass\) or declare it/);
  });

  test('created in the tree or declared: the synth passes and lists what the cluster must provide', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'prereq-'));
    const { app, env: e, chart } = env(out);
    pod(chart, { priorityClassName: 'inference-high' });
    new PlatformPriorityClass(chart, 'pc', { name: 'inference-high', value: 1000 });
    new ClusterPrerequisites(e, 'prereq', { declared: [Prerequisite.secret('team', 'hf-token'), Prerequisite.extendedResource('nvidia.com/gpu', 'GPU Operator')] });
    app.synth();
    const list = fs.readFileSync(path.join(out, 'dev', 'PREREQUISITES.md'), 'utf8');
    expect(list).toContain('| Extended resource | `nvidia.com/gpu` | GPU Operator | 1 object(s), e.g. `Deployment/team/web` |');
    expect(list).toContain('| Secret | `team/hf-token` |');
    expect(list).not.toContain('inference-high');
    fs.rmSync(out, { recursive: true, force: true });
  });

  test('custom resources need their CRD and controller; Argo CD kinds are the deployer itself', () => {
    const { env: e, chart } = env();
    const { ApiObject } = require('cdk8s');
    new ApiObject(chart, 'lws', { apiVersion: 'leaderworkerset.x-k8s.io/v1', kind: 'LeaderWorkerSet', metadata: { name: 'a', namespace: 'team' }, spec: {} });
    expect(() => e.synthFolders()).toThrow('Custom resource "LeaderWorkerSet.leaderworkerset.x-k8s.io"');
    new ClusterPrerequisites(e, 'p', { declared: [Prerequisite.customResource('LeaderWorkerSet', 'leaderworkerset.x-k8s.io')] });
    expect(e.synthFolders().length).toBeGreaterThan(0);
  });

  test('Argo CD: an Application on a Config Management Plugin, an ApplicationSet with RollingSync', () => {
    const app = new GitOpsApp({ repoUrl: 'https://github.com/example/gitops.git' });
    const e = new Environment(app, 'dev', { useApplicationSet: true });
    new k8s.KubeNamespace(e.addApplication('base'), 'ns', { metadata: { name: 'team' } });
    expect(() => e.synthFolders()).toThrow(/Argo CD setting "applicationsetcontroller\.enable\.progressive\.syncs" \(referenced by ApplicationSet\/argocd\/dev-apps\)/);
    new ClusterPrerequisites(e, 'p', { declared: [Prerequisite.argoCdProgressiveSyncs()] });
    expect(e.synthFolders().length).toBeGreaterThan(0);
    expect(e._prerequisites.map((u) => [u.kind, u.name, u.declared])).toEqual([['Argo CD setting', 'applicationsetcontroller.enable.progressive.syncs', true]]);

    // pluginSource declares the plugin it names (with where its sidecar comes from); an Application naming
    // another plugin must declare it.
    const app2 = new GitOpsApp({ repoUrl: 'https://github.com/example/gitops.git' });
    const plugin = app2.addConfigManagementPlugin();
    const dev = new Environment(app2, 'dev', { pluginSource: { plugin } });
    new k8s.KubeNamespace(dev.addApplication('base'), 'ns', { metadata: { name: 'team' } });
    dev.synthFolders();
    expect(dev._prerequisites).toEqual([expect.objectContaining({
      kind: 'Argo CD Config Management Plugin', name: 'cdk8s-v1.0', declared: true,
      note: 'the argocd-repo-server sidecar of argocd-cmp/ (kubectl apply --server-side -k)',
    })]);
    const { Application } = require('../../lib/gitops');
    const prod = new Environment(app2, 'prod');
    new Application(prod.appsChart, 'extra', { name: 'extra', repoUrl: 'https://github.com/example/gitops.git', path: '.', plugin: { name: 'kustomize-helm-v1' } });
    expect(() => prod.synthFolders()).toThrow(/Argo CD Config Management Plugin "kustomize-helm-v1" \(referenced by Application\/argocd\/extra\)/);
  });

  test('bad declarations', () => {
    const { env: e } = env();
    expect(() => new ClusterPrerequisites(e, 'p', { declared: ['inference-high' as any] })).toThrow(
      '[p] declared[0]: given "inference-high"; allowed: a Prerequisite from a Prerequisite.* factory');
  });
});

describe('PlatformPriorityClass', () => {
  test('emits a cluster-scoped PriorityClass in the namespace wave', () => {
    const { chart } = env();
    const pc = new PlatformPriorityClass(chart, 'pc', { name: 'inference-high', value: 100000, description: 'online inference', preempt: false });
    const json = pc.apiObject.toJson();
    expect(json).toMatchObject({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'inference-high' }, value: 100000, globalDefault: false, preemptionPolicy: 'Never' });
    expect(json.metadata.namespace).toBeUndefined();
    expect(json.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-20');
  });
  test('errors', () => {
    const { chart } = env();
    expect(() => new PlatformPriorityClass(chart, 'a', { name: 'system-high', value: 1 })).toThrow('name: given "system-high"; allowed: a name not starting with "system-"');
    expect(() => new PlatformPriorityClass(chart, 'b', { name: 'x', value: 2_000_000_000 })).toThrow('value: given 2000000000; allowed: an integer from -1000000000 to 1000000000');
  });
});
