// Bad arguments to the public static factories, which check their own arguments (there is no construct yet, so
// the message names the factory: `[PodMetric.kvCacheUsage] averageValue: given 80; allowed: ...`).
import { ApiObject, Chart, Duration } from 'cdk8s';
import { GpuResource } from '../../lib/core/gpu';
import { Storage } from '../../lib/core/quantity';
import { Prerequisite } from '../../lib/core/prerequisites';
import { SyncWave } from '../../lib/core/sync-wave';
import { NativeCanary } from '../../lib/delivery/native-canary';
import { AnalysisMetric, CanaryAnalysisTemplate } from '../../lib/delivery/analysis-template';
import { AnalysisArg, CanaryStep } from '../../lib/delivery/canary-step';
import { TrafficRouting } from '../../lib/delivery/traffic-routing';
import { WorkloadRef } from '../../lib/delivery/workload-ref';
import { Autoscaling, PodMetric } from '../../lib/inference/autoscaling';
import { ClientPeer, MetricsMonitor, ModelCache, RolloutStrategy } from '../../lib/inference/options';
import { ServingEngine } from '../../lib/serving/engine';
import { GangScheduler } from '../../lib/workloads/pod-group';
import { KvTransfer } from '../../lib/workloads/prefill-decode';
import type { BadInput } from './cases';

type Call = (chart: Chart, value: any) => unknown;

/** One case per wrong value of one factory argument. */
function arg(factory: string, prop: string, call: Call, values: Array<[string, unknown]>): BadInput[] {
  return values.map(([what, value]) => ({ name: `${factory} ${prop} ${what}`, prop, build: (c: Chart) => call(c, value) }));
}

const PROM = 'http://prometheus.monitoring:9090';
const NOT_NUMBER: Array<[string, unknown]> = [['a string', '5'], ['NaN', NaN], ['Infinity', Infinity], ['null', null], ['undefined', undefined]];
const NOT_OBJECT: Array<[string, unknown]> = [['a string', 'x'], ['a number', 3], ['an array', []], ['null', null]];
const REQUIRED_OBJECT: Array<[string, unknown]> = [...NOT_OBJECT, ['undefined', undefined]];
const NOT_STRING: Array<[string, unknown]> = [['empty', ''], ['a number', 42], ['null', null], ['undefined', undefined]];
const template = (c: Chart) => new CanaryAnalysisTemplate(c, 'at', {
  name: 'check', namespace: 'web',
  metrics: [AnalysisMetric.prometheusQuery({ name: 'q', address: 'http://prometheus.monitoring:9090', query: 'up', successCondition: 'result[0] >= 1' })],
});

