import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import * as keda from '../../imports/keda-keda.sh';
import * as pm from '../../imports/podmonitor-monitoring.coreos.com';
import * as sm from '../../imports/servicemonitor-monitoring.coreos.com';
import { fail, requireInteger } from '../core/errors';
import { IgnoreDifference } from '../core/ignore-differences';
import { k8s } from '../core/k8s';
import { selectorLabels, standardLabels } from '../core/labels';
import { childName, requireDnsLabel, requireLabels } from '../core/names';
import { setSyncWave, SyncWave } from '../core/sync-wave';
import { checkProps } from '../core/validate';
import { ITenant, NodePlacement, PodPart, TenantBinding } from '../core/tenant';
import { LeaderWorkerSet } from '../workloads/leader-worker-set';
import { MultiNodeRole, ServingEngine } from '../serving/engine';
import { GpuRequest } from '../serving/gpu';
import { addWarning } from '../serving/image';
import {
  buildModelServerPod, HTTP_PORT_NAME, ModelCacheMount, ModelServerOptions, ModelServerPod, ModelServerPodProps, pickModelServerOptions,
} from '../serving/model-server-pod';
import { Autoscaling, BoundAutoscaling, CustomMetric } from './autoscaling';
import { gpuInferenceServiceShape } from './shapes';
import { AntiAffinity, ClientPeer, MetricsMonitor, ModelCache, RolloutStrategy, ServingWorkloadKind } from './options';

/**
 * Ranges the model-download egress (443) never reaches: link-local and the Alibaba cloud metadata address,
 * and the RFC 1918 private ranges.
 */
export const MODEL_HUB_EGRESS_EXCEPT: readonly string[] = Object.freeze([
  '169.254.0.0/16', '100.100.100.200/32', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16',
]);

/** The label that tells leader and worker pods of a multi-node group apart. */
export const ROLE_LABEL = 'gpu-platform.dev/role';

/** A reference to a scalable workload (HPA / ScaledObject `scaleTargetRef`). */
export interface WorkloadReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

/**
 * Props of {@link GpuInferenceService}. The model-server settings (image, model, cpu, memory, shmSize,
 * maxModelLoadTime, env, hfTokenSecret, security, drain timings, ...) come from {@link ModelServerOptions}.
 */
