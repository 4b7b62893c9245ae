export { LeaderWorkerSet, LwsRestartPolicy, LwsStartupPolicy } from './leader-worker-set';
export type { LeaderWorkerSetProps, RollingUpdateOptions } from './leader-worker-set';
export { GangScheduler, PodGroup } from './pod-group';
export type { GangResources, PodGroupMembership, PodGroupProps } from './pod-group';
export type { GangSchedulingOptions, KubeSchedulingOptions, VolcanoSchedulingOptions } from './gang-scheduling';
export { RoleRestartPolicy, RoleWorkload } from './role';
export type { ContainerPatch, EngineRuntimeReference, PodTemplatePatch, RoleLeaderWorkerSetOptions, RoleProps, RoleTemplate } from './role';
export type { PrefillDecodeProps, PrefillDecodeRoleOptions } from './prefill-decode';
export * from './role-based-group';
