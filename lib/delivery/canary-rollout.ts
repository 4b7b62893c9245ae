import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { HttpRoute } from '../../imports/httproute-gateway.networking.k8s.io';
import {
  Rollout,
  RolloutSpec,
  RolloutSpecStrategyCanary,
  RolloutSpecStrategyCanaryMaxSurge,
  RolloutSpecStrategyCanaryMaxUnavailable,
  RolloutSpecStrategyCanarySteps,
  toJson_RolloutSpec,
} from '../../imports/rollouts-argoproj.io';
import { GpuResource, ITenant, SyncWave, WorkloadIdentity } from '../core';
import { addRule, fail, formatViolation, requireInteger, requirePort } from '../core/errors';
import { TenantBinding, WorkloadPods } from '../core/tenant';
import { requireDnsSubdomain } from '../core/names';
import { requireGpuCount } from '../core/quantity';
import { selectorLabels, standardLabels, validateIdentity } from '../core/labels';
import { setSyncWave, setSyncWaveAll } from '../core/sync-wave';
import { k8s } from '../core/k8s';
import { IgnoreDifference } from '../core/ignore-differences';
import { checkProps, requireDnsLabel1035 } from '../core/validate';
import { CanaryAnalysisTemplate } from './analysis-template';
import { AnalysisArg, CanaryStep } from './canary-step';
import { findApiObjects } from './internal';
import { Autoscaling, BoundAutoscaling } from '../inference/autoscaling';
import { GatewayApiPluginConfig, TrafficRouting } from './traffic-routing';
import { BoundWorkloadRef, WorkloadRef, WorkloadScaleDown } from './workload-ref';
import { canaryRolloutShape } from './shapes';

/** JSON pointer of the selector key Argo Rollouts adds to the stable and canary Services. */
const ROLLOUT_SELECTOR_HASH_POINTER = '/spec/selector/rollouts-pod-template-hash';

/** Analysis that runs in the background while the steps progress; a failure aborts the rollout. */
export interface BackgroundAnalysis {
  /** The template (in the Rollout's namespace). */
  readonly template: CanaryAnalysisTemplate;
  /**
   * Values for the template's args.
   * @default - none (the template's defaults)
   */
  readonly args?: AnalysisArg[];
  /**
   * Index of the step at which the analysis starts (for example after the first setWeight).
   * @default 0
   */
  readonly startingStep?: number;
}

