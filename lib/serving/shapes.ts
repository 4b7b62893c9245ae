// Runtime shapes of the serving props (see lib/core/validate.ts), shared by every construct that builds a
// model-server pod.
import { GpuResource } from '../core/gpu';
import { Cpu, Memory, Storage } from '../core/quantity';
import { PodSecurityLevel, WorkloadSecurityOptions } from '../core/security';
import { NodePlacement } from '../core/tenant';
import {
  annotations, arr, bool, Check, dnsLabel, dnsSubdomain, duration, envVar, image, instance, int, labels, lazy, num, object, opt, shape, Shape, str,
} from '../core/validate';
import { MultiNodeRole, ServingEngine } from './engine';
import { GpuRequest } from './gpu';
import { ModelCacheMount, ModelServerOptions, ModelServerPodProps, MultiNodeOptions, SecretKeyReference } from './model-server-pod';

export const gpuResource: Check = instance(GpuResource, {
  allowed: 'a GpuResource: GpuResource.NVIDIA_GPU, GpuResource.mig("1g.10gb"), GpuResource.timeSliced(true) or GpuResource.custom("amd.com/gpu")',
});
export const cpu: Check = instance(Cpu, { allowed: 'a Cpu such as Cpu.cores(2), Cpu.millis(500) or Cpu.parse("500m")' });
export const memory: Check = instance(Memory, { allowed: 'a Memory such as Memory.gibibytes(16) or Memory.parse("512Mi")' });

export const gpuRequestShape = lazy((): Shape<GpuRequest> => ({
  resource: opt(gpuResource),
  count: num(),
  product: opt(str()),
  minMemoryMiB: opt(int(1)),
  tolerateGpuTaint: opt(bool),
  runtimeClassName: opt(str()),
}));
export const gpuRequest: Check = (s, p, v) => shape(gpuRequestShape(), { name: 'GpuRequest' })(s, p, v);

const securityShape = lazy((): Shape<WorkloadSecurityOptions> => ({
  level: opt(instance(PodSecurityLevel)),
  runAsUser: opt(int(0)),
  runAsGroup: opt(int(0)),
  fsGroup: opt(int(0)),
  readOnlyRootFilesystem: opt(bool),
}));

const secretRefShape = lazy((): Shape<SecretKeyReference> => ({ name: dnsSubdomain(), key: opt(str({ nonEmpty: true })) }));

export const placementShape = lazy((): Shape<NodePlacement> => ({
  nodeSelector: opt(labels),
  preferredNodeLabels: opt(labels),
  tolerations: opt(arr(object('a Toleration object'))),
}));
export const placement: Check = (s, p, v) => shape(placementShape(), { name: 'NodePlacement' })(s, p, v);

export const modelServerOptionsShape = lazy((): Shape<ModelServerOptions> => ({
  image,
  allowLatestImage: opt(bool),
  model: str({ nonEmpty: true }),
  tensorParallelSize: opt(int(1)),
  cpu: opt(cpu),
  memory: opt(memory),
  shmSize: opt(memory),
  emptyDirModelCacheSize: opt(instance(Storage, { allowed: 'a Storage such as Storage.gibibytes(100)' })),
  maxModelLoadTime: opt(duration()),
  extraArgs: opt(arr(str())),
  env: opt(arr(envVar)),
  hfTokenSecret: opt(shape(secretRefShape(), { name: 'SecretKeyReference' })),
  security: opt(shape(securityShape(), { name: 'WorkloadSecurityOptions' })),
  preStopDelay: opt(duration()),
  shutdownTimeout: opt(duration()),
  terminationGracePeriod: opt(duration()),
  priorityClassName: opt(dnsSubdomain()),
  schedulerName: opt(dnsSubdomain()),
}));

const modelCacheMountShape = lazy((): Shape<ModelCacheMount> => ({
  claimName: opt(dnsSubdomain()),
  volumeName: opt(dnsLabel()),
  mountPath: opt(str({ nonEmpty: true })),
  readOnly: opt(bool),
}));
export const modelCacheMount: Check = (s, p, v) => shape(modelCacheMountShape(), { name: 'ModelCacheMount' })(s, p, v);

const multiNodeShape = lazy((): Shape<MultiNodeOptions> => ({ role: instance(MultiNodeRole), nodes: int(1) }));

export const modelServerPodPropsShape = lazy((): Shape<ModelServerPodProps> => ({
  ...modelServerOptionsShape(),
  engine: instance(ServingEngine),
  labels,
  annotations: opt(annotations),
  gpu: opt(gpuRequest),
  modelCache: opt(modelCacheMount),
  offline: opt(bool),
  serviceAccountName: opt(dnsSubdomain()),
  placement: opt(placement),
  containerName: opt(dnsLabel()),
  imagePullPolicy: opt(str({ pattern: /^(Always|IfNotPresent|Never)$/, patternText: 'one of "Always", "IfNotPresent", "Never"' })),
  multiNode: opt(shape(multiNodeShape(), { name: 'MultiNodeOptions' })),
  addCapabilities: opt(arr(str({ nonEmpty: true }))),
  extraResources: opt(arr(object('an ExtendedResource { name, count }'))),
}));
export const modelServerPodProps: Check = (s, p, v) => shape(modelServerPodPropsShape(), { name: 'ModelServerPodProps' })(s, p, v);

export { num };
