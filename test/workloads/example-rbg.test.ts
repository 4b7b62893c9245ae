import { Testing } from 'cdk8s';
import { buildRoleBasedGroups } from '../../examples/rbg';
import { buildTenants } from '../../examples/tenants';
import { Warnings } from '../../lib/core/errors';
import { synthValid } from '../harness';

describe('examples/rbg', () => {
  test('both seed groups pass the harness and gang-schedule only the roles that start first', () => {
    const app = Testing.app();
    buildRoleBasedGroups(app, buildTenants(app));
    const ms = synthValid(app);
    expect(Warnings.of(app)).toEqual([]); // the seed groups build without a warning
    const rbg = ms.find((m) => m.kind === 'RoleBasedGroup' && m.metadata.name === 'sglang-pd');
    // The router depends on prefill and decode: the controller's all-roles PodGroup would never fill.
    expect(rbg.spec.podGroupPolicy).toBeUndefined();
    const groups = ms.filter((m) => m.kind === 'PodGroup').map((m) => [m.metadata.name, m.spec.minMember]);
    expect(groups).toEqual([['sglang-pd-pg', 6], ['sglang-pd-native', 6]]);
  });
});
