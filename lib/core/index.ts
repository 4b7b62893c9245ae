export { Cpu, Memory, ResourceQuantity, Storage } from './quantity';
export * from './gpu';
export { Labels } from './labels';
export type { WorkloadIdentity } from './labels';
export { PodSecurityDefaults, PodSecurityLevel } from './security';
export type { ResolvedSecurity, WorkloadSecurityOptions, WritableDir, WritableDirMounts } from './security';
export { SyncWave } from './sync-wave';
export type { GpuQuotaEntry, ITenant, NodePlacement, TenantQuotaView, TenantUsage } from './tenant';
export * from './ignore-differences';