/** Props of a CanaryRollout. */
export interface CanaryRolloutProps {
  /** The Rollout name; also the base of the Service, HTTPRoute and autoscaler names. */
  readonly name: string;
  /**
   * The namespace.
   * @default - the tenant's namespace (one of `namespace` or `tenant` is required)
   */
  readonly namespace?: string;
  /**
   * The tenant: namespace, tenant label (an `identity.tenant` other than the tenant's is an error), node
   * placement of an own pod template, the quota check of the canary at its peak, and the LimitRange check of an
   * own pod template.
   * @default - no tenant, no quota check
   */
  readonly tenant?: ITenant;
  /**
   * Labels of the Rollout (and, with `template`, its pods and selector).
   * @default - `{ name }`
   */
  readonly identity?: WorkloadIdentity;
  /**
   * The Rollout's own pod template. Exactly one of `template` and `workloadRef`.
   * @default - none
   */
  readonly template?: k8s.PodTemplateSpec;
  /**
   * An existing Deployment whose pod template the Rollout runs. Exactly one of `template` and `workloadRef`.
   * @default - none
   */
  readonly workloadRef?: WorkloadRef;
  /**
   * Replicas of the Rollout. Left out when `autoscaling` is set.
   * @default - the referenced Deployment's replicas, or 1
   */
  readonly replicas?: number;
  /** The canary steps, at least one. After the last step the canary is promoted to 100%. */
  readonly steps: CanaryStep[];
  /**
   * Analysis that runs in the background from `startingStep`.
   * @default - none
   */
  readonly backgroundAnalysis?: BackgroundAnalysis;
  /**
   * How traffic is split.
   * @default TrafficRouting.none()
   */
  readonly trafficRouting?: TrafficRouting;
  /**
   * Port of the stable and canary Services.
   * @default - the first container port of the pod template (required with `WorkloadRef.deploymentNamed`)
   */
  readonly port?: number;
  /**
   * Container port the Services send to.
   * @default - same as `port`
   */
  readonly targetPort?: number;
  /**
   * Name of the stable Service.
   * @default - `<name>-stable`
   */
  readonly stableServiceName?: string;
  /**
   * Name of the canary Service. It must differ from the stable Service's name and from every other Service of
   * the namespace (checked at synth).
   * @default - `<name>-canary`
   */
  readonly canaryServiceName?: string;
  /**
   * Scale the stable ReplicaSet down as the canary weight rises (traffic routing only), so a GPU canary
   * does not need a second full set of GPUs at promotion.
   * @default false
   */
  readonly dynamicStableScale?: boolean;
  /**
   * Seconds the canary stays up after an abort (with dynamicStableScale).
   * @default - Argo Rollouts default (30)
   */
  readonly abortScaleDownDelaySeconds?: number;
  /**
   * Seconds the old stable stays up after promotion (traffic routing only).
   * @default - Argo Rollouts default (30)
   */
  readonly scaleDownDelaySeconds?: number;
  /**
   * Extra pods allowed above `replicas` while pods are replaced.
   * @default - Argo Rollouts default ("25%")
   */
  readonly maxSurge?: number;
  /**
   * Pods that may be unavailable while pods are replaced.
   * @default - Argo Rollouts default ("25%")
   */
  readonly maxUnavailable?: number;
  /**
   * An HPA or KEDA ScaledObject that targets the Rollout (`Autoscaling.hpa` / `keda`), or an autoscaler
   * defined elsewhere (`Autoscaling.external`). The pods have no known engine, so metrics are
   * `PodMetric.named(series, target)` or `cpuUtilization`; a KEDA query sums over the Rollout's pods,
   * `<name>-<hash>-<id>`.
   * @default - fixed replicas
   */
  readonly autoscaling?: Autoscaling;
  /**
   * GPUs per pod for the quota check.
   * @default - the sum of `nvidia.com/*` requests/limits of the pod template's containers
   */
  readonly gpusPerPod?: number;
  /**
   * The GPU resource `gpusPerPod` counts.
   * @default GpuResource.NVIDIA_GPU
   */
  readonly gpuResource?: GpuResource;
  /**
   * Seconds a step may take to make progress before the rollout is marked degraded.
   * @default - Argo Rollouts default (600)
   */
  readonly progressDeadlineSeconds?: number;
  /**
   * Abort the rollout when the progress deadline passes.
   * @default false
   */
  readonly progressDeadlineAbort?: boolean;
  /**
   * Old ReplicaSets kept for rollback.
   * @default - Argo Rollouts default (10)
   */
  readonly revisionHistoryLimit?: number;
}

/** The scale subresource target of a Rollout (for an HPA or KEDA `scaleTargetRef`). */
export interface RolloutScaleTarget {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

/**
 * A progressive canary with Argo Rollouts: a Rollout with its own pod template or a `workloadRef` to an
 * existing Deployment, the stable and canary Services it names, optional Gateway API HTTPRoute and
 * autoscaler, and the Argo CD ignoreDifferences entries for what the controllers change at runtime.
 */
export class CanaryRollout extends Construct {
  /** The Rollout name. */
  public readonly rolloutName: string;
  /** The namespace. */
  public readonly namespace: string;
  /** The Rollout (argoproj.io/v1alpha1). */
  public readonly rollout: ApiObject;
  /** The stable Service. */
  public readonly stableService: k8s.KubeService;
  /** The canary Service. */
  public readonly canaryService: k8s.KubeService;
  /** The HTTPRoute, with Gateway API traffic routing. */
  public readonly httpRoute?: HttpRoute;
  /** The Gateway API plugin config, with Gateway API traffic routing. */
  public readonly gatewayApiPluginConfig?: GatewayApiPluginConfig;
  /** The HPA or ScaledObject, when `autoscaling` creates one. */
  public readonly autoscaler?: ApiObject;
  /** What an HPA or ScaledObject puts in `scaleTargetRef` to scale this Rollout. */
  public readonly scaleTargetRef: RolloutScaleTarget;
  /** Fields Argo CD must not treat as drift (route weights, replicas under an autoscaler, the scaled-down Deployment). */
  public readonly ignoreDifferences: IgnoreDifference[];
  /** The traffic weights of the steps in order (the setWeight values). */
  public readonly weights: number[];

