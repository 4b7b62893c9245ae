import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { ITenant } from '../../lib/core';
import { TenantProject } from '../../lib/gitops';
import { synthValid } from '../harness';

const REPO = 'https://github.com/example/platform.git';

function tenant(scope: Construct): ITenant {
  const t = new Construct(scope, 'tenant') as any;
  return Object.assign(t, { tenantName: 'ml-team', namespaceName: 'ml-team', placement: {}, quota: {} });
}

describe('TenantProject', () => {
  test('limits destinations to the tenant namespace, no cluster kinds, platform kinds blacklisted', () => {
    const chart = new Chart(Testing.app(), 'argo');
    const p = new TenantProject(chart, 'p', { tenant: tenant(chart), sourceRepos: [REPO], adminGroups: ['ml-admins'] });
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const spec = manifests[0].spec;
    expect(manifests[0].metadata).toMatchObject({ name: 'ml-team', namespace: 'argocd', annotations: { 'argocd.argoproj.io/sync-wave': '-30' } });
    expect(spec.destinations).toEqual([{ server: 'https://kubernetes.default.svc', namespace: 'ml-team' }]);
    expect(spec.sourceRepos).toEqual([REPO]);
    expect(spec.clusterResourceWhitelist).toEqual([]);
    expect(spec.namespaceResourceBlacklist).toEqual([
      { group: '', kind: 'ResourceQuota' }, { group: '', kind: 'LimitRange' }, { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
    ]);
    expect(spec.roles[0]).toMatchObject({ name: 'admin', groups: ['ml-admins'] });
    expect(p.projectName).toBe('ml-team');
  });

  test('refusalFor: cluster-scoped, blacklisted, other namespace, allowed', () => {
    const chart = new Chart(Testing.app(), 'argo');
    const p = new TenantProject(chart, 'p', { name: 'ml', namespaces: ['ml', 'ml-batch'], sourceRepos: [REPO] });
    expect(p.refusalFor('', 'Namespace', undefined)).toMatch(/no cluster-scoped kinds/);
    expect(p.refusalFor('networking.k8s.io', 'NetworkPolicy', 'ml')).toMatch(/the platform owns them/);
    expect(p.refusalFor('', 'ConfigMap', 'other')).toMatch(/namespaces ml, ml-batch/);
    expect(p.refusalFor('apps', 'Deployment', 'ml-batch')).toBeUndefined();
  });

  describe('errors', () => {
    test('empty destinations', () => {
      const chart = new Chart(Testing.app(), 'argo');
      expect(() => new TenantProject(chart, 'p', { name: 'ml', namespaces: [], sourceRepos: [REPO] }))
        .toThrow('[argo/p] namespaces: given []; allowed: at least one namespace (the tenant namespace); an empty destination list would let the project deploy nowhere');
    });
    test('no name and no tenant', () => {
      const chart = new Chart(Testing.app(), 'argo');
      expect(() => new TenantProject(chart, 'p', { namespaces: ['ml'], sourceRepos: [REPO] }))
        .toThrow('[argo/p] name: given undefined; allowed: a project name, or a tenant to take it from');
    });
    test('empty sourceRepos', () => {
      const chart = new Chart(Testing.app(), 'argo');
      expect(() => new TenantProject(chart, 'p', { name: 'ml', namespaces: ['ml'], sourceRepos: [] }))
        .toThrow('[argo/p] sourceRepos: given []; allowed: at least one Git repository URL');
    });
    test('invalid repo URL', () => {
      const chart = new Chart(Testing.app(), 'argo');
      expect(() => new TenantProject(chart, 'p', { name: 'ml', namespaces: ['ml'], sourceRepos: ['ftp://x'] }))
        .toThrow(/\[argo\/p\] sourceRepos\[0\]: given "ftp:\/\/x"; allowed: a Git repository URL/);
    });
    test('invalid namespace', () => {
      const chart = new Chart(Testing.app(), 'argo');
      expect(() => new TenantProject(chart, 'p', { name: 'ml', namespaces: ['ML'], sourceRepos: [REPO] }))
        .toThrow(/\[argo\/p\] namespaces\[0\]: given "ML"; allowed: a DNS-1123 label/);
    });
    test('invalid admin group', () => {
      const chart = new Chart(Testing.app(), 'argo');
      expect(() => new TenantProject(chart, 'p', { name: 'ml', namespaces: ['ml'], sourceRepos: [REPO], adminGroups: ['a, b'] }))
        .toThrow('[argo/p] adminGroups[0]: given "a, b"; allowed: an SSO group name without spaces or commas');
    });
  });
});
