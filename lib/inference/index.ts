export { Autoscaling, PodMetric } from './autoscaling';
export type { CustomMetric, ExternalAutoscalingOptions, HpaOptions, KedaOptions } from './autoscaling';
export * from './options';
export { GpuInferenceService } from './gpu-inference-service';
export type { GpuInferenceServiceProps, WorkloadReference } from './gpu-inference-service';
export * from './prometheus-adapter-rules';
