export * from './roles';
export * from './subject';
export * from './taint-effect';
export { TenantNamespace } from './tenant-namespace';
export type { TenantAdmissionPolicies, TenantContainerLimits, TenantDns, TenantEgressCidr, TenantEgressNamespace, TenantGpuQuota, TenantIngressSource, TenantInternetEgress, TenantNamespaceProps, TenantNetwork, TenantNodeLabel, TenantNodePool, TenantPodLimits, TenantPodSecurity, TenantPvcLimits, TenantQuota, TenantStorageClassQuota, TenantTaint } from './tenant-namespace';
