import { readFileSync } from 'fs';
import { join } from 'path';
import { Chart, Testing } from 'cdk8s';
import { Warnings } from '../../lib/core/errors';
import { TenantNamespace, TenantRole, TenantSubject } from '../../lib/tenancy';
import { synthValid } from '../harness';
import { allows, capabilities, GUARDRAILS, POD_CREATORS, Rule } from './rbac-evaluator';

const ROLES = ['tenant-admin', 'tenant-developer', 'tenant-viewer'];

/** The Roles a default TenantNamespace synthesizes, by name. */
function synthesizedRoles(): Map<string, Rule[]> {
  const chart = new Chart(Testing.app(), 'test');
  new TenantNamespace(chart, 'tenant', { name: 'team' });
  const roles = synthValid(chart).filter((o) => o.kind === 'Role');
  return new Map(roles.map((r) => [r.metadata.name, r.rules]));
}

/** The effective-permission table of docs/tenancy.md: row label -> [admin, developer, viewer]. */
function documentedTable(): Array<[string, string[]]> {
  const doc = readFileSync(join(__dirname, '../../docs/tenancy.md'), 'utf8');
  const start = doc.indexOf('<!-- effective-permissions:start -->');
  const end = doc.indexOf('<!-- effective-permissions:end -->');
  expect([start >= 0, end > start]).toEqual([true, true]);
  return doc.slice(start, end).split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| what ') && !l.startsWith('|---'))
    .map((l) => l.split('|').slice(1, -1).map((c) => c.trim()))
    .map((cells) => [cells[0], cells.slice(1, 4)]);
}

describe('effective permissions of the tenant roles', () => {
  test('docs/tenancy.md states what the RBAC evaluator finds, row by row', () => {
    const roles = synthesizedRoles();
    expect([...roles.keys()]).toEqual(ROLES);
    const computed = capabilities([]).map((c, i) => [c.what, ROLES.map((r) => (capabilities(roles.get(r)!)[i].via.length > 0 ? 'can' : 'cannot'))]);
    expect(documentedTable()).toEqual(computed);
  });

  test('the paths behind the table', () => {
    const roles = synthesizedRoles();
    const via = (role: string, row: number) => capabilities(roles.get(role)!)[row].via;
    // Secrets: the admin reads them directly; the developer only through a Deployment's pod template.
    expect(via('tenant-admin', 0)).toEqual(['get secrets', 'list secrets', 'watch secrets']);
    expect(via('tenant-developer', 1)).toEqual(['create apps/deployments', 'update apps/deployments', 'patch apps/deployments']);
    expect(via('tenant-admin', 3)).toEqual(['create pods/exec', 'get pods/exec']);
    for (const role of ROLES) {
      // Nobody mints tokens, binds, escalates or touches a guardrail.
      for (const row of [4, 5, 6, 7]) expect([role, row, via(role, row)]).toEqual([role, row, []]);
    }
    expect(ROLES.map((r) => via(r, 8).length > 0)).toEqual([true, false, false]);
  });

  test('the evaluator follows RBAC matching: wildcards, subresources, resourceNames', () => {
    expect(allows([{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }], 'create', 'rbac.authorization.k8s.io', 'rolebindings')).toBe(true);
    expect(allows([{ apiGroups: [''], resources: ['pods'], verbs: ['create'] }], 'create', '', 'pods/exec')).toBe(false);
    expect(allows([{ apiGroups: [''], resources: ['pods/*'], verbs: ['create'] }], 'create', '', 'pods/exec')).toBe(true);
    expect(allows([{ apiGroups: [''], resources: ['*/exec'], verbs: ['create'] }], 'create', '', 'pods/exec')).toBe(true);
    expect(allows([{ apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['one'] }], 'get', '', 'secrets')).toBe(false);
    expect(allows([{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] }], 'get', '', 'deployments')).toBe(false);
    // A cluster-admin-like rule set can do everything the table asks about.
    const all = capabilities([{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]);
    expect(all.every((c) => c.via.length > 0)).toBe(true);
    expect(POD_CREATORS.length).toBeGreaterThan(8);
    expect(GUARDRAILS.map(([, r]) => r)).toContain('networkpolicies');
  });

  test('an in-namespace ServiceAccount bound to tenant-admin is assumable by developers: a warning, unless admission keeps pods off it', () => {
    const make = (extra: object) => {
      const chart = new Chart(Testing.app(), 'test');
      const t = new TenantNamespace(chart, 'tenant', {
        name: 'team', admins: [TenantSubject.serviceAccount('ci')], developers: [TenantSubject.user('dev@example.com')], ...extra,
      });
      return Warnings.of(t);
    };
    expect(make({})).toEqual([expect.stringContaining('admins: ServiceAccount team/ci is bound to tenant-admin in the tenant\'s own namespace, so any developer can act as admin')]);
    expect(make({ admissionPolicies: {} })).toEqual([]);
    expect(make({ admissionPolicies: { allowedServiceAccounts: ['default', 'ci'] } })).toHaveLength(1);
    expect(make({ admins: [TenantSubject.serviceAccount('ci', 'ci-system')] })).toEqual([]);
  });

  test('TenantRole rules are the synthesized ones', () => {
    const roles = synthesizedRoles();
    expect(TenantRole.ALL.map((r) => [r.roleName, r.rules])).toEqual(ROLES.map((n) => [n, roles.get(n)]));
  });
});