  private readonly props: CanaryRolloutProps;
  private readonly routing: TrafficRouting;
  private readonly ownTemplate?: any;
  /** The referenced Deployment, when the Rollout runs one (`workloadRef`). */
  private readonly ref?: BoundWorkloadRef;
  private readonly scaling?: BoundAutoscaling;
  private readonly binding: TenantBinding;

  constructor(scope: Construct, id: string, props: CanaryRolloutProps) {
    super(scope, id);
    checkProps(this, props, canaryRolloutShape(), { name: 'CanaryRolloutProps' });
    this.props = props;
    this.rolloutName = requireDnsSubdomain(this, 'name', props.name);
    this.binding = TenantBinding.bind(this, { namespace: props.namespace, tenant: props.tenant, tenantLabel: props.identity?.tenant });
    this.namespace = this.binding.namespace;
    this.routing = props.trafficRouting ?? TrafficRouting.none();
    const identity: WorkloadIdentity = { name: props.name, ...props.identity, tenant: props.identity?.tenant ?? props.tenant?.tenantName };
    validateIdentity(this, 'identity', identity);

    // Exactly one source of pods.
    if ((props.template === undefined) === (props.workloadRef === undefined)) {
      fail(this, 'template', props.template === undefined ? 'neither template nor workloadRef' : 'both template and workloadRef',
        'exactly one of template (own pod template) and workloadRef (an existing Deployment)');
    }
    const ref = props.workloadRef?._bind();
    this.ref = ref;
    if (ref) {
      if (ref.object && !(ref.object.apiVersion === 'apps/v1' && ref.object.kind === 'Deployment')) {
        fail(this, 'workloadRef', `${ref.object.apiVersion} ${ref.object.kind} ${ref.name}`, 'an apps/v1 Deployment');
      }
      if (ref.namespace !== undefined && ref.namespace !== this.namespace) {
        fail(this, 'workloadRef', `${ref.namespace}/${ref.name}`, `a Deployment in the Rollout's namespace "${this.namespace}"`);
      }
    }

    // Counts.
    if (props.replicas !== undefined) requireInteger(this, 'replicas', props.replicas, 0);
    if (props.replicas !== undefined && props.autoscaling) {
      fail(this, 'replicas', props.replicas, 'no replicas when autoscaling is set (the autoscaler owns spec.replicas)');
    }
    if (props.autoscaling !== undefined && !(props.autoscaling instanceof Autoscaling)) {
      fail(this, 'autoscaling', props.autoscaling, 'Autoscaling.hpa(...), Autoscaling.keda(...) or Autoscaling.external(...)');
    }
    this.scaling = props.autoscaling?._bind(this, 'autoscaling');
    if (props.gpusPerPod !== undefined) requireGpuCount(this, 'gpusPerPod', props.gpusPerPod, 0);
    props.gpuResource?.validate(this, 'gpuResource');
    if (props.maxSurge !== undefined) requireInteger(this, 'maxSurge', props.maxSurge, 0);
    if (props.maxUnavailable !== undefined) requireInteger(this, 'maxUnavailable', props.maxUnavailable, 0);
    if (props.maxSurge === 0 && props.maxUnavailable === 0) fail(this, 'maxUnavailable', 0, 'a value > 0 when maxSurge is 0');
    for (const key of ['abortScaleDownDelaySeconds', 'scaleDownDelaySeconds', 'progressDeadlineSeconds', 'revisionHistoryLimit'] as const) {
      if (props[key] !== undefined) requireInteger(this, key, props[key]!, 0);
    }
    if (props.dynamicStableScale && !this.routing._routed) {
      fail(this, 'dynamicStableScale', true, 'true only with a traffic router (TrafficRouting.nginx or gatewayApi)');
    }

    // Own pod template: standard labels, tenant placement.
    let podLabels: { [key: string]: string } | undefined;
    if (props.template) {
      podLabels = selectorLabels(identity);
      const spec = props.template.spec ?? fail(this, 'template.spec', undefined, 'a pod spec with at least one container');
      if (!spec.containers || spec.containers.length === 0) fail(this, 'template.spec.containers', spec.containers, 'at least one container');
      this.ownTemplate = k8s.toJson_PodTemplateSpec({
        metadata: {
          ...props.template.metadata,
          labels: { ...props.template.metadata?.labels, ...standardLabels(identity) },
        },
        spec: this.binding.place(spec),
      });
    }

    // Ports.
    const port = requirePort(this, 'port', props.port ?? this.defaultPort());
    const targetPort = requirePort(this, 'targetPort', props.targetPort ?? port);

    // Services.
    // Service names are DNS-1035 labels. A derived one that overflows is reported on `name`, the prop the user set.
    const serviceName = (prop: string, given: string | undefined, suffix: string): string => {
      if (given !== undefined) return requireDnsLabel1035(this, prop, given);
      const derived = `${this.rolloutName}-${suffix}`;
      if (derived.length > 63 || !/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(derived)) {
        fail(this, 'name', this.rolloutName, `a DNS-1035 label of at most ${63 - suffix.length - 1} characters (starting with a letter), as ${prop} "${derived}" is derived from it; or set stableServiceName and canaryServiceName`);
      }
      return derived;
    };
    const stableName = serviceName('stableServiceName', props.stableServiceName, 'stable');
    const canaryName = serviceName('canaryServiceName', props.canaryServiceName, 'canary');
    if (stableName === canaryName) {
      fail(this, 'canaryServiceName', canaryName, `a name different from the stable Service "${stableName}"`);
    }
    // With workloadRef the selector is the Deployment's, read at synth (the Deployment may still be changing).
    const matchLabels = podLabels ?? (Lazy.any({ produce: () => this.targetJson()?.spec?.selector?.matchLabels ?? {} }) as unknown as { [key: string]: string });
    const objLabels = standardLabels(identity);
    const service = (id: string, name: string, role: string) => new k8s.KubeService(this, id, {
      metadata: { name, namespace: this.namespace, labels: { ...objLabels, 'gpu-platform.dev/rollout-role': role } },
      spec: {
        type: 'ClusterIP',
        // Argo Rollouts adds rollouts-pod-template-hash to this selector at runtime.
        selector: matchLabels,
        ports: [{ name: 'http', port, targetPort: k8s.IntOrString.fromNumber(targetPort), protocol: 'TCP' }],
      },
    });
    this.stableService = service('StableService', stableName, 'stable');
    this.canaryService = service('CanaryService', canaryName, 'canary');

    // Steps.
    const steps = this.renderSteps();
    this.weights = props.steps.flatMap((s) => (s._trafficWeight === undefined ? [] : [s._trafficWeight]));

    // Traffic routing.
    const routing = this.routing._bind({
      scope: this, rolloutName: this.rolloutName, namespace: this.namespace, labels: objLabels,
      stableServiceName: stableName, canaryServiceName: canaryName, port,
    });
    const trafficRouting = routing.trafficRouting;
    this.httpRoute = routing.httpRoute;
    this.gatewayApiPluginConfig = routing.gatewayApiPluginConfig;

    // Background analysis.
    let analysis: RolloutSpecStrategyCanary['analysis'];
    if (props.backgroundAnalysis) {
      const a = props.backgroundAnalysis;
      this.checkTemplate('backgroundAnalysis', a.template, a.args ?? [], false);
      const startingStep = a.startingStep === undefined ? undefined
        : requireInteger(this, 'backgroundAnalysis.startingStep', a.startingStep, 0, props.steps.length - 1);
      const args = (a.args ?? []).map((x) => x._render());
      analysis = { templates: [{ templateName: a.template.templateName }], args: args.length ? args : undefined, startingStep };
    }

    const canary: RolloutSpecStrategyCanary = {
      stableService: stableName,
      canaryService: canaryName,
      steps,
      analysis,
      trafficRouting,
      dynamicStableScale: props.dynamicStableScale,
      abortScaleDownDelaySeconds: props.abortScaleDownDelaySeconds,
      scaleDownDelaySeconds: props.scaleDownDelaySeconds,
      maxSurge: props.maxSurge === undefined ? undefined : RolloutSpecStrategyCanaryMaxSurge.fromNumber(props.maxSurge),
      maxUnavailable: props.maxUnavailable === undefined ? undefined : RolloutSpecStrategyCanaryMaxUnavailable.fromNumber(props.maxUnavailable),
    };
    const typed: RolloutSpec = {
      strategy: { canary },
      workloadRef: ref ? { apiVersion: 'apps/v1', kind: 'Deployment', name: ref.name, scaleDown: ref.scaleDown._render() } : undefined,
      progressDeadlineSeconds: props.progressDeadlineSeconds,
      progressDeadlineAbort: props.progressDeadlineAbort,
      revisionHistoryLimit: props.revisionHistoryLimit,
    };
    // The pod template is a k8s.PodTemplateSpec rendered with the core L1 serializer: the generated Rollout
    // class would re-serialize it with its own types and drop int-or-string fields such as probe ports.
    const spec: { [key: string]: any } = {
      ...toJson_RolloutSpec(typed),
      selector: { matchLabels },
      replicas: props.autoscaling ? undefined
        : props.replicas ?? (ref ? Lazy.any({ produce: () => this.targetJson()?.spec?.replicas ?? 1 }) : 1),
      template: this.ownTemplate,
    };
    this.rollout = new ApiObject(this, 'Rollout', {
      ...Rollout.GVK,
      metadata: { name: this.rolloutName, namespace: this.namespace, labels: objLabels },
      spec,
    });
    setSyncWave(this.rollout, SyncWave.ROLLOUT);
    this.scaleTargetRef = { apiVersion: Rollout.GVK.apiVersion, kind: Rollout.GVK.kind, name: this.rolloutName };

    // Autoscaler.
    this.autoscaler = this.scaling?.renderInto(this, { hpa: 'Hpa', scaledObject: 'ScaledObject' }, {
      metadata: { name: this.rolloutName, namespace: this.namespace, labels: objLabels },
      scaleTargetRef: () => this.scaleTargetRef,
      // Rollout pods are named like a Deployment's: <rollout>-<pod-template-hash>-<suffix>.
      podNamePattern: `${this.rolloutName}-[a-z0-9]+-[a-z0-9]+`,
    });
    if (this.autoscaler) setSyncWave(this.autoscaler, SyncWave.ROLLOUT);
    setSyncWaveAll(this, SyncWave.WORKLOAD);

    // Argo CD hints.
    // The controller writes `rollouts-pod-template-hash` into both Services' selector (argo-rollouts v1.9.1
    // rollout/service.go: ensureSVCTargets -> switchServiceSelector; the key is DefaultRolloutUniqueLabelKey,
    // pkg/apis/rollouts/v1alpha1/types.go). Service `spec.selector` is an atomic map for server-side apply, so a
    // self-heal apply of the Git selector would drop the key and send traffic to every ReplicaSet's pods. The
    // Application adds RespectIgnoreDifferences=true with these entries, so Argo CD applies the live value
    // (argo-cd v3.5 docs/user-guide/sync-options.md "Respect ignore difference configs").
    const ignore: IgnoreDifference[] = [this.stableService, this.canaryService].map((svc) => ({
      kind: 'Service', name: svc.name, namespace: this.namespace, jsonPointers: [ROLLOUT_SELECTOR_HASH_POINTER],
    }));
    if (this.httpRoute) {
      ignore.push({
        group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: this.httpRoute.name, namespace: this.namespace,
        jsonPointers: ['/metadata/labels/rollouts.argoproj.io~1gatewayapi-canary'],
        jqPathExpressions: ['.spec.rules[].backendRefs[].weight'],
      });
    }
    if (props.autoscaling) {
      ignore.push({ group: 'argoproj.io', kind: 'Rollout', name: this.rolloutName, namespace: this.namespace, jsonPointers: ['/spec/replicas'] });
    }
    if (ref && ref.scaleDown !== WorkloadScaleDown.NEVER) {
      ignore.push({ group: 'apps', kind: 'Deployment', name: ref.name, namespace: this.namespace, jsonPointers: ['/spec/replicas'] });
    }
    this.ignoreDifferences = ignore;

    // App-wide rules.
    if (ref) addRule(this, () => this.checkWorkloadRef());
    addRule(this, () => this.checkServiceNames());
    // With a workloadRef, the peak already counts the Deployment's pods where they overlap (scaleDown).
    this.binding.checkPods(() => this.peakWorkloadPods(), { covers: () => { const t = this.findTarget(); return t ? [t] : []; } });
  }

