export { LwsEnv, MultiNodeRole, ServingEngine } from './engine';
export type { GenericEngineProps, TgiOptions, VllmOptions } from './engine';
export { GpuNodeLabels } from './gpu';
export type { GpuPlacement, GpuRequest } from './gpu';
export * from './model-server';
export type { ModelServerProbeOptions, ModelServerProbes } from './probes';
export type { EnvVariable, ExtendedResource, ModelCacheMount, ModelServerOptions, ModelServerPod, ModelServerPodProps, MultiNodeOptions, SecretKeyReference } from './model-server-pod';
export { PlatformPriorityClass } from './priority-class';
export type { PlatformPriorityClassProps } from './priority-class';