export function factoryCases(): BadInput[] {
  return [
    ...arg('PodMetric.kvCacheUsage', 'averageValue', (_c, v) => PodMetric.kvCacheUsage(v), [
      ['80 (a percentage on a 0-1 gauge)', 80], ['1.5', 1.5], ['0', 0], ['negative', -0.2], ...NOT_NUMBER]),
    ...arg('PodMetric.queueLength', 'averageValue', (_c, v) => PodMetric.queueLength(v), [['0', 0], ['negative', -1], ...NOT_NUMBER]),
    ...arg('PodMetric.runningRequests', 'averageValue', (_c, v) => PodMetric.runningRequests(v), [['0', 0], ['negative', -4], ...NOT_NUMBER]),
    ...arg('PodMetric.named', 'averageValue', (_c, v) => PodMetric.named('vllm:num_requests_running', v), [['0', 0], ['NaN', NaN], ['a string', '3']]),
    ...arg('PodMetric.named', 'seriesName', (_c, v) => PodMetric.named(v, 5), [...NOT_STRING, ['with a dash', 'bad-name'], ['leading digit', '1metric']]),
    ...arg('GpuResource.timeSliced', 'renamed', (_c, v) => GpuResource.timeSliced(v), [['a string', 'yes'], ['a number', 1], ['null', null], ['undefined', undefined]]),
    ...arg('KvTransfer.nixl', 'options', (_c, v) => KvTransfer.nixl(v), NOT_OBJECT),
    ...arg('KvTransfer.mooncake', 'rdma', (_c, v) => KvTransfer.mooncake(v), [...REQUIRED_OBJECT, ['a resource name', 'rdma/hca']]),
    ...arg('ModelCache.sharedClaim', 'options', (_c, v) => ModelCache.sharedClaim(v), REQUIRED_OBJECT),
    ...arg('ModelCache.sharedClaim', 'options.size', (_c, v) => ModelCache.sharedClaim({ size: v }), [['a string', '100Gi'], ['a number', 100], ['undefined', undefined]]),
    ...arg('ModelCache.sharedClaim', 'options.claimName', (_c, v) => ModelCache.sharedClaim({ size: Storage.gibibytes(100), claimName: v }), [['upper case', 'Weights'], ['a number', 3]]),
    ...arg('ModelCache.sharedClaim', 'options.readWriteOnce', (_c, v) => ModelCache.sharedClaim({ size: Storage.gibibytes(100), readWriteOnce: v }), [['a string', 'yes']]),
    ...arg('ModelCache.sharedClaim', 'options.mountPath', (_c, v) => ModelCache.sharedClaim({ size: Storage.gibibytes(100), mountPath: v }), [['empty', ''], ['a number', 1]]),
    ...arg('ModelCache.perReplica', 'options', (_c, v) => ModelCache.perReplica(v), REQUIRED_OBJECT),
    ...arg('ModelCache.perReplica', 'options.size', (_c, v) => ModelCache.perReplica({ size: v }), [['a string', '100Gi'], ['undefined', undefined]]),
    ...arg('ModelCache.existingClaim', 'claimName', (_c, v) => ModelCache.existingClaim(v), [...NOT_STRING, ['with a space', 'my claim']]),
    ...arg('ModelCache.existingClaim', 'options', (_c, v) => ModelCache.existingClaim('weights', v), NOT_OBJECT),
    ...arg('RolloutStrategy.rollingUpdate', 'budget', (_c, v) => RolloutStrategy.rollingUpdate(v), NOT_OBJECT),
    ...arg('ClientPeer.pods', 'labels', (_c, v) => ClientPeer.pods(v), [['a string', 'app=router'], ['a number value', { app: 1 }], ['null', null], ['undefined', undefined]]),
    ...arg('ClientPeer.namespace', 'name', (_c, v) => ClientPeer.namespace(v), [...NOT_STRING, ['upper case', 'Gateway']]),
    ...arg('ClientPeer.podsInNamespace', 'namespace', (_c, v) => ClientPeer.podsInNamespace(v, { app: 'router' }), [['empty', ''], ['a number', 1]]),
    ...arg('ClientPeer.podsInNamespace', 'labels', (_c, v) => ClientPeer.podsInNamespace('gateway', v), [['a string', 'app=router'], ['null', null]]),
    ...arg('MetricsMonitor.serviceMonitor', 'options', (_c, v) => MetricsMonitor.serviceMonitor(v), NOT_OBJECT),
    ...arg('MetricsMonitor.podMonitor', 'options', (_c, v) => MetricsMonitor.podMonitor(v), NOT_OBJECT),
    ...arg('AnalysisArg.value', 'name', (_c, v) => AnalysisArg.value(v, 'x'), NOT_STRING),
    ...arg('AnalysisArg.value', 'value', (_c, v) => AnalysisArg.value('n', v), [['a number', 42], ['null', null], ['undefined', undefined]]),
    ...arg('AnalysisArg.stablePodTemplateHash', 'name', (_c, v) => AnalysisArg.stablePodTemplateHash(v), NOT_STRING),
    ...arg('AnalysisArg.latestPodTemplateHash', 'name', (_c, v) => AnalysisArg.latestPodTemplateHash(v), NOT_STRING),
    ...arg('AnalysisArg.fieldRef', 'fieldPath', (_c, v) => AnalysisArg.fieldRef('n', v), NOT_STRING),
    ...arg('CanaryStep.pauseFor', 'duration', (_c, v) => CanaryStep.pauseFor(v), [['a string', '30s'], ['a number', 30], ['null', null], ['undefined', undefined]]),
    ...arg('CanaryStep.canaryScale', 'options', (_c, v) => CanaryStep.canaryScale(v), REQUIRED_OBJECT),
    ...arg('CanaryStep.canaryScale', 'options.replicas', (_c, v) => CanaryStep.canaryScale({ replicas: v }), [['negative', -1], ['fractional', 1.5], ['a string', '1']]),
    ...arg('CanaryStep.canaryScale', 'options.weight', (_c, v) => CanaryStep.canaryScale({ weight: v }), [['150', 150], ['NaN', NaN]]),
    ...arg('CanaryStep.canaryScale', 'options.matchTrafficWeight', (_c, v) => CanaryStep.canaryScale({ matchTrafficWeight: v }), [['a string', 'yes']]),
    { name: 'CanaryStep.canaryScale misspelled replica', prop: 'options.replica', build: () => CanaryStep.canaryScale({ replica: 1 } as any) },
    ...arg('CanaryStep.analysis', 'template', (_c, v) => CanaryStep.analysis(v), [['a template name', 'check'], ['a plain object', { templateName: 'check' }], ['undefined', undefined]]),
    ...arg('CanaryStep.analysis', 'args', (c, v) => CanaryStep.analysis(template(c), v), [['a string', 'x'], ['a plain arg object', [{ name: 'n', value: 'v' }]]]),
    ...arg('AnalysisMetric.prometheusSuccessRate', 'options', (_c, v) => AnalysisMetric.prometheusSuccessRate(v), REQUIRED_OBJECT),
    ...arg('AnalysisMetric.prometheusLatency', 'options', (_c, v) => AnalysisMetric.prometheusLatency(v), REQUIRED_OBJECT),
    ...arg('AnalysisMetric.prometheusLatency', 'options.maxLatency', (_c, v) => AnalysisMetric.prometheusLatency({ address: PROM, maxLatency: v }), [['a number', 0.5], ['a string', '500ms'], ['undefined', undefined]]),
    ...arg('AnalysisMetric.prometheusLatency', 'options.quantile', (_c, v) => AnalysisMetric.prometheusLatency({ address: PROM, maxLatency: Duration.seconds(1), quantile: v }), [['95 (a percentage)', 95], ['0', 0], ['a string', '0.95']]),
    ...arg('AnalysisMetric.prometheusQuery', 'options', (_c, v) => AnalysisMetric.prometheusQuery(v), REQUIRED_OBJECT),
    ...arg('GangScheduler.schedulerPlugins', 'schedulerName', (_c, v) => GangScheduler.schedulerPlugins(v), [...NOT_STRING, ['with a space', 'my scheduler']]),
    ...arg('GangScheduler.volcano', 'schedulerName', (_c, v) => GangScheduler.volcano(v), [['empty', ''], ['upper case', 'Volcano']]),
    ...arg('TrafficRouting.nginx', 'options', (_c, v) => TrafficRouting.nginx(v), REQUIRED_OBJECT),
    ...arg('TrafficRouting.gatewayApi', 'options', (_c, v) => TrafficRouting.gatewayApi(v), REQUIRED_OBJECT),
    ...arg('WorkloadRef.deployment', 'deployment', (_c, v) => WorkloadRef.deployment(v), [['a name', 'web'], ['a plain object', { name: 'web' }], ['undefined', undefined]]),
    ...arg('WorkloadRef.deployment', 'options', (c, v) => WorkloadRef.deployment(new ApiObject(c, 'd', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } }), v), [['a string', 'x'], ['null', null]]),
    ...arg('WorkloadRef.deploymentNamed', 'name', (_c, v) => WorkloadRef.deploymentNamed(v), [...NOT_STRING, ['upper case', 'Web']]),
    ...arg('ServingEngine.vllm', 'options', (_c, v) => ServingEngine.vllm(v), NOT_OBJECT),
    ...arg('ServingEngine.tgi', 'options', (_c, v) => ServingEngine.tgi(v), NOT_OBJECT),
    ...arg('ServingEngine.generic', 'props', (_c, v) => ServingEngine.generic(v), REQUIRED_OBJECT),
    ...arg('Autoscaling.hpa', 'options', (_c, v) => Autoscaling.hpa(v), REQUIRED_OBJECT),
    ...arg('Autoscaling.keda', 'options', (_c, v) => Autoscaling.keda(v), REQUIRED_OBJECT),
    ...arg('Autoscaling.external', 'options', (_c, v) => Autoscaling.external(v), REQUIRED_OBJECT),
    ...arg('NativeCanary.replicaSplit', 'replicas', (_c, v) => NativeCanary.replicaSplit(v, 25), [['fractional', 2.5], ['negative', -1], ...NOT_NUMBER]),
    ...arg('NativeCanary.replicaSplit', 'weight', (_c, v) => NativeCanary.replicaSplit(4, v), [['150', 150], ['negative', -10], ...NOT_NUMBER]),
    ...arg('NativeCanary.expressibleWeights', 'replicas', (_c, v) => NativeCanary.expressibleWeights(v), [['fractional', 0.5], ...NOT_NUMBER]),
    ...arg('NativeCanary.manifestsAt', 'props', (_c, v) => NativeCanary.manifestsAt(v, 25), REQUIRED_OBJECT),
    ...arg('NativeCanary.promote', 'props', (_c, v) => NativeCanary.promote(v), REQUIRED_OBJECT),
    ...arg('Prerequisite.priorityClass', 'name', (_c, v) => Prerequisite.priorityClass(v), NOT_STRING),
    ...arg('Prerequisite.storageClass', 'note', (_c, v) => Prerequisite.storageClass('fast', v), [['a number', 1], ['null', null]]),
    ...arg('Prerequisite.secret', 'namespace', (_c, v) => Prerequisite.secret(v, 'creds'), NOT_STRING),
    ...arg('Prerequisite.gateway', 'name', (_c, v) => Prerequisite.gateway('gw', v), NOT_STRING),
    ...arg('Prerequisite.customResource', 'group', (_c, v) => Prerequisite.customResource('Rollout', v), NOT_STRING),
    ...arg('Prerequisite.scheduler', 'name', (_c, v) => Prerequisite.scheduler(v), [['empty', ''], ['a number', 1]]),
    ...arg('Prerequisite.runtimeClass', 'name', (_c, v) => Prerequisite.runtimeClass(v), [['empty', ''], ['null', null]]),
    ...arg('Prerequisite.extendedResource', 'name', (_c, v) => Prerequisite.extendedResource(v), [['empty', ''], ['undefined', undefined]]),
    ...arg('Prerequisite.metricsApi', 'api', (_c, v) => Prerequisite.metricsApi(v), [['empty', ''], ['a number', 3]]),
    ...arg('Prerequisite.rolloutsPlugin', 'name', (_c, v) => Prerequisite.rolloutsPlugin(v), [['whitespace', '  '], ['a number', 3]]),
    ...arg('SyncWave.setAll', 'wave', (c, v) => SyncWave.setAll(c, v), [['1.5', 1.5], ['a string', '1'], ['NaN', NaN], ['undefined', undefined]]),
  ];
}