  /**
   * The most pods (stable and canary together) the rollout runs at any point of its steps when the workload has
   * `replicas` pods: what the tenant quota must fit during a rollout.
   * @param replicas the workload's replica count, an integer >= 0
   */
  public peakPods(replicas: number): number {
    const n = requireInteger(this, 'peakPods(replicas)', replicas, 0);
    const canaryFor = (w: number) => Math.ceil((w * n) / 100);
    if (!this.routing._routed) {
      // Basic canary: pods are split between the ReplicaSets, with up to maxSurge extra while they change.
      return n + (this.props.maxSurge ?? Math.ceil(n / 4));
    }
    const dynamic = this.props.dynamicStableScale === true;
    let weight = 0;
    let override: number | undefined;
    let stable = n;
    let peak = n;
    const visit = (canary: number) => {
      // The canary scales up before the stable scales down (dynamicStableScale) or the stable stays full.
      peak = Math.max(peak, canary + stable);
      stable = dynamic ? canaryFor(100 - weight) : n;
      peak = Math.max(peak, canary + stable);
    };
    for (const step of this.props.steps) {
      if (step._trafficWeight !== undefined) {
        weight = step._trafficWeight;
        visit(override ?? canaryFor(weight));
      } else if (step._canaryScale !== undefined) {
        const s = step._canaryScale;
        override = s.matchTrafficWeight ? undefined : s.replicas ?? (s.weight !== undefined ? canaryFor(s.weight) : undefined);
        visit(override ?? canaryFor(weight));
      }
    }
    weight = 100;
    visit(n);
    return peak;
  }

