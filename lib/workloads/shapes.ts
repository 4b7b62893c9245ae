// Runtime shapes of the workload props (see lib/core/validate.ts).
import { GpuQuotaEntry } from '../core/tenant';
import {
  annotations, any, arr, bool, dnsLabel, dnsSubdomain, image, instance, int, labels, lazy, num, object, opt, shape, Shape, str, tenant,
} from '../core/validate';
import { ServingEngine } from '../serving/engine';
import { cpu, gpuRequestShape, gpuResource, memory, modelCacheMount, modelServerOptionsShape, modelServerPodPropsShape } from '../serving/shapes';
import type { GangSchedulingOptions, KubeSchedulingOptions, VolcanoSchedulingOptions } from './gang-scheduling';
import { LeaderWorkerSetProps, LwsRestartPolicy, LwsStartupPolicy, RollingUpdateOptions } from './leader-worker-set';
import { GangResources, GangScheduler, PodGroupProps } from './pod-group';
import { KvTransfer, PrefillDecodeProps, PrefillDecodeRoleOptions } from './prefill-decode';
import { RbgApiVersion, RbgMode, RoleBasedGroupProps, RouterServiceOptions } from './role-based-group';
import {
  ContainerPatch, EngineRuntimeReference, PodTemplatePatch, RoleLeaderWorkerSetOptions, RoleProps, RoleRestartPolicy, RoleTemplate, RoleWorkload,
} from './role';

const template = object('a pod template (k8s.PodTemplateSpec)');
// maxSurge / maxUnavailable are k8s.IntOrString objects; their values are checked by the construct.
const rolling = shape<RollingUpdateOptions>({ maxUnavailable: opt(any), maxSurge: opt(any), partition: opt(num()) }, { name: 'RollingUpdateOptions' });

export const leaderWorkerSetShape = lazy((): Shape<LeaderWorkerSetProps> => ({
  name: str(),
  namespace: opt(str()),
  tenant: opt(tenant),
  replicas: opt(num()),
  omitReplicas: opt(bool),
  size: num(),
  leaderTemplate: opt(template),
  workerTemplate: template,
  restartPolicy: opt(instance(LwsRestartPolicy)),
  startupPolicy: opt(instance(LwsStartupPolicy)),
  subGroupSize: opt(num()),
  rolloutStrategy: opt(rolling),
  labels: opt(labels),
  annotations: opt(annotations),
}));

const gpuEntries = arr(shape<GpuQuotaEntry>({ resource: gpuResource, count: num() }, { name: 'GpuQuotaEntry' }));

export const podGroupShape = lazy((): Shape<PodGroupProps> => ({
  name: str(),
  namespace: opt(str()),
  tenant: opt(tenant),
  scheduler: opt(instance(GangScheduler)),
  minMember: num(),
  scheduleTimeoutSeconds: opt(num()),
  queue: opt(str()),
  priorityClassName: opt(str()),
  minResources: opt(shape<GangResources>({ cpu: opt(cpu), memory: opt(memory), gpus: opt(gpuEntries) }, { name: 'GangResources' })),
  labels: opt(labels),
  annotations: opt(annotations),
}));

const gang = shape<GangSchedulingOptions>({
  kubeScheduling: opt(shape<KubeSchedulingOptions>({ scheduleTimeoutSeconds: opt(num()), schedulerName: opt(str()) }, { name: 'KubeSchedulingOptions' })),
  volcanoScheduling: opt(shape<VolcanoSchedulingOptions>({
    queue: opt(str()), priorityClassName: opt(str()), schedulerName: opt(str()),
  }, { name: 'VolcanoSchedulingOptions' })),
}, { name: 'GangSchedulingOptions' });

const patch = shape<PodTemplatePatch>({
  labels: opt(labels),
  annotations: opt(annotations),
  containers: opt(arr(shape<ContainerPatch>({
    name: str(), command: opt(arr(str())), args: opt(arr(str())), env: opt(arr(object('an EnvVar object'))),
  }, { name: 'ContainerPatch' }))),
}, { name: 'PodTemplatePatch' });

