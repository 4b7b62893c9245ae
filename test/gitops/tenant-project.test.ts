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
  test('allowedKinds can never name a kind that grants access', () => {
    const chart = new Chart(Testing.app(), 'argo');
    expect(() => new TenantProject(chart, 'p', { tenant: tenant(chart), sourceRepos: [REPO], allowedKinds: [{ group: 'rbac.authorization.k8s.io', kind: 'RoleBinding' }] }))
      .toThrow('[argo/p] allowedKinds[0]: given "rbac.authorization.k8s.io/RoleBinding"; allowed: no kind that grants access (Role, RoleBinding, ClusterRole, ClusterRoleBinding, ServiceAccount, Secret): a tenant Application could bind itself any role; the platform deploys them');
    expect(() => new TenantProject(chart, 'q', { name: 'ml', namespaces: ['ml'], sourceRepos: [REPO], allowedKinds: [{ group: '*', kind: '*' }] }))
      .toThrow('[argo/q] allowedKinds[0]: given {"group":"*","kind":"*"}; allowed: a { group, kind } pair without wildcards');
  });

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
    // Everything that grants or widens access stays with the platform (finding 4: no RoleBinding to admin).
    expect(spec.namespaceResourceBlacklist).toEqual([
      { group: '', kind: 'ResourceQuota' }, { group: '', kind: 'LimitRange' }, { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
      { group: '', kind: 'ServiceAccount' }, { group: '', kind: 'Secret' },
      { group: 'rbac.authorization.k8s.io', kind: 'Role' }, { group: 'rbac.authorization.k8s.io', kind: 'RoleBinding' },
    ]);
    // Only the workload and delivery kinds are allowed at all.
    expect(spec.namespaceResourceWhitelist).toEqual(TenantProject.TENANT_KINDS.map((k) => ({ group: k.group, kind: k.kind })));
    expect(spec.namespaceResourceWhitelist.map((k: any) => k.kind)).toEqual(expect.arrayContaining(['Deployment', 'RoleBasedGroup', 'Rollout', 'HTTPRoute', 'HorizontalPodAutoscaler']));
    for (const k of ['Role', 'RoleBinding', 'ServiceAccount', 'Secret', 'NetworkPolicy', 'ResourceQuota']) {
      expect(spec.namespaceResourceWhitelist.map((w: any) => w.kind)).not.toContain(k);
    }
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