  private defaultPort(): number {
    const ref = this.ref;
    const template = this.ownTemplate ?? (ref?.object ? ref.object.toJson()?.spec?.template : undefined);
    const found = template?.spec?.containers?.flatMap((c: any) => c.ports ?? [])?.[0]?.containerPort;
    if (found === undefined) {
      fail(this, 'port', undefined, ref && !ref.object
        ? 'a port (required with WorkloadRef.deploymentNamed: the Deployment is only looked up at synth)'
        : 'a port, or a container port in the pod template to take it from');
    }
    return found;
  }

  private renderSteps(): RolloutSpecStrategyCanarySteps[] {
    const steps = this.props.steps;
    if (!Array.isArray(steps) || steps.length === 0) {
      fail(this, 'steps', steps, 'at least one CanaryStep, for example [CanaryStep.trafficWeight(10), CanaryStep.pause()]');
    }
    let previousWeight = 0;
    return steps.map((step, i): RolloutSpecStrategyCanarySteps => {
      const prop = `steps[${i}]`;
      if (!(step instanceof CanaryStep)) return fail(this, prop, step, 'a CanaryStep from its static factories');
      const rendered = step._render({
        scope: this, prop, previousWeight, routed: this.routing._routed,
        checkTemplate: (p, template, args) => this.checkTemplate(p, template, args, true),
      });
      previousWeight = step._trafficWeight ?? previousWeight;
      return rendered;
    });
  }

