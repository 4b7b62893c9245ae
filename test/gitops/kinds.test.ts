import { ApiObject, Chart, Testing } from 'cdk8s';
import { SyncWave } from '../../lib/core';
import { setSyncWave } from '../../lib/core/sync-wave';
import { k8s } from '../../lib/core/k8s';
import { applyDefaultSyncWaves, defaultSyncWave, isNamespacedKind, syncWaveOf } from '../../lib/gitops/kinds';

describe('sync wave defaults by kind', () => {
  test('namespaces and platform policy first, then config, workloads, rollouts', () => {
    expect(defaultSyncWave('Namespace')).toBe(SyncWave.NAMESPACE);
    for (const k of ['ResourceQuota', 'LimitRange', 'NetworkPolicy', 'Role', 'RoleBinding', 'ServiceAccount']) expect(defaultSyncWave(k)).toBe(SyncWave.POLICY);
    for (const k of ['ConfigMap', 'Secret', 'PersistentVolumeClaim', 'ServiceMonitor']) expect(defaultSyncWave(k)).toBe(SyncWave.CONFIG);
    for (const k of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'LeaderWorkerSet']) expect(defaultSyncWave(k)).toBe(SyncWave.WORKLOAD);
    for (const k of ['Rollout', 'AnalysisTemplate', 'HTTPRoute']) expect(defaultSyncWave(k)).toBe(SyncWave.ROLLOUT);
    expect(SyncWave.NAMESPACE < SyncWave.POLICY && SyncWave.POLICY < SyncWave.CONFIG && SyncWave.CONFIG < SyncWave.WORKLOAD && SyncWave.WORKLOAD < SyncWave.ROLLOUT).toBe(true);
  });

  test('applyDefaultSyncWaves fills only objects without a wave', () => {
    const chart = new Chart(Testing.app(), 'c');
    new k8s.KubeNamespace(chart, 'ns', { metadata: { name: 'ml' } });
    const cm = new k8s.KubeConfigMap(chart, 'cm', { metadata: { name: 'cm', namespace: 'ml' } });
    const svc = new k8s.KubeService(chart, 'svc', { metadata: { name: 's', namespace: 'ml' } });
    setSyncWave(svc, 7);
    applyDefaultSyncWaves(chart);
    const waves = Testing.synth(chart).map((m) => [m.kind, m.metadata.annotations['argocd.argoproj.io/sync-wave']]);
    expect(waves).toEqual([['Namespace', '-20'], ['ConfigMap', '-5'], ['Service', '7']]);
    expect(syncWaveOf(cm)).toBe(-5);
    expect(syncWaveOf(new ApiObject(chart, 'x', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', namespace: 'ml' } }))).toBeUndefined();
  });

  test('cluster-scoped kinds', () => {
    expect(isNamespacedKind('Namespace')).toBe(false);
    expect(isNamespacedKind('ClusterRole')).toBe(false);
    expect(isNamespacedKind('Deployment')).toBe(true);
    expect(isNamespacedKind('SomeNewCustomKind')).toBe(true);
  });
});
