// Runtime shape of TenantNamespaceProps (see lib/core/validate.ts). Value rules (quota bounds, CIDRs, names)
// stay in the construct; this catches wrong types and shapes with the prop as the user wrote it.
import { Storage } from '../core/quantity';
import { PodSecurityLevel } from '../core/security';
import { annotations, arr, bool, int, instance, labels, lazy, num, opt, shape, Shape, str } from '../core/validate';
import { cpu, gpuResource, memory } from '../serving/shapes';
import { TenantSubject } from './subject';
import { NodeTaintEffect } from './taint-effect';
import type {
  TenantAdmissionPolicies, TenantContainerLimits, TenantDns, TenantEgressCidr, TenantEgressNamespace, TenantGpuQuota, TenantIngressSource, TenantInternetEgress,
  TenantNamespaceProps, TenantNetwork, TenantNodeLabel, TenantNodePool, TenantPodLimits, TenantPodSecurity, TenantPvcLimits, TenantQuota,
  TenantStorageClassQuota, TenantTaint,
} from './tenant-namespace';

const storage = instance(Storage, { allowed: 'a Storage such as Storage.gibibytes(100) or Storage.parse("1Ti")' });
// The construct accepts the Kubernetes strings from untyped callers for these two.
const level = instance(PodSecurityLevel, { strings: ['restricted', 'baseline', 'privileged'] });
const effect = instance(NodeTaintEffect, {
  strings: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'],
  allowed: 'one of NodeTaintEffect.NO_SCHEDULE ("NoSchedule"), PREFER_NO_SCHEDULE ("PreferNoSchedule"), NO_EXECUTE ("NoExecute")',
});
const ports = arr(int(1, 65535));
const subjects = arr(instance(TenantSubject, { allowed: 'a TenantSubject.user(), .group() or .serviceAccount()' }));

export const tenantNamespaceShape = lazy((): Shape<TenantNamespaceProps> => ({
  name: str(),
  tenantName: opt(str()),
  labels: opt(labels),
  annotations: opt(annotations),
  podSecurity: opt(shape<TenantPodSecurity>({ enforce: opt(level), audit: opt(level), warn: opt(level), version: opt(str()) }, { name: 'TenantPodSecurity' })),
  quota: opt(shape<TenantQuota>({
    cpuRequests: opt(cpu),
    cpuLimits: opt(cpu),
    memoryRequests: opt(memory),
    memoryLimits: opt(memory),
    gpus: opt(arr(shape<TenantGpuQuota>({ resource: gpuResource, count: num(), maxPerContainer: opt(num()) }, { name: 'TenantGpuQuota' }))),
    pods: opt(int(0)),
    services: opt(int(0)),
    secrets: opt(int(0)),
    configMaps: opt(int(0)),
    persistentVolumeClaims: opt(int(0)),
    storageRequests: opt(storage),
    storageClasses: opt(arr(shape<TenantStorageClassQuota>({
      storageClassName: str(), storageRequests: opt(storage), persistentVolumeClaims: opt(int(0)),
    }, { name: 'TenantStorageClassQuota' }))),
    nodePortServices: opt(int(0)),
    loadBalancerServices: opt(int(0)),
  }, { name: 'TenantQuota' })),
  containerLimits: opt(shape<TenantContainerLimits>({
    defaultCpuLimit: opt(cpu),
    defaultCpuRequest: opt(cpu),
    defaultMemoryLimit: opt(memory),
    defaultMemoryRequest: opt(memory),
    minCpu: opt(cpu),
    maxCpu: opt(cpu),
    minMemory: opt(memory),
    maxMemory: opt(memory),
  }, { name: 'TenantContainerLimits' })),
  podLimits: opt(shape<TenantPodLimits>({ maxCpu: opt(cpu), maxMemory: opt(memory) }, { name: 'TenantPodLimits' })),
  pvcLimits: opt(shape<TenantPvcLimits>({ minStorage: opt(storage), maxStorage: opt(storage) }, { name: 'TenantPvcLimits' })),
  network: opt(shape<TenantNetwork>({
    allowSameNamespace: opt(bool),
    dns: opt(shape<TenantDns>({ namespace: opt(str()), podLabels: opt(labels), nodeLocalAddress: opt(str()) }, { name: 'TenantDns' })),
    ingressFrom: opt(arr(shape<TenantIngressSource>({ namespace: str(), ports, podLabels: opt(labels) }, { name: 'TenantIngressSource' }))),
    internetEgress: opt(shape<TenantInternetEgress>({
      allowPrivateRanges: opt(bool), blockedCidrs: opt(arr(str())), ports: opt(ports),
    }, { name: 'TenantInternetEgress' })),
    egressToNamespaces: opt(arr(shape<TenantEgressNamespace>({
      namespace: str(), ports: opt(ports), podLabels: opt(labels),
    }, { name: 'TenantEgressNamespace' }))),
    egressToCidrs: opt(arr(shape<TenantEgressCidr>({ cidr: str(), except: opt(arr(str())), ports: opt(ports) }, { name: 'TenantEgressCidr' }))),
  }, { name: 'TenantNetwork' })),
  admins: opt(subjects),
  developers: opt(subjects),
  viewers: opt(subjects),
  nodePool: opt(shape<TenantNodePool>({
    nodeLabel: shape<TenantNodeLabel>({ key: str(), value: str() }, { name: 'TenantNodeLabel' }),
    taint: opt(shape<TenantTaint>({ key: str(), value: opt(str()), effect: opt(effect) }, { name: 'TenantTaint' })),
    soft: opt(bool),
  }, { name: 'TenantNodePool' })),
  admissionPolicies: opt(shape<TenantAdmissionPolicies>({
    allowedSecrets: opt(arr(str())),
    allowedServiceAccounts: opt(arr(str())),
    allowedRegistries: opt(arr(str())),
    maxGpusPerPod: opt(num()),
    allowedTolerationKeys: opt(arr(str())),
  }, { name: 'TenantAdmissionPolicies' })),
}));