  /** A template must be in our namespace, get every required arg, only declared args and, in a step, be bounded. */
  private checkTemplate(prop: string, template: CanaryAnalysisTemplate, args: AnalysisArg[], inStep: boolean): void {
    if (template.namespace !== this.namespace) {
      fail(this, `${prop}.template`, `${template.namespace}/${template.templateName}`, `a template in the Rollout's namespace "${this.namespace}"`);
    }
    const given = args.map((a) => a.name);
    const unknown = given.filter((n) => !template.argNames.includes(n));
    if (unknown.length > 0) {
      fail(this, `${prop}.args`, unknown, `only args the template "${template.templateName}" declares (${template.argNames.join(', ') || 'none'})`);
    }
    const missing = template.requiredArgs.filter((n) => !given.includes(n));
    if (missing.length > 0) {
      fail(this, `${prop}.args`, given, `values for every template arg without a default (${template.requiredArgs.join(', ')})`);
    }
    if (inStep && !template.bounded) {
      fail(this, `${prop}.template`, template.templateName, 'a template whose metrics all set count (an unbounded metric never lets the step finish); use it as backgroundAnalysis instead');
    }
  }

  /** The referenced Deployment in this app, or undefined. */
  private findTarget(): ApiObject | undefined {
    const ref = this.ref;
    if (!ref) return undefined;
    const candidates = findApiObjects(this, 'apps/v1', 'Deployment')
      .filter((d) => d.name === ref.name && (d.metadata.namespace ?? this.namespace) === this.namespace);
    if (ref.object) return candidates.includes(ref.object) ? ref.object : undefined;
    return candidates[0];
  }

