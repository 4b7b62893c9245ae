// The reviewed public members of the enum-like classes, checked against the sources (test/public-api.test.ts)
// and against the .jsii assembly that is published (test/docs/api-assembly.test.ts).

/**
 * Every exported enum-like class (a private constructor: static instances or factories) and its reviewed public
 * instance members. Such a class keeps what it was built with private and renders through @internal `_render` /
 * `_bind` methods (as cdk8s-plus does): no public `value` or `kind` to switch on, no rendering method. A public
 * member is only a fact users need elsewhere, and its TSDoc says which; a new one is added here deliberately.
 */
export const ENUM_LIKE_PUBLIC_MEMBERS: { [className: string]: string[] } = {
  AnalysisArg: ['name'], // the argument name the template declares (what the user gave)
  AnalysisMetric: ['name', 'bounded'], // the measurement name in the AnalysisRun; whether it may run in a step
  AntiAffinity: [],
  Autoscaling: [],
  CanarySlot: ['other'], // promoting by hand
  CanaryStep: [],
  ClientPeer: [],
  Cpu: ['millicores'], // quantities: the amount, for arithmetic of your own
  Errors: [],
  FileLayout: [],
  GangScheduler: ['schedulerName'], // for Prerequisite.scheduler
  GpuNodeLabels: [],
  GpuResource: ['resourceName', 'quotaKey', 'validate'], // names for pods and quotas of your own; validate as for quantities
  Kinds: [],
  KvTransfer: [],
  LwsEnv: [],
  LwsRestartPolicy: [],
  LwsStartupPolicy: [],
  Memory: ['bytes'],
  MetricsMonitor: [],
  ModelCache: [],
  ModelServer: [],
  MultiNodeRole: [],
  NodeTaintEffect: [],
  PodMetric: [],
  PodSecurityDefaults: [],
  PodSecurityLevel: [],
  Prerequisite: [],
  RbgApiVersion: [],
  RbgMode: [],
  RoleRestartPolicy: [],
  RoleWorkload: [],
  RolloutStrategy: [],
  // The engine's facts, for objects users wire themselves (see the class TSDoc); building the command is internal.
  ServingEngine: ['name', 'port', 'healthPath', 'readinessPath', 'metricsPath', 'metricsPort', 'queueLengthMetric',
    'runningRequestsMetric', 'kvCacheUsageMetric', 'supportsMultiNode'],
  ServingWorkloadKind: [],
  Storage: ['bytes'],
  SyncOption: [],
  TenantRole: ['roleName', 'rules'], // for RoleBindings of your own, and to review
  TenantSubject: [],
  TrafficRouting: [],
  Warnings: [],
  WorkloadRef: [],
  WorkloadScaleDown: [],
};
