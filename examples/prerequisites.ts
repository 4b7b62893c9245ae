import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterPrerequisites, Prerequisite } from '../lib/core';
import { PlatformPriorityClass } from '../lib/serving';

/** The PriorityClass inference services use to preempt batch work. */
export const INFERENCE_PRIORITY_CLASS = 'inference-high';

/**
 * What the example platform creates itself (the `inference-high` PriorityClass, in chart `platform-scheduling`)
 * and what it declares as cluster prerequisites: the controllers and CRDs it uses, the GPU device plugin, the
 * metrics API, the shared Gateway, the RWX StorageClass and the tenants' HF token Secrets. The synth fails on a
 * reference to anything else, and writes the list to `<env>/PREREQUISITES.md`.
 */
export function buildPrerequisites(scope: Construct): void {
  const chart = new Chart(scope, 'platform-scheduling');
  new PlatformPriorityClass(chart, 'inference-high', {
    name: INFERENCE_PRIORITY_CLASS,
    value: 100000,
    description: 'Online inference: preempts batch and best-effort GPU work',
  });
  new ClusterPrerequisites(scope, 'prerequisites', {
    declared: [
      Prerequisite.customResource('RoleBasedGroup', 'workloads.x-k8s.io', 'RBG controller (sgl-project/rbg)'),
      Prerequisite.customResource('LeaderWorkerSet', 'leaderworkerset.x-k8s.io', 'LWS controller'),
      Prerequisite.customResource('PodGroup', 'scheduling.x-k8s.io', 'scheduler-plugins (coscheduling)'),
      Prerequisite.scheduler('scheduler-plugins-scheduler'),
      Prerequisite.customResource('Rollout', 'argoproj.io', 'Argo Rollouts'),
      Prerequisite.customResource('AnalysisTemplate', 'argoproj.io', 'Argo Rollouts'),
      Prerequisite.rolloutsPlugin('argoproj-labs/gatewayAPI'),
      Prerequisite.customResource('HTTPRoute', 'gateway.networking.k8s.io', 'Gateway API CRDs and an implementation'),
      Prerequisite.gateway('gateway-system', 'inference'),
      Prerequisite.customResource('ServiceMonitor', 'monitoring.coreos.com', 'Prometheus Operator'),
      Prerequisite.customResource('PodMonitor', 'monitoring.coreos.com', 'Prometheus Operator'),
      Prerequisite.metricsApi('custom.metrics.k8s.io', 'Prometheus Adapter, with the rules of monitoring-adapter-rules'),
      Prerequisite.extendedResource('nvidia.com/gpu', 'NVIDIA GPU Operator / device plugin; GPU Feature Discovery labels nvidia.com/gpu.product'),
      Prerequisite.storageClass('shared-rwx', 'ReadWriteMany; must honour fsGroup or be writable by UID/GID 1000 (docs/prerequisites.md)'),
      Prerequisite.secret('ml-team', 'hf-token'),
      Prerequisite.secret('llm-serving', 'hf-token'),
      // staging's ApplicationSet syncs its Applications in wave order with RollingSync.
      Prerequisite.argoCdProgressiveSyncs(),
    ],
  });
}
