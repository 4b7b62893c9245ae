import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { SyncWave } from '../../lib/core';
import { setSyncWave, setSyncWaveAll, SYNC_WAVE_ANNOTATION } from '../../lib/core/sync-wave';
import { k8s } from '../../lib/core/k8s';
import { synth } from '../harness';

const wave = (m: any) => m.metadata.annotations?.[SYNC_WAVE_ANNOTATION];

test('the waves are ordered namespace < policy < config < workload < rollout', () => {
  expect(SYNC_WAVE_ANNOTATION).toBe('argocd.argoproj.io/sync-wave');
  const order = [SyncWave.NAMESPACE, SyncWave.POLICY, SyncWave.CONFIG, SyncWave.WORKLOAD, SyncWave.ROLLOUT];
  expect([...order].sort((a, b) => a - b)).toEqual(order);
  expect(new Set(order).size).toBe(order.length);
});

test('setSyncWave writes the annotation as a string', () => {
  const chart = new Chart(Testing.app(), 'chart');
  const ns = new k8s.KubeNamespace(chart, 'ns', { metadata: { name: 'a' } });
  setSyncWave(ns, SyncWave.NAMESPACE);
  expect(wave(synth(chart)[0])).toBe('-20');
});

test('setSyncWaveAll sets every object under the scope that has no wave yet', () => {
  const chart = new Chart(Testing.app(), 'chart');
  const group = new Construct(chart, 'group');
  const ns = new k8s.KubeNamespace(group, 'ns', { metadata: { name: 'a' } });
  new k8s.KubeConfigMap(group, 'cm', { metadata: { name: 'cm', namespace: 'a' } });
  new k8s.KubeConfigMap(new Construct(group, 'nested'), 'cm', { metadata: { name: 'cm2', namespace: 'a' } });
  new k8s.KubeConfigMap(chart, 'outside', { metadata: { name: 'outside', namespace: 'a' } });
  setSyncWave(ns, SyncWave.NAMESPACE);
  setSyncWaveAll(group, SyncWave.CONFIG);
  const byName = Object.fromEntries(synth(chart).map((m) => [m.metadata.name, wave(m)]));
  expect(byName).toEqual({ a: '-20', cm: '-5', cm2: '-5', outside: undefined });
});
