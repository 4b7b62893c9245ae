// Runtime shapes of the delivery props (see lib/core/validate.ts).
import { WorkloadIdentity } from '../core/labels';
import { arr, bool, instance, lazy, num, object, opt, shape, Shape, str, tenant } from '../core/validate';
import { gpuResource } from '../serving/shapes';
import { AnalysisMetric, AnalysisSecretKeyRef, AnalysisTemplateArg, CanaryAnalysisTemplate, CanaryAnalysisTemplateProps } from './analysis-template';
import type { BackgroundAnalysis, CanaryRolloutProps } from './canary-rollout';
import { AnalysisArg, CanaryStep } from './canary-step';
import type { NativeCanaryProps, NativeCanaryRouteOptions, NativeCanaryVersion } from './native-canary';
import { CanarySlot } from './native-canary';
import { GatewayParentRef, TrafficRouting } from './traffic-routing';
import { WorkloadRef } from './workload-ref';

const identity = shape<WorkloadIdentity>({
  name: str(), instance: opt(str()), component: opt(str()), partOf: opt(str()), tenant: opt(str()),
}, { name: 'WorkloadIdentity' });
const parentRef = shape<GatewayParentRef>({ name: str(), namespace: opt(str()), sectionName: opt(str()) }, { name: 'GatewayParentRef' });

export const canaryRolloutShape = lazy((): Shape<CanaryRolloutProps> => ({
  name: str(),
  namespace: opt(str()),
  tenant: opt(tenant),
  identity: opt(identity),
  template: opt(object('a pod template (k8s.PodTemplateSpec)')),
  workloadRef: opt(instance(WorkloadRef)),
  replicas: opt(num()),
  steps: arr(instance(CanaryStep, { allowed: 'a CanaryStep from its static factories: CanaryStep.trafficWeight(), pause(), pauseFor(), canaryScale(), analysis()' })),
  backgroundAnalysis: opt(shape<BackgroundAnalysis>({
    template: instance(CanaryAnalysisTemplate, { allowed: 'a CanaryAnalysisTemplate construct' }),
    args: opt(arr(instance(AnalysisArg))),
    startingStep: opt(num()),
  }, { name: 'BackgroundAnalysis' })),
  trafficRouting: opt(instance(TrafficRouting)),
  port: opt(num()),
  targetPort: opt(num()),
  stableServiceName: opt(str()),
  canaryServiceName: opt(str()),
  dynamicStableScale: opt(bool),
  abortScaleDownDelaySeconds: opt(num()),
  scaleDownDelaySeconds: opt(num()),
  maxSurge: opt(num()),
  maxUnavailable: opt(num()),
  autoscaling: opt(object('the rollout autoscaling')),
  gpusPerPod: opt(num()),
  gpuResource: opt(gpuResource),
  progressDeadlineSeconds: opt(num()),
  progressDeadlineAbort: opt(bool),
  revisionHistoryLimit: opt(num()),
}));

const version = shape<NativeCanaryVersion>({ version: str(), podSpec: object('a pod spec (k8s.PodSpec)') }, { name: 'NativeCanaryVersion' });

export const nativeCanaryShape = lazy((): Shape<NativeCanaryProps> => ({
  name: str(),
  namespace: opt(str()),
  tenant: opt(tenant),
  identity: opt(identity),
  replicas: num(),
  stable: version,
  canary: opt(version),
  canaryWeight: opt(num()),
  stableSlot: opt(instance(CanarySlot)),
  allowRounding: opt(bool),
  port: num(),
  targetPort: opt(num()),
  httpRoute: opt(shape<NativeCanaryRouteOptions>({
    parentRefs: arr(parentRef), name: opt(str()), hostnames: opt(arr(str())), catchAllHostnames: opt(bool), pathPrefix: opt(str()),
  }, { name: 'NativeCanaryRouteOptions', allowUnknown: true })),
  gpusPerPod: opt(num()),
  gpuResource: opt(gpuResource),
}));

export const analysisTemplateShape = lazy((): Shape<CanaryAnalysisTemplateProps> => ({
  name: str(),
  namespace: opt(str()),
  tenant: opt(tenant),
  args: opt(arr(shape<AnalysisTemplateArg>({
    name: str(),
    defaultValue: opt(str()),
    secretKeyRef: opt(shape<AnalysisSecretKeyRef>({ secretName: str(), key: str() }, { name: 'AnalysisSecretKeyRef' })),
  }, { name: 'AnalysisTemplateArg' }))),
  metrics: arr(instance(AnalysisMetric)),
}));

