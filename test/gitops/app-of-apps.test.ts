import { Chart, Testing } from 'cdk8s';
import { AppOfApps, SyncOption } from '../../lib/gitops';
import { synthValid } from '../harness';

const REPO = 'https://github.com/example/platform.git';

describe('AppOfApps', () => {
  test('root Application of an environment points at its apps folder', () => {
    const chart = new Chart(Testing.app(), 'root');
    const root = new AppOfApps(chart, 'r', { environment: 'prod', repoUrl: REPO, path: 'dist/prod/apps', targetRevision: 'release-1' });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const a = manifests[0];
    expect(a.metadata.name).toBe('prod-root');
    expect(a.spec.project).toBe('default');
    expect(a.spec.source).toEqual({ repoURL: REPO, path: 'dist/prod/apps', targetRevision: 'release-1' });
    expect(a.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'argocd' });
    expect(a.spec.syncPolicy.syncOptions).toEqual(['PruneLast=true']);
    expect(a.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    expect(root.application.applicationName).toBe('prod-root');
  });

  test('name and sync options can be set', () => {
    const chart = new Chart(Testing.app(), 'root');
    new AppOfApps(chart, 'r', { environment: 'dev', name: 'bootstrap', repoUrl: REPO, path: 'dist/dev/apps', syncOptions: [SyncOption.SERVER_SIDE_APPLY] });
    const a = synthValid(chart)[0];
    expect(a.metadata.name).toBe('bootstrap');
    expect(a.spec.syncPolicy.syncOptions).toEqual(['ServerSideApply=true']);
  });

  test('errors', () => {
    const chart = new Chart(Testing.app(), 'root');
    expect(() => new AppOfApps(chart, 'a', { environment: 'Prod', repoUrl: REPO, path: 'dist/prod/apps' }))
      .toThrow(/\[root\/a\] environment: given "Prod"; allowed: a DNS-1123 label/);
    expect(() => new AppOfApps(chart, 'b', { environment: 'prod', repoUrl: 'nope', path: 'dist/prod/apps' }))
      .toThrow(/\[root\/b\/Application\] repoUrl: given "nope"; allowed: a Git repository URL/);
  });
});
