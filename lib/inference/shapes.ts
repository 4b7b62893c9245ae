// Runtime shapes of the inference props (see lib/core/validate.ts).
import { arr, bool, dns1035, dnsLabel, instance, int, labels, lazy, num, opt, shape, Shape, str, duration, tenant } from '../core/validate';
import { ServingEngine } from '../serving/engine';
import { gpuRequest, modelServerOptionsShape, placement } from '../serving/shapes';
import { Autoscaling } from './autoscaling';
import type { GpuInferenceServiceProps } from './gpu-inference-service';
import { AntiAffinity, ClientPeer, MetricsMonitor, ModelCache, RolloutStrategy, ServingWorkloadKind } from './options';
import type { PrometheusAdapterRulesProps } from './prometheus-adapter-rules';

export const gpuInferenceServiceShape = lazy((): Shape<GpuInferenceServiceProps> => ({
  ...modelServerOptionsShape(),
  // The name is also the Service's, so a DNS-1035 label; 52 leaves room for the StatefulSet's revision label.
  name: dns1035(52),
  namespace: opt(dnsLabel()),
  tenant: opt(tenant),
  engine: opt(instance(ServingEngine)),
  gpu: gpuRequest,
  nodesPerReplica: opt(num()),
  modelCache: opt(instance(ModelCache)),
  modelDownload: opt(bool),
  workloadKind: opt(instance(ServingWorkloadKind)),
  replicas: opt(num()),
  autoscaling: opt(instance(Autoscaling)),
  rollout: opt(instance(RolloutStrategy)),
  progressDeadline: opt(duration()),
  nodePoolSize: opt(int(1)),
  spread: opt(bool),
  antiAffinity: opt(instance(AntiAffinity)),
  podDisruptionBudget: opt(bool),
  clients: opt(arr(instance(ClientPeer))),
  monitoringNamespace: opt(dnsLabel()),
  networkPolicy: opt(bool),
  monitor: opt(instance(MetricsMonitor)),
  placement: opt(placement),
  partOf: opt(str()),
  labels: opt(labels),
}));

export const prometheusAdapterRulesShape = lazy((): Shape<PrometheusAdapterRulesProps> => ({
  name: opt(str()),
  namespace: opt(str()),
  configKey: opt(str()),
  additionalSeries: opt(arr(str())),
  labels: opt(labels),
}));

export { shape };
