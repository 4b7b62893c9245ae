import { Chart, Testing } from 'cdk8s';
import { PlatformProject } from '../../lib/gitops';
import { synthValid } from '../harness';

const REPO = 'https://github.com/example/platform.git';

describe('PlatformProject', () => {
  test('may manage cluster-scoped kinds, from the listed repositories', () => {
    const chart = new Chart(Testing.app(), 'argo');
    const p = new PlatformProject(chart, 'p', { name: 'platform', sourceRepos: [REPO] });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    expect(manifests[0].spec.clusterResourceWhitelist).toEqual([{ group: '*', kind: '*' }]);
    expect(manifests[0].spec.destinations).toEqual([{ server: 'https://kubernetes.default.svc', namespace: '*' }]);
    expect(p.refusalFor('', 'Namespace', undefined)).toBeUndefined();
  });

  test('limited namespaces', () => {
    const chart = new Chart(Testing.app(), 'argo');
    const p = new PlatformProject(chart, 'p', { name: 'platform', sourceRepos: [REPO], namespaces: ['monitoring'] });
    expect(p.refusalFor('', 'ConfigMap', 'monitoring')).toBeUndefined();
    expect(p.refusalFor('', 'ConfigMap', 'ml')).toMatch(/namespaces monitoring in project "platform" \(given namespace "ml"\)/);
  });

  test('errors', () => {
    const chart = new Chart(Testing.app(), 'argo');
    expect(() => new PlatformProject(chart, 'a', { name: 'platform', sourceRepos: [] }))
      .toThrow('[argo/a] sourceRepos: given []; allowed: at least one Git repository URL');
    expect(() => new PlatformProject(chart, 'b', { name: 'platform', sourceRepos: [REPO], namespaces: [] }))
      .toThrow('[argo/b] namespaces: given []; allowed: at least one namespace, or "*"');
    expect(() => new PlatformProject(chart, 'c', { name: 'Platform', sourceRepos: [REPO] }))
      .toThrow(/\[argo\/c\] name: given "Platform"; allowed: a DNS-1123 label/);
  });
});