export interface GpuInferenceServiceProps extends ModelServerOptions {
  /** The service name, a DNS label of at most 52 characters: object names and the `app.kubernetes.io/name` selector label. */
  readonly name: string;
  /**
   * The namespace.
   * @default - the tenant's namespace (one of `namespace` or `tenant` is required)
   */
  readonly namespace?: string;
  /**
   * The tenant: namespace, node pool placement, tenant label, and synth-time checks that the service at
   * its peak (max replicas plus rollout surge) fits the tenant's GPU, CPU and memory quota and that its pods
   * pass the tenant's LimitRange.
   * @default - no tenant
   */
  readonly tenant?: ITenant;
  /**
   * The serving engine.
   * @default ServingEngine.vllm()
   */
  readonly engine?: ServingEngine;
  /** GPUs per pod (whole GPUs, a MIG profile or time-sliced), product and memory constraints. */
  readonly gpu: GpuRequest;
  /**
   * Pods per model replica (pipeline parallel size). Above 1 the service runs as a LeaderWorkerSet.
   * @default 1
   */
  readonly nodesPerReplica?: number;
  /**
   * The model cache.
   * @default - none: an emptyDir, downloaded again on every start
   */
  readonly modelCache?: ModelCache;
  /**
   * Allow downloading the model (egress on 443). Off sets HF_HUB_OFFLINE=1.
   * @default true
   */
  readonly modelDownload?: boolean;
  /**
   * The workload kind.
   * @default - StatefulSet with ModelCache.perReplica, else Deployment
   */
  readonly workloadKind?: ServingWorkloadKind;
  /**
   * Fixed replica count (model replicas; groups for multi-node), when there is no autoscaling.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * An HPA or a KEDA ScaledObject.
   * @default - fixed replicas
   */
  readonly autoscaling?: Autoscaling;
  /**
   * The Deployment's update strategy.
   * @default RolloutStrategy.rollingUpdate({ maxSurge: 0, maxUnavailable: 1 })
   */
  readonly rollout?: RolloutStrategy;
  /**
   * The Deployment's progress deadline, at least maxModelLoadTime. Deployment only: a StatefulSet or
   * LeaderWorkerSet has none, so setting it there is an error.
   * @default - maxModelLoadTime + 10 minutes (Deployment)
   */
  readonly progressDeadline?: Duration;
  /**
   * Nodes in the GPU pool the service runs on, when known; enables the "stays Pending" checks for hard
   * anti-affinity.
   * @default - unknown, no check
   */
  readonly nodePoolSize?: number;
  /**
   * topologySpreadConstraints across nodes (hostname) and zones, ScheduleAnyway.
   * @default true
   */
  readonly spread?: boolean;
  /**
   * Pod anti-affinity between replicas.
   * @default AntiAffinity.NONE
   */
  readonly antiAffinity?: AntiAffinity;
  /**
   * A PodDisruptionBudget (maxUnavailable 1 pod) when the service never has fewer than 2 replicas
   * (`replicas` or `autoscaling.minReplicas` >= 2), so a drain always leaves one serving. Below that no budget
   * can protect it (maxUnavailable 1 lets the only pod go, 0 blocks every drain): none is created and a
   * warning says so; `true` is then an error and `false` accepts the downtime without a warning.
   * @default true
   */
  readonly podDisruptionBudget?: boolean;
  /**
   * Who may call the serving port. Everything else is denied.
   * @default - nobody (a warning is printed)
   */
  readonly clients?: ClientPeer[];
  /**
   * The namespace Prometheus runs in; it may scrape the metrics port.
   * @default 'monitoring'
   */
  readonly monitoringNamespace?: string;
  /**
   * Create the NetworkPolicies.
   * @default true
   */
  readonly networkPolicy?: boolean;
  /**
   * A ServiceMonitor or PodMonitor.
   * @default - none (pods carry prometheus.io/* annotations)
   */
  readonly monitor?: MetricsMonitor;
  /**
   * Extra node placement, on top of the tenant's.
   * @default - none
   */
  readonly placement?: NodePlacement;
  /**
   * `app.kubernetes.io/part-of`.
   * @default - none
   */
  readonly partOf?: string;
  /**
   * Extra labels on every object and pod (not used in selectors).
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

interface PeakUsage {
  readonly pods: number;
  readonly description: string;
}

/**
 * Serves a model on GPU nodes: a Deployment (or a StatefulSet with a per-replica cache, or a
 * LeaderWorkerSet for multi-node models), a ClusterIP Service with `http` and `metrics` ports, an HPA or
 * KEDA ScaledObject, a PodDisruptionBudget, NetworkPolicies, a ServiceAccount and optionally a
 * ServiceMonitor or PodMonitor. Bad input fails at synth time with the construct path and prop.
 */
export class GpuInferenceService extends Construct {
  /** Addresses model-hub egress (public 443) never reaches: cloud metadata and private ranges. */
  public static readonly MODEL_HUB_EGRESS_EXCEPT: string[] = [...MODEL_HUB_EGRESS_EXCEPT];
  /** The label that names a pod's role (server, router, ...). */
  public static readonly ROLE_LABEL = ROLE_LABEL;

  /** Finds every GpuInferenceService under a scope (the whole app from the root). */
  public static all(scope: Construct): GpuInferenceService[] {
    return scope.node.findAll().filter((c): c is GpuInferenceService => c instanceof GpuInferenceService);
  }