  private targetJson(): any {
    return this.findTarget()?.toJson();
  }

  private checkWorkloadRef(): string[] {
    const ref = this.ref!;
    const target = this.findTarget();
    if (!target) {
      return [formatViolation(this, 'workloadRef', `Deployment ${this.namespace}/${ref.name}`, 'a Deployment that exists in this app (same name and namespace)')];
    }
    const out: string[] = [];
    // An autoscaler on the Deployment would scale it back up while Argo scales it down.
    for (const [apiVersion, kind] of [['autoscaling/v2', 'HorizontalPodAutoscaler'], ['keda.sh/v1alpha1', 'ScaledObject']]) {
      for (const a of findApiObjects(this, apiVersion, kind)) {
        if ((a.metadata.namespace ?? this.namespace) !== this.namespace) continue;
        const t = a.toJson()?.spec?.scaleTargetRef ?? {};
        if (t.name === ref.name && (t.kind ?? 'Deployment') === 'Deployment') {
          out.push(formatViolation(this, 'workloadRef', `Deployment ${this.namespace}/${ref.name} (scaled by ${kind} ${a.name})`,
            'a Deployment without its own autoscaler: give the autoscaler to the Rollout (autoscaling) instead'));
        }
      }
    }
    return out;
  }

  private checkServiceNames(): string[] {
    const mine = new Set<ApiObject>([this.stableService, this.canaryService]);
    const out: string[] = [];
    for (const svc of findApiObjects(this, 'v1', 'Service')) {
      if (mine.has(svc) || (svc.metadata.namespace ?? '') !== this.namespace) continue;
      for (const [prop, own] of [['stableServiceName', this.stableService], ['canaryServiceName', this.canaryService]] as const) {
        if (svc.name === own.name) {
          out.push(formatViolation(this, prop, own.name, `a Service name not used by another Service in namespace ${this.namespace} (${svc.node.path})`));
        }
      }
    }
    return out;
  }

  /** The rollout's pods at its peak. */
  private peakWorkloadPods(): WorkloadPods {
    const ref = this.ref;
    const targetJson = ref ? this.targetJson() : undefined;
    const template = this.ownTemplate ?? targetJson?.spec?.template;
    const replicas = this.scaling?.maxReplicas ?? this.props.replicas ?? targetJson?.spec?.replicas ?? 1;
    let pods = this.peakPods(replicas);
    let why = `${pods} pods at the canary's peak with ${replicas} replicas`;
    if (ref) {
      const depReplicas = targetJson?.spec?.replicas ?? replicas;
      if (ref.scaleDown === WorkloadScaleDown.NEVER) {
        pods += depReplicas;
        why += ` plus ${depReplicas} pods of Deployment ${ref.name} (scaleDown never)`;
      } else if (ref.scaleDown === WorkloadScaleDown.ON_SUCCESS && depReplicas + replicas > pods) {
        pods = depReplicas + replicas;
        why = `${pods} pods while migrating from Deployment ${ref.name} (scaleDown onsuccess)`;
      }
    }
    // The LimitRange check covers our own template; a referenced Deployment is checked by its owner.
    return {
      description: why,
      parts: [{ pods, spec: template?.spec, prop: ref ? 'workloadRef' : 'template', gpusPerPod: this.props.gpusPerPod, gpuResource: this.props.gpuResource, skipAdmission: ref !== undefined }],
    };
  }
}
