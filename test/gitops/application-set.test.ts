import { Chart, Testing } from 'cdk8s';
import { ApplicationSet } from '../../lib/gitops';
import { synth, synthValid } from '../harness';

const REPO = 'https://github.com/example/platform.git';

describe('ApplicationSet', () => {
  test('list generator + Go template, one Application per element', () => {
    const chart = new Chart(Testing.app(), 'apps');
    const set = new ApplicationSet(chart, 's', {
      name: 'prod-apps', repoUrl: REPO, targetRevision: 'main',
      elements: [{ name: 'prod-platform', path: 'dist/prod/platform', project: 'prod-platform', syncWave: -20 }],
    });
    set.addElement({ name: 'prod-serving', path: 'dist/prod/serving', project: 'prod-ml-team', namespace: 'ml-team' });
    set.replaceIgnoreDifferences([{ group: 'apps', kind: 'Deployment', name: 'vllm', jsonPointers: ['/spec/replicas'] }]);
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const spec = manifests[0].spec;
    expect(spec.goTemplate).toBe(true);
    expect(spec.generators[0].list.elements).toEqual([
      { name: 'prod-platform', path: 'dist/prod/platform', project: 'prod-platform', namespace: '', syncWave: '-20' },
      { name: 'prod-serving', path: 'dist/prod/serving', project: 'prod-ml-team', namespace: 'ml-team', syncWave: '0' },
    ]);
    expect(spec.template.metadata.name).toBe('{{.name}}');
    expect(spec.template.spec.source).toEqual({ repoURL: REPO, targetRevision: 'main', path: '{{.path}}' });
    expect(spec.template.spec.ignoreDifferences).toEqual([{ group: 'apps', kind: 'Deployment', name: 'vllm', jsonPointers: ['/spec/replicas'] }]);
    expect(spec.template.spec.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
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
    test('invalid repo URL', () => {
      const chart = new Chart(Testing.app(), 'apps');
      expect(() => new ApplicationSet(chart, 's', { name: 'x', repoUrl: 'example.com/x' }))
        .toThrow(/\[apps\/s\] repoUrl: given "example.com\/x"; allowed: a Git repository URL/);
    });
  });
});