// Role servers get the group's labels merged in, so their own labels are optional.
const server = () => shape({ ...modelServerPodPropsShape(), labels: opt(labels) }, { name: 'ModelServerPodProps' });

export const roleShape = lazy((): Shape<RoleProps> => ({
  name: str(),
  replicas: opt(num()),
  workload: opt(instance(RoleWorkload)),
  server: opt(server()),
  template: opt(template),
  templateRef: opt(str()),
  templatePatch: opt(patch),
  leaderWorkerSet: opt(shape<RoleLeaderWorkerSetOptions>({
    size: num(), leaderPatch: opt(patch), workerPatch: opt(patch),
  }, { name: 'RoleLeaderWorkerSetOptions' })),
  dependencies: opt(arr(str())),
  restartPolicy: opt(instance(RoleRestartPolicy)),
  rolloutStrategy: opt(rolling),
  servicePorts: opt(arr(object('a ServicePort object'))),
  engineRuntimes: opt(arr(shape<EngineRuntimeReference>({
    profileName: str(), injectContainers: opt(arr(str())), containers: opt(arr(object('a Container object'))),
  }, { name: 'EngineRuntimeReference' }))),
  autoscaling: opt(object('the role autoscaling options')),
  minReadySeconds: opt(num()),
  tenantPlacement: opt(bool),
  labels: opt(labels),
  annotations: opt(annotations),
}));

export const roleBasedGroupShape = lazy((): Shape<RoleBasedGroupProps> => ({
  name: str(),
  namespace: opt(str()),
  tenant: opt(tenant),
  roles: arr(shape(roleShape(), { name: 'RoleProps' })),
  roleTemplates: opt(arr(shape<RoleTemplate>({ name: str(), template: opt(template), server: opt(server()) }, { name: 'RoleTemplate' }))),
  gangScheduling: opt(gang),
  router: opt(shape<RouterServiceOptions>({
    role: str(), serviceName: opt(str()), port: opt(num()), targetPort: opt(num()),
  }, { name: 'RouterServiceOptions' })),
  apiVersion: opt(instance(RbgApiVersion)),
  mode: opt(instance(RbgMode)),
  partOf: opt(str()),
  labels: opt(labels),
  annotations: opt(annotations),
}));

const pdRole = shape<PrefillDecodeRoleOptions>({
  // The router lists every instance's URL, so the count stays within what a static list can hold.
  replicas: opt(int(0, 1000)),
  // Checked here so the message names decode.gpu.count, not the expanded roles[2].server.gpu.count.
  gpu: shape({ ...gpuRequestShape(), count: int(1) }, { name: 'GpuRequest' }),
  // 0 is not "one node": a role runs on at least one.
  nodes: opt(int(1)),
  cpu: opt(cpu),
  memory: opt(memory),
  extraArgs: opt(arr(str())),
  autoscaling: opt(object('the role autoscaling options')),
}, { name: 'PrefillDecodeRoleOptions' });

export const prefillDecodeShape = lazy((): Shape<PrefillDecodeProps> => ({
  ...modelServerOptionsShape(),
  name: str(),
  namespace: opt(str()),
  tenant: opt(tenant),
  engine: instance(ServingEngine, { allowed: 'ServingEngine.sglang() or ServingEngine.vllm() (engines with prefill/decode disaggregation)' }),
  routerImage: image,
  modelCache: opt(modelCacheMount),
  offline: opt(bool),
  serviceAccountName: opt(dnsSubdomain()),
  prefill: pdRole,
  decode: pdRole,
  routerReplicas: opt(int(1)),
  routerPort: opt(int(1, 65535)),
  kvTransfer: opt(instance(KvTransfer)),
  podMonitor: opt(object('PrefillDecodeMonitorOptions')),
  gangScheduling: opt(gang),
  apiVersion: opt(instance(RbgApiVersion)),
  mode: opt(instance(RbgMode)),
  partOf: opt(str()),
}));

export { dnsLabel };