  /** The service name. */
  public readonly name: string;
  /** The namespace. */
  public readonly namespace: string;
  /** The ClusterIP Service's name. */
  public readonly serviceName: string;
  /** The serving port (Service port `http`). */
  public readonly port: number;
  /** The Service's `metrics` port number. */
  public readonly metricsPort: number;
  /** The engine. */
  public readonly engine: ServingEngine;
  /** Labels selecting the pods (all pods, leaders and workers, for multi-node). */
  public readonly selectorLabels: { [key: string]: string };
  /** Labels on every object. */
  public readonly labels: { [key: string]: string };
  // `Deployment`, `StatefulSet` or `LeaderWorkerSet`: private (no public kind string to switch on); users see
  // which it is by the workload field that is set (`deployment`, `statefulSet` or `leaderWorkerSet`).
  private readonly workloadKind: string;
  /** The pod template of a single-node service (the leader's for multi-node). */
  public readonly podTemplate: k8s.PodTemplateSpec;
  /** The built model-server pod (the leader's for multi-node). */
  public readonly pod: ModelServerPod;
  /** The Deployment (the default). Exactly one of `deployment`, `statefulSet` and `leaderWorkerSet` is set. */
  public readonly deployment?: k8s.KubeDeployment;
  /** The StatefulSet, with `workloadKind: STATEFUL_SET` or a per-replica model cache. */
  public readonly statefulSet?: k8s.KubeStatefulSet;
  /** The LeaderWorkerSet, for multi-node services (`nodesPerReplica` above 1). */
  public readonly leaderWorkerSet?: LeaderWorkerSet;
  /** The ClusterIP Service (the leaders' Service for multi-node). */
  public readonly service: k8s.KubeService;
  /** The headless Service of a StatefulSet. */
  public readonly headlessService?: k8s.KubeService;
  /** The ServiceAccount. */
  public readonly serviceAccount: k8s.KubeServiceAccount;
  /** The shared model cache PVC, when created. */
  public readonly modelCacheClaim?: k8s.KubePersistentVolumeClaim;
  /** The HPA, when autoscaling with an HPA. */
  public readonly hpa?: k8s.KubeHorizontalPodAutoscalerV2;
  /** The KEDA ScaledObject, when autoscaling with KEDA. */
  public readonly scaledObject?: keda.ScaledObject;
  /** The PodDisruptionBudget, when created. */
  public readonly pdb?: k8s.KubePodDisruptionBudget;
  /** The NetworkPolicies (ingress, egress). */
  public readonly networkPolicies: k8s.KubeNetworkPolicy[] = [];
  /** The ServiceMonitor, when asked for. */
  public readonly serviceMonitor?: sm.ServiceMonitor;
  /** The PodMonitor, when asked for. */
  public readonly podMonitor?: pm.PodMonitor;
  /** The per-pod custom metrics the HPA reads (for PrometheusAdapterRules). Empty without an HPA. */
  public readonly customMetrics: CustomMetric[];
  /** Fewest replicas (model replicas / groups). */
  public readonly minReplicas: number;
  /** Most replicas (model replicas / groups). */
  public readonly maxReplicas: number;
  /**
   * Argo CD ignoreDifferences (collected by the Application): with an HPA or ScaledObject, `/spec/replicas` of
   * the Deployment, StatefulSet or LeaderWorkerSet, which the autoscaler owns at runtime. Empty otherwise.
   * After `retargetAutoscaling` (an Argo Rollout took over a Deployment) the Deployment's entry stays: Argo
   * Rollouts scales that Deployment (to 0).
   */
  public readonly ignoreDifferences: IgnoreDifference[];

  private scaleTarget: WorkloadReference;

