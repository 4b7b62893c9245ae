import { ApiObject, Chart, Testing } from 'cdk8s';
import * as api from '../lib';
import { SYNC_WAVE_ANNOTATION } from '../lib/core/sync-wave';
import { SLOT_LABEL, TRACK_LABEL, VERSION_LABEL } from '../lib/delivery/native-canary';
import { GATEWAY_API_PLUGIN } from '../lib/delivery/traffic-routing';
import { CMP_APPLICATION_VAR, CMP_ENVIRONMENT_VAR } from '../lib/gitops/config-management-plugin';
import { PROJECT_SYNC_WAVE } from '../lib/gitops/project';
import { MODEL_HUB_EGRESS_EXCEPT, ROLE_LABEL } from '../lib/inference/gpu-inference-service';
import { HTTP_PORT_NAME, METRICS_PORT_NAME } from '../lib/serving/model-server-pod';
import { METADATA_CIDRS_V4, PRIVATE_CIDRS_V4 } from '../lib/tenancy/tenant-namespace';
import { SCHEDULER_PLUGINS_POD_GROUP_LABEL, VOLCANO_GROUP_NAME_ANNOTATION } from '../lib/workloads/pod-group';

/**
 * jsii (used to publish the library for Python) can represent only classes, interfaces and enums: no free
 * functions, exported constants or type aliases. Interfaces vanish at runtime, so every runtime export of the
 * entry point must be a class.
 */
describe('public API', () => {
  test('every export of the entry point is a class, or a submodule of generated custom-resource classes', () => {
    const entries = Object.entries(require('../lib') as { [name: string]: unknown });
    const submodules = ['analysis', 'argocdapp', 'argocdappset', 'argocdproject', 'httproute', 'keda', 'lws', 'podmonitor',
      'rbg', 'rbgscaling', 'rollouts', 'schedplugins', 'servicemonitor', 'volcano'];
    for (const name of submodules) {
      const mod = (api as any)[name];
      expect({ name, classes: Object.values(mod).some((v) => typeof v === 'function') }).toEqual({ name, classes: true });
    }
    const offenders = entries
      .filter(([name]) => !submodules.includes(name))
      .filter(([, value]) => !(typeof value === 'function' && value.prototype !== undefined && /^[A-Z]/.test(value.name)))
      .map(([name, value]) => `${name} (${typeof value})`);
    expect(entries.length).toBeGreaterThan(50);
    if (offenders.length > 0) {
      throw new Error(`exports that are not classes (make them static members of a class, or stop re-exporting them from lib/<area>/index.ts): ${offenders.join(', ')}`);
    }
  });

  test('the static members carry the same values as the internal constants', () => {
    expect(api.SyncWave.ANNOTATION).toBe(SYNC_WAVE_ANNOTATION);
    expect(api.SyncWave.PROJECT).toBe(PROJECT_SYNC_WAVE);
    expect([api.NativeCanary.SLOT_LABEL, api.NativeCanary.TRACK_LABEL, api.NativeCanary.VERSION_LABEL]).toEqual([SLOT_LABEL, TRACK_LABEL, VERSION_LABEL]);
    expect(api.TrafficRouting.GATEWAY_API_PLUGIN).toBe(GATEWAY_API_PLUGIN);
    expect([api.ConfigManagementPlugin.ENVIRONMENT_VAR, api.ConfigManagementPlugin.APPLICATION_VAR]).toEqual([CMP_ENVIRONMENT_VAR, CMP_APPLICATION_VAR]);
    expect(api.GpuInferenceService.MODEL_HUB_EGRESS_EXCEPT).toEqual(MODEL_HUB_EGRESS_EXCEPT);
    expect(api.GpuInferenceService.ROLE_LABEL).toBe(ROLE_LABEL);
    expect([api.ModelServer.HTTP_PORT_NAME, api.ModelServer.METRICS_PORT_NAME]).toEqual([HTTP_PORT_NAME, METRICS_PORT_NAME]);
    expect(api.TenantNamespace.METADATA_CIDRS_V4).toEqual(METADATA_CIDRS_V4);
    expect(api.TenantNamespace.PRIVATE_CIDRS_V4).toEqual(PRIVATE_CIDRS_V4);
    expect(api.PodGroup.SCHEDULER_PLUGINS_POD_GROUP_LABEL).toBe(SCHEDULER_PLUGINS_POD_GROUP_LABEL);
    expect(api.PodGroup.VOLCANO_GROUP_NAME_ANNOTATION).toBe(VOLCANO_GROUP_NAME_ANNOTATION);
  });

  test('static helpers behave as documented', () => {
    expect(api.Labels.selector({ name: 'llm', component: 'server', tenant: 't' })).toEqual({
      'app.kubernetes.io/name': 'llm', 'app.kubernetes.io/instance': 'llm', 'app.kubernetes.io/component': 'server',
    });
    expect(api.Labels.standard({ name: 'llm', tenant: 't' })).toEqual({
      'app.kubernetes.io/name': 'llm', 'app.kubernetes.io/instance': 'llm',
      'app.kubernetes.io/managed-by': 'cdk8s-gpu-platform', 'gpu-platform.dev/tenant': 't',
    });
    const chart = new Chart(Testing.app(), 'c');
    const obj = new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });
    api.SyncWave.set(obj, 3);
    expect(api.Kinds.syncWaveOf(obj)).toBe(3);
    expect(api.Kinds.isNamespaced('Namespace')).toBe(false);
    expect(api.Kinds.defaultSyncWave('Namespace')).toBe(api.SyncWave.NAMESPACE);
    expect(api.Kinds.apiGroupOf('apps/v1')).toBe('apps');
    expect(api.PodSecurityDefaults.forWorkload(chart, 'security').container.readOnlyRootFilesystem).toBe(true);
    expect(api.PodSecurityDefaults.writableDirs([{ name: 'tmp', mountPath: '/tmp' }]).mounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
  });
});