  constructor(scope: Construct, id: string, props: GpuInferenceServiceProps) {
    super(scope, id);
    checkProps(this, props, gpuInferenceServiceShape(), { name: 'GpuInferenceServiceProps' });
    this.name = requireDnsLabel(this, 'name', props.name, 52);
    const binding = TenantBinding.bind(this, { namespace: props.namespace, tenant: props.tenant });
    const tenant = binding.tenant;
    this.namespace = binding.namespace;
    this.engine = props.engine ?? ServingEngine.vllm();
    requireLabels(this, 'labels', props.labels);
    const nodes = requireInteger(this, 'nodesPerReplica', props.nodesPerReplica ?? 1, 1);
    const multiNode = nodes > 1;

    // Replicas and autoscaling.
    const autoscaling = props.autoscaling;
    if (autoscaling && props.replicas !== undefined) {
      fail(this, 'replicas', props.replicas, 'leave replicas out when autoscaling is set (the autoscaler owns the count)');
    }
    let bound: BoundAutoscaling | undefined;
    if (autoscaling) {
      if (!(autoscaling instanceof Autoscaling)) fail(this, 'autoscaling', autoscaling, 'Autoscaling.hpa(...), Autoscaling.keda(...) or Autoscaling.external(...)');
      bound = autoscaling._bind(this, 'autoscaling', { engine: this.engine });
      this.minReplicas = bound.minReplicas;
      this.maxReplicas = bound.maxReplicas;
    } else {
      const r = props.replicas ?? 1;
      if (r === 0) fail(this, 'replicas', 0, 'at least 1; scale to zero only with Autoscaling.keda(...)');
      this.minReplicas = this.maxReplicas = requireInteger(this, 'replicas', r, 1);
    }

    // Workload kind.
    const cache = props.modelCache;
    const perReplica = cache?._perReplica === true;
    if (multiNode) {
      if (props.workloadKind) fail(this, 'workloadKind', props.workloadKind._render(), 'left out when nodesPerReplica > 1 (a LeaderWorkerSet runs multi-node replicas)');
      if (perReplica) fail(this, 'modelCache', 'perReplica', 'a shared (ReadWriteMany) or existing claim when nodesPerReplica > 1: every pod of a group loads the same weights');
      if (props.rollout) fail(this, 'rollout', props.rollout._name, 'left out when nodesPerReplica > 1 (the LeaderWorkerSet replaces one group at a time)');
      this.workloadKind = 'LeaderWorkerSet';
    } else {
      const kind = props.workloadKind ?? (perReplica ? ServingWorkloadKind.STATEFUL_SET : ServingWorkloadKind.DEPLOYMENT);
      if (perReplica && kind !== ServingWorkloadKind.STATEFUL_SET) {
        fail(this, 'workloadKind', kind._render(), 'StatefulSet with ModelCache.perReplica (volumeClaimTemplates)');
      }
      if (kind === ServingWorkloadKind.STATEFUL_SET && props.rollout) {
        fail(this, 'rollout', props.rollout._name, 'left out for a StatefulSet: it replaces one pod at a time without surge');
      }
      this.workloadKind = kind._render();
    }

    // Rollout budget (Deployment only).
    const rollout = this.workloadKind === 'Deployment' ? (props.rollout ?? RolloutStrategy.rollingUpdate())._bind(this, 'rollout') : undefined;
    const surge = rollout?.surge ?? 0;

    // Identity and labels.
    const identity = { name: this.name, component: 'server', partOf: props.partOf, tenant: tenant?.tenantName };
    this.selectorLabels = selectorLabels(identity);
    this.labels = { ...props.labels, ...standardLabels(identity) };
    this.serviceName = this.name;

    // Service account (its token is never mounted).
    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: this.meta(this.name),
      automountServiceAccountToken: false,
    });
    setSyncWave(this.serviceAccount, SyncWave.POLICY);

    // Model cache.
    const boundCache = cache?._bind({
      scope: this,
      meta: (name) => this.meta(name),
      // A claim name is a DNS subdomain (253), so a service name within its 52 limit never overflows it.
      defaultClaimName: () => childName(this, 'name', [this.name, 'model-cache'], 253),
      pods: this.maxReplicas * nodes,
      labels: this.labels,
    });
    this.modelCacheClaim = boundCache?.claim;
    const cacheMount: ModelCacheMount | undefined = boundCache?.mount;
    if (boundCache === undefined && multiNode) {
      addWarning(this, 'modelCache: no shared cache for a multi-node service; every pod downloads the weights itself');
    }

    // Pods.
    const download = props.modelDownload ?? true;
    const podLabels = { ...props.labels, ...standardLabels(identity) };
    const scheduling = this.schedulingFor(props, multiNode);
    // The shared ModelServerOptions pass through as given; the rest is what this construct derives.
    const podProps = (role?: MultiNodeRole): ModelServerPodProps => ({
      ...pickModelServerOptions(props),
      engine: this.engine,
      gpu: props.gpu,
      modelCache: cacheMount,
      offline: !download,
      serviceAccountName: this.serviceAccount.name,
      placement: binding.placement(props.placement),
      labels: role ? { ...podLabels, [ROLE_LABEL]: role._render() } : podLabels,
      annotations: role === MultiNodeRole.WORKER ? undefined : {
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(this.engine.metricsPort),
        'prometheus.io/path': this.engine.metricsPath,
      },
      multiNode: role ? { role, nodes } : undefined,
    });
    this.pod = buildModelServerPod(this, '', podProps(multiNode ? MultiNodeRole.LEADER : undefined));
    const withScheduling = (t: k8s.PodTemplateSpec): k8s.PodTemplateSpec => ({ ...t, spec: { ...t.spec!, ...scheduling(t.spec!) } });
    this.podTemplate = withScheduling(this.pod.template);
    this.port = this.pod.port;
    this.metricsPort = this.engine._separateMetricsPort ? this.engine.metricsPort : (this.port === 9090 ? 9091 : 9090);

    // The workload.
    if (props.progressDeadline !== undefined && this.workloadKind !== 'Deployment') {
      // Only a Deployment has spec.progressDeadlineSeconds; silently dropping the prop would hide that.
      fail(this, 'progressDeadline', `${props.progressDeadline.toSeconds()}s`,
        `left out for a ${this.workloadKind}: only a Deployment has a progress deadline (the startup probe, from maxModelLoadTime, bounds each pod's load)`);
    }
    const progressDeadline = props.progressDeadline?.toSeconds() ?? this.pod.maxModelLoadSeconds + 600;
    requireInteger(this, 'progressDeadline', progressDeadline, 1);
    // The rule the docs state: at least the load time as given (the probe's budget rounds it up to its period).
    const loadSeconds = props.maxModelLoadTime?.toSeconds() ?? this.pod.maxModelLoadSeconds;
    if (progressDeadline < loadSeconds) {
      fail(this, 'progressDeadline', `${progressDeadline}s`, `at least maxModelLoadTime (${loadSeconds}s), or every rollout is reported failed while the model loads`);
    }
    const autoscaled = autoscaling !== undefined;
    let workerTemplate: k8s.PodTemplateSpec | undefined;
    if (this.workloadKind === 'Deployment') {
      this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
        metadata: this.meta(this.name),
        spec: {
          replicas: autoscaled ? undefined : this.minReplicas,
          selector: { matchLabels: this.selectorLabels },
          template: this.podTemplate,
          strategy: rollout!.strategy,
          progressDeadlineSeconds: progressDeadline,
          revisionHistoryLimit: 5,
        },
      });
      setSyncWave(this.deployment, SyncWave.WORKLOAD);
    } else if (this.workloadKind === 'StatefulSet') {
      const headlessName = childName(this, 'name', [this.name, 'headless']);
      this.headlessService = new k8s.KubeService(this, 'HeadlessService', {
        metadata: this.meta(headlessName),
        spec: {
          clusterIp: 'None',
          selector: this.selectorLabels,
          ports: [{ name: HTTP_PORT_NAME, port: this.port, targetPort: k8s.IntOrString.fromString(HTTP_PORT_NAME) }],
        },
      });
      setSyncWave(this.headlessService, SyncWave.WORKLOAD);
      this.statefulSet = new k8s.KubeStatefulSet(this, 'StatefulSet', {
        metadata: this.meta(this.name),
        spec: {
          serviceName: headlessName,
          replicas: autoscaled ? undefined : this.minReplicas,
          selector: { matchLabels: this.selectorLabels },
          template: this.podTemplate,
          podManagementPolicy: 'Parallel',
          updateStrategy: { type: 'RollingUpdate' },
          revisionHistoryLimit: 5,
          volumeClaimTemplates: boundCache?.volumeClaimTemplates,
        },
      });
      setSyncWave(this.statefulSet, SyncWave.WORKLOAD);
    } else {
      const worker = buildModelServerPod(this, 'worker', podProps(MultiNodeRole.WORKER));
      workerTemplate = withScheduling(worker.template);
      this.leaderWorkerSet = new LeaderWorkerSet(this, 'LeaderWorkerSet', {
        name: this.name,
        namespace: this.namespace,
        replicas: this.minReplicas,
        // The autoscaler owns the count; a replicas field in Git would fight it on every sync.
        omitReplicas: autoscaled,
        size: nodes,
        leaderTemplate: this.podTemplate,
        workerTemplate,
        rolloutStrategy: { maxSurge: k8s.IntOrString.fromNumber(0), maxUnavailable: k8s.IntOrString.fromNumber(1) },
        labels: this.labels,
      });
    }
    this.scaleTarget = this.workloadRef;
    const ref = this.workloadRef;
    this.ignoreDifferences = autoscaled ? [{
      group: ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '',
      kind: ref.kind,
      name: ref.name,
      namespace: this.namespace,
      jsonPointers: ['/spec/replicas'],
    }] : [];

    // The ClusterIP Service (leaders only for multi-node).
    const serviceSelector = multiNode ? { ...this.selectorLabels, [ROLE_LABEL]: MultiNodeRole.LEADER._render() } : this.selectorLabels;
    this.service = new k8s.KubeService(this, 'Service', {
      metadata: this.meta(this.serviceName),
      spec: {
        type: 'ClusterIP',
        selector: serviceSelector,
        ports: [
          { name: 'http', port: this.port, targetPort: k8s.IntOrString.fromString(HTTP_PORT_NAME), protocol: 'TCP' },
          { name: 'metrics', port: this.metricsPort, targetPort: k8s.IntOrString.fromString(this.pod.metricsPortName), protocol: 'TCP' },
        ],
      },
    });
    setSyncWave(this.service, SyncWave.WORKLOAD);

    // Autoscaling.
    this.customMetrics = bound ? [...bound.customMetrics] : [];
    const autoscaler = bound?.renderInto(this, { hpa: 'HPA', scaledObject: 'ScaledObject' }, {
      metadata: this.meta(this.name),
      scaleTargetRef: () => this.scaleTarget,
      podNamePattern: this.podNamePattern(),
    });
    if (autoscaler) setSyncWave(autoscaler, SyncWave.WORKLOAD);
    if (autoscaler instanceof keda.ScaledObject) this.scaledObject = autoscaler;
    else if (autoscaler) this.hpa = autoscaler as k8s.KubeHorizontalPodAutoscalerV2;

    // Disruption budget: a drain takes one replica at a time. With a single replica there is none: a PDB
    // could only forbid every eviction (blocking node drains) or allow the outage anyway.
    // Multi-node: still 1 pod. Evicting one pod recreates its whole group (RecreateGroupOnPodRestart), whose
    // pods then count as unavailable until it is back, so one group at a time goes down; a budget of
    // `nodes` pods would let two groups each lose a pod at the same moment.
    // HPA/KEDA can scale down to minReplicas, so the floor decides: at 1 replica a budget of 1 lets the only
    // pod go, which would only pretend to protect the service.
    const pdbWanted = props.podDisruptionBudget ?? true;
    if (pdbWanted && this.minReplicas < 2) {
      const fix = 'set replicas (or autoscaling.minReplicas) to 2 or more for a budget that keeps one pod serving, or podDisruptionBudget: false to accept the downtime';
      if (props.podDisruptionBudget === true) {
        fail(this, 'podDisruptionBudget', true, `false, or a service of at least 2 replicas: with ${this.minReplicas} no budget keeps a pod serving during a node drain; ${fix}`);
      }
      addWarning(this, `podDisruptionBudget: none created, since the service can run ${this.minReplicas} replica${this.minReplicas === 1 ? '' : 's'} and a node drain then takes it down; ${fix}`);
    }
    if (pdbWanted && this.minReplicas >= 2) {
      this.pdb = new k8s.KubePodDisruptionBudget(this, 'PodDisruptionBudget', {
        metadata: this.meta(this.name),
        spec: {
          maxUnavailable: k8s.IntOrString.fromNumber(1),
          selector: { matchLabels: this.selectorLabels },
          // Let a crash-looping pod be evicted, or it blocks node drains forever.
          unhealthyPodEvictionPolicy: 'AlwaysAllow',
        },
      });
      setSyncWave(this.pdb, SyncWave.WORKLOAD);
    }

    // Network policies.
    if (props.networkPolicy ?? true) this.createNetworkPolicies(props, multiNode, download);

    // Monitoring.
    if (props.monitor) this.createMonitor(props.monitor, serviceSelector);

    // Scheduling checks that need the pool size.
    this.checkPool(props, surge);

    // Tenant quota and LimitRange, at the service's peak: max replicas plus rollout surge, every pod of every group.
    if (tenant) {
      const peak = this.peak(surge, nodes);
      const groups = peak.pods / nodes;
      // LimitRange errors name the props that set the engine container's resources.
      const resourceProps = { [this.pod.container.name]: { cpu: 'cpu', memory: 'memory', gpu: 'gpu.count' } };
      const parts: PodPart[] = [{ pods: groups, spec: this.podTemplate.spec, prop: 'podTemplate', resourceProps }];
      if (workerTemplate) parts.push({ pods: groups * (nodes - 1), spec: workerTemplate.spec, prop: 'podTemplate', resourceProps });
      binding.checkPods(() => ({ description: peak.description, parts }));
    }
  }

  /** The workload the Service fronts (`apps/v1 Deployment`, `apps/v1 StatefulSet` or the LeaderWorkerSet). */
  public get workloadRef(): WorkloadReference {
    if (this.workloadKind === 'LeaderWorkerSet') return { apiVersion: 'leaderworkerset.x-k8s.io/v1', kind: 'LeaderWorkerSet', name: this.name };
    return { apiVersion: 'apps/v1', kind: this.workloadKind, name: this.name };
  }

  /** The Deployment's name, for constructs that reference it (an Argo Rollout `workloadRef`). Undefined otherwise. */
  public get deploymentName(): string | undefined {
    return this.deployment ? this.name : undefined;
  }

  /** What the HPA or ScaledObject scales (the workload unless retargeted). */
  public get scaleTargetRef(): WorkloadReference {
    return this.scaleTarget;
  }

  /**
   * Points the HPA or ScaledObject at another scalable object, for example an Argo Rollout that took over
   * the Deployment through `workloadRef`.
   */
  public retargetAutoscaling(target: WorkloadReference): void {
    this.scaleTarget = { ...target };
  }

  private meta(name: string): { name: string; namespace: string; labels: { [key: string]: string } } {
    return { name, namespace: this.namespace, labels: this.labels };
  }

  private schedulingFor(props: GpuInferenceServiceProps, multiNode: boolean): (spec: k8s.PodSpec) => Partial<k8s.PodSpec> {
    const spread = props.spread ?? true;
    const anti = props.antiAffinity ?? AntiAffinity.NONE;
    const selector = { matchLabels: this.selectorLabels };
    // Spread per revision, so old and new pods of a rollout are counted apart.
    const revisionKey = multiNode ? undefined : (props.workloadKind === ServingWorkloadKind.STATEFUL_SET || props.modelCache?._perReplica === true)
      ? ['controller-revision-hash'] : ['pod-template-hash'];
    return (spec) => {
      const tsc: k8s.TopologySpreadConstraint[] = spread ? ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'].map((topologyKey) => ({
        maxSkew: 1,
        topologyKey,
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: selector,
        matchLabelKeys: revisionKey,
      })) : [];
      const term = { topologyKey: 'kubernetes.io/hostname', labelSelector: selector };
      const podAntiAffinity: k8s.PodAntiAffinity | undefined = anti === AntiAffinity.HARD
        ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
        : anti === AntiAffinity.SOFT ? { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } : undefined;
      return {
        topologySpreadConstraints: tsc.length > 0 ? tsc : undefined,
        affinity: podAntiAffinity ? { ...spec.affinity, podAntiAffinity } : spec.affinity,
      };
    };
  }

  /** A regex for this service's pod names (Deployment `<name>-<hash>-<id>`, StatefulSet `<name>-<n>`, LWS). */
  private podNamePattern(): string {
    if (this.workloadKind === 'Deployment') return `${this.name}-[a-z0-9]+-[a-z0-9]+`;
    if (this.workloadKind === 'StatefulSet') return `${this.name}-[0-9]+`;
    return `${this.name}-[0-9]+`; // LWS leaders
  }

  private createNetworkPolicies(props: GpuInferenceServiceProps, multiNode: boolean, download: boolean): void {
    const podSelector = { matchLabels: this.selectorLabels };
    const monitoring = requireDnsLabel(this, 'monitoringNamespace', props.monitoringNamespace ?? 'monitoring');
    const clients = props.clients ?? [];
    if (clients.length === 0) {
      addWarning(this, 'clients: none declared, so the NetworkPolicy admits no client on the serving port');
    }
    const tcp = (port: number): k8s.NetworkPolicyPort => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) });
    const ingress: k8s.NetworkPolicyIngressRule[] = [];
    if (clients.length > 0) ingress.push({ from: clients.map((c) => c._render()), ports: [tcp(this.port)] });
    ingress.push({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': monitoring } } }],
      ports: [tcp(this.engine.metricsPort)],
    });
    // Multi-node groups talk among themselves (NCCL, Ray, torch.distributed) on many ports.
    if (multiNode) ingress.push({ from: [{ podSelector }] });
    const ing = new k8s.KubeNetworkPolicy(this, 'IngressPolicy', {
      metadata: this.meta(childName(this, 'name', [this.name, 'ingress'])),
      spec: { podSelector, policyTypes: ['Ingress'], ingress },
    });
    const egress: k8s.NetworkPolicyEgressRule[] = [{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }, { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) }],
    }];
    if (download) {
      // The model hub over HTTPS: public addresses only, never the cloud metadata endpoints or the private
      // ranges (cluster and VPC services), so the service never widens a tenant's default deny. Policies add
      // up: a tenant (or another policy) that allows private egress still does.
      egress.push({ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: [...MODEL_HUB_EGRESS_EXCEPT] } }], ports: [tcp(443)] });
    }
    if (multiNode) egress.push({ to: [{ podSelector }] });
    const eg = new k8s.KubeNetworkPolicy(this, 'EgressPolicy', {
      metadata: this.meta(childName(this, 'name', [this.name, 'egress'])),
      spec: { podSelector, policyTypes: ['Egress'], egress },
    });
    for (const p of [ing, eg]) setSyncWave(p, SyncWave.POLICY);
    this.networkPolicies.push(ing, eg);
  }

  private createMonitor(monitor: MetricsMonitor, serviceSelector: { [key: string]: string }): void {
    const bound = monitor._bind({
      scope: this, name: this.name, namespace: this.namespace, labels: this.labels,
      serviceSelector: this.selectorLabels, podSelector: serviceSelector,
      metricsPath: this.engine.metricsPath, metricsPortName: this.pod.metricsPortName,
    });
    (this as { serviceMonitor?: sm.ServiceMonitor }).serviceMonitor = bound.serviceMonitor;
    (this as { podMonitor?: pm.PodMonitor }).podMonitor = bound.podMonitor;
  }

  private checkPool(props: GpuInferenceServiceProps, surge: number): void {
    if (props.nodePoolSize === undefined) return;
    const pool = requireInteger(this, 'nodePoolSize', props.nodePoolSize, 1);
    if (props.antiAffinity !== AntiAffinity.HARD) return;
    const nodes = props.nodesPerReplica ?? 1;
    if (this.maxReplicas * nodes > pool) {
      fail(this, 'antiAffinity', 'HARD', `at most one pod per node, so at most ${pool} pods on the ${pool}-node pool; the service wants ${this.maxReplicas * nodes} (use AntiAffinity.SOFT or fewer replicas)`);
    }
    if (surge > 0 && this.maxReplicas + surge > pool) {
      fail(this, 'rollout.maxSurge', surge, `0 with hard anti-affinity and ${this.maxReplicas} replicas on a ${pool}-node pool: the surge pod has no free node and the rollout stays Pending`);
    }
  }

  private peak(surge: number, nodes: number): PeakUsage {
    const pods = (this.maxReplicas + surge) * nodes;
    const parts = [`${this.maxReplicas} ${this.minReplicas === this.maxReplicas ? 'replicas' : 'max replicas'}`];
    if (surge > 0) parts.push(`${surge} surge`);
    const per = this.pod.gpuCount > 0 ? `, ${this.pod.gpuCount} GPU(s) per pod` : '';
    return { pods, description: `${parts.join(' + ')}${nodes > 1 ? ` x ${nodes} pods per group` : ''}${per}` };
  }
}

