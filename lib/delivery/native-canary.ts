import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { HttpRoute, HttpRouteSpecRulesMatchesPathType } from '../../imports/httproute-gateway.networking.k8s.io';
import { GpuResource, ITenant, SyncWave, WorkloadIdentity } from '../core';
import { addRule, fail, failAll, formatViolation, requireInteger, requirePort } from '../core/errors';
import { PodPart, TenantBinding } from '../core/tenant';
import { requireDnsLabel, requireDnsSubdomain, requireLabelValue } from '../core/names';
import { requireGpuCount } from '../core/quantity';
import { selectorLabels, standardLabels, validateIdentity } from '../core/labels';
import { setSyncWave, setSyncWaveAll } from '../core/sync-wave';
import { k8s } from '../core/k8s';
import { IgnoreDifference } from '../core/ignore-differences';
import { checkArg, checkProps, int, num, object } from '../core/validate';
import { findApiObjects } from './internal';
import { checkRouteConflicts, GatewayParentRef, requireRouteHostnames } from './traffic-routing';
import { nativeCanaryShape } from './shapes';

/** Pod label naming the Deployment slot; part of each Deployment's (immutable) selector. */
export const SLOT_LABEL = 'gpu-platform.dev/slot';
/** Deployment label saying which slot is stable and which is canary; never in a selector. */
export const TRACK_LABEL = 'gpu-platform.dev/track';
/** The version label on Deployments and pods; never in a selector. */
export const VERSION_LABEL = 'app.kubernetes.io/version';

/**
 * One of the two Deployment slots of a native canary. Deployments are named by slot (`<name>-a`,
 * `<name>-b`), never by version or track, so promoting the canary changes no selector.
 */
export class CanarySlot {
  /** Slot `a`: Deployment `<name>-a`, pod label `gpu-platform.dev/slot: a`. */
  public static readonly A = new CanarySlot('a');
  /** Slot `b`: Deployment `<name>-b`, pod label `gpu-platform.dev/slot: b`. */
  public static readonly B = new CanarySlot('b');

  // The slot name stays private: NativeCanary renders it into names and labels through `_render`.
  private constructor(private readonly value: string) {}

  /** The other slot (promoting by hand: the next `stableSlot` is the current one's `other`). */
  public get other(): CanarySlot {
    return this === CanarySlot.A ? CanarySlot.B : CanarySlot.A;
  }

  /**
   * The slot label value and Deployment name suffix (`a` or `b`).
   * @internal
   */
  public _render(): string {
    return this.value;
  }
}

/** A version of the workload: its pod spec and a version label. */
export interface NativeCanaryVersion {
  /** The version label value, for example the image tag. */
  readonly version: string;
  /** The pod spec of this version. */
  readonly podSpec: k8s.PodSpec;
}

/** An HTTPRoute that splits traffic with exact weights between the two slots. */
export interface NativeCanaryRouteOptions {
  /** The Gateways the route attaches to (at least one). */
  readonly parentRefs: GatewayParentRef[];
  /**
   * The HTTPRoute name.
   * @default - the canary name
   */
  readonly name?: string;
  /**
   * Hostnames the route matches. Required when a parentRef is a Gateway of another namespace (shared).
   * @default - none: every hostname of the listener; only for a Gateway of the route's own namespace or with `catchAllHostnames`
   */
  readonly hostnames?: string[];
  /**
   * Explicitly take every hostname of a shared Gateway's listener (no `hostnames`).
   * @default false
   */
  readonly catchAllHostnames?: boolean;
  /**
   * The path prefix the route matches.
   * @default '/'
   */
  readonly pathPrefix?: string;
}

/** Props of a NativeCanary. */
export interface NativeCanaryProps {
  /** The Service name, at most 61 characters; the Deployments are `<name>-a` and `<name>-b`. */
  readonly name: string;
  /**
   * The namespace.
   * @default - the tenant's namespace (one of `namespace` or `tenant` is required)
   */
  readonly namespace?: string;
  /**
   * The tenant: namespace (a different `namespace` is an error), tenant label, node placement, and the quota
   * and LimitRange checks of this commit's stable and canary pods.
   * @default - none
   */
  readonly tenant?: ITenant;
  /**
   * Labels; the Service selects `name`, `instance` and `component`.
   * @default - `{ name }`
   */
  readonly identity?: WorkloadIdentity;
  /** Total pods of stable and canary together (without an HTTPRoute). */
  readonly replicas: number;
  /** The stable version. */
  readonly stable: NativeCanaryVersion;
  /**
   * The canary version.
   * @default - no canary: only the stable slot's Deployment
   */
  readonly canary?: NativeCanaryVersion;
  /**
   * Percentage of traffic (0-100) for the canary in this commit; must be 0 without a canary.
   * @default 0
   */
  readonly canaryWeight?: number;
  /**
   * The slot the stable version runs in; `NativeCanary.promote` flips it.
   * @default CanarySlot.A
   */
  readonly stableSlot?: CanarySlot;
  /**
   * Without an HTTPRoute, round a weight the replica count cannot express to the nearest expressible one
   * (see `effectiveWeight`) instead of failing.
   * @default false
   */
  readonly allowRounding?: boolean;
  /** The Service port. */
  readonly port: number;
  /**
   * The container port.
   * @default - same as `port`
   */
  readonly targetPort?: number;
  /**
   * Split traffic with exact weights through a Gateway API HTTPRoute (then each slot has its own Service,
   * and each slot runs enough pods for its share, rounded up).
   * @default - no route: the shared Service spreads connections over all pods
   */
  readonly httpRoute?: NativeCanaryRouteOptions;
  /**
   * GPUs per pod for the quota check.
   * @default - the sum of `nvidia.com/*` requests/limits of each version's containers
   */
  readonly gpusPerPod?: number;
  /**
   * The GPU resource `gpusPerPod` counts.
   * @default GpuResource.NVIDIA_GPU
   */
  readonly gpuResource?: GpuResource;
}

/** How `replicas` pods split between stable and canary for a weight. */
export interface ReplicaSplit {
  readonly stableReplicas: number;
  readonly canaryReplicas: number;
  /** The share of traffic the canary really gets (percent). */
  readonly effectiveWeight: number;
  /** True when `effectiveWeight` equals the requested weight. */
  readonly exact: boolean;
}

/**
 * A canary without a controller: two Deployments (slots `a` and `b`) behind one Service that selects their
 * common labels. The canary's share is its share of the pods (or exact weights with an HTTPRoute). Each
 * step is a commit: change `canaryWeight`, or use `NativeCanary.manifestsAt` and `NativeCanary.promote`.
 */
export class NativeCanary extends Construct {
  /** The label that names a pod's slot (`a` or `b`). */
  public static readonly SLOT_LABEL = SLOT_LABEL;
  /** The label that names a pod's track (`stable` or `canary`). */
  public static readonly TRACK_LABEL = TRACK_LABEL;
  /** The recommended version label. */
  public static readonly VERSION_LABEL = VERSION_LABEL;

  /**
   * The replica split for a weight without an HTTPRoute: exact when `weight * replicas / 100` is whole,
   * otherwise the nearest count (never 0 or all pods for a weight strictly between 0 and 100 when there
   * are at least 2 pods).
   */
  public static replicaSplit(replicas: number, weight: number): ReplicaSplit {
    checkArg('NativeCanary.replicaSplit', 'replicas', replicas, int(0));
    checkArg('NativeCanary.replicaSplit', 'weight', weight, num({ min: 0, max: 100 }));
    const exactCount = (weight * replicas) / 100;
    let canary = Math.round(exactCount);
    if (weight > 0 && weight < 100 && replicas >= 2) canary = Math.min(replicas - 1, Math.max(1, canary));
    const effectiveWeight = replicas === 0 ? 0 : Math.round((canary * 10000) / replicas) / 100;
    return { stableReplicas: replicas - canary, canaryReplicas: canary, effectiveWeight, exact: Number.isInteger(exactCount) };
  }

  /** Every weight (0-100) that `replicas` pods express exactly. */
  public static expressibleWeights(replicas: number): number[] {
    checkArg('NativeCanary.expressibleWeights', 'replicas', replicas, int(0));
    const out: number[] = [];
    for (let w = 0; w <= 100; w++) if (Number.isInteger((w * replicas) / 100)) out.push(w);
    return out;
  }

  /**
   * The manifests of one commit: the same canary at `weight`. Runs the construct's rules and throws on
   * any violation.
   */
  public static manifestsAt(props: NativeCanaryProps, weight: number): any[] {
    checkArg('NativeCanary.manifestsAt', 'props', props, object('an object of NativeCanaryProps'));
    const app = new App();
    const chart = new Chart(app, 'native-canary');
    new NativeCanary(chart, 'Canary', { ...props, canaryWeight: weight });
    const errors = chart.node.findAll().flatMap((c) => c.node.validate());
    if (errors.length > 0) failAll(errors);
    return chart.toJson();
  }

  /**
   * The props of the commit after promotion: the canary becomes the stable version in the slot it already
   * runs in (no selector changes, no pod restarts), the old stable slot is removed, the weight goes to 0.
   */
  public static promote(props: NativeCanaryProps): NativeCanaryProps {
    checkArg('NativeCanary.promote', 'props', props, object('an object of NativeCanaryProps'));
    if (!props.canary) {
      fail('NativeCanary.promote', 'canary', props.canary, 'a canary version to promote');
    }
    return { ...props, stable: props.canary, canary: undefined, canaryWeight: 0, stableSlot: (props.stableSlot ?? CanarySlot.A).other };
  }

  /** The namespace. */
  public readonly namespace: string;
  /** The shared Service (selects both slots). */
  public readonly service: k8s.KubeService;
  /** The stable Deployment. */
  public readonly stableDeployment: k8s.KubeDeployment;
  /** The canary Deployment, when there is a canary. */
  public readonly canaryDeployment?: k8s.KubeDeployment;
  /** Per-slot Services, with an HTTPRoute. */
  public readonly slotServices: k8s.KubeService[];
  /** The HTTPRoute, when `httpRoute` is set. */
  public readonly httpRoute?: HttpRoute;
  /** Stable pods in this commit. */
  public readonly stableReplicas: number;
  /** Canary pods in this commit. */
  public readonly canaryReplicas: number;
  /** The canary's real share of traffic in this commit (percent). */
  public readonly effectiveWeight: number;
  /** The slot of the stable version. */
  public readonly stableSlot: CanarySlot;
  /** No field drifts at runtime: Git is the truth (kept for symmetry with CanaryRollout). */
  public readonly ignoreDifferences: IgnoreDifference[] = [];

  constructor(scope: Construct, id: string, props: NativeCanaryProps) {
    super(scope, id);
    checkProps(this, props, nativeCanaryShape(), { name: 'NativeCanaryProps' });
    const name = requireDnsLabel(this, 'name', props.name, 61); // room for the "-a"/"-b" suffix
    const binding = TenantBinding.bind(this, { namespace: props.namespace, tenant: props.tenant, tenantLabel: props.identity?.tenant });
    this.namespace = binding.namespace;
    const identity: WorkloadIdentity = { name, ...props.identity, tenant: props.identity?.tenant ?? props.tenant?.tenantName };
    validateIdentity(this, 'identity', identity);
    const replicas = requireInteger(this, 'replicas', props.replicas, 1);
    const weight = requireInteger(this, 'canaryWeight', props.canaryWeight ?? 0, 0, 100);
    const port = requirePort(this, 'port', props.port);
    const targetPort = requirePort(this, 'targetPort', props.targetPort ?? port);
    if (props.gpusPerPod !== undefined) requireGpuCount(this, 'gpusPerPod', props.gpusPerPod, 0);
    props.gpuResource?.validate(this, 'gpuResource');
    requireLabelValue(this, 'stable.version', props.stable.version);
    if (props.canary) requireLabelValue(this, 'canary.version', props.canary.version);
    if (!props.canary && weight > 0) fail(this, 'canaryWeight', weight, '0 when there is no canary version');
    this.stableSlot = props.stableSlot ?? CanarySlot.A;

    // Replica counts.
    if (props.httpRoute) {
      // Exact weights in the route; each slot gets enough pods for its share.
      this.canaryReplicas = props.canary ? Math.ceil((weight * replicas) / 100) : 0;
      this.stableReplicas = Math.ceil(((100 - weight) * replicas) / 100);
      this.effectiveWeight = weight;
    } else {
      const split = NativeCanary.replicaSplit(replicas, weight);
      if (!split.exact && !props.allowRounding) {
        const options = NativeCanary.expressibleWeights(replicas);
        fail(this, 'canaryWeight', weight,
          `a weight ${replicas} replicas express exactly (${options.join(', ')}); set allowRounding: true to get ${split.effectiveWeight}% (${split.canaryReplicas} of ${replicas} pods), or use httpRoute for exact weights`);
      }
      this.canaryReplicas = split.canaryReplicas;
      this.stableReplicas = split.stableReplicas;
      this.effectiveWeight = split.effectiveWeight;
    }

    const common = selectorLabels(identity);
    const deployment = (track: string, slot: CanarySlot, v: NativeCanaryVersion, count: number) => {
      const podLabels = { ...standardLabels(identity), [SLOT_LABEL]: slot._render(), [VERSION_LABEL]: v.version };
      return new k8s.KubeDeployment(this, track === 'stable' ? 'Stable' : 'Canary', {
        metadata: {
          name: `${name}-${slot._render()}`,
          namespace: this.namespace,
          // The track lives on the Deployment only: promotion flips it without touching the pods.
          labels: { ...standardLabels(identity), [TRACK_LABEL]: track, [VERSION_LABEL]: v.version },
        },
        spec: {
          replicas: count,
          selector: { matchLabels: { ...common, [SLOT_LABEL]: slot._render() } },
          template: {
            metadata: { labels: podLabels },
            spec: binding.place(v.podSpec),
          },
        },
      });
    };
    this.stableDeployment = deployment('stable', this.stableSlot, props.stable, this.stableReplicas);
    if (props.canary) this.canaryDeployment = deployment('canary', this.stableSlot.other, props.canary, this.canaryReplicas);

    const service = (id: string, svcName: string, selector: { [key: string]: string }) => new k8s.KubeService(this, id, {
      metadata: { name: svcName, namespace: this.namespace, labels: standardLabels(identity) },
      spec: { type: 'ClusterIP', selector, ports: [{ name: 'http', port, targetPort: k8s.IntOrString.fromNumber(targetPort), protocol: 'TCP' }] },
    });
    // Selects both slots: the common labels only, never the slot, track or version.
    this.service = service('Service', name, common);

    this.slotServices = [];
    if (props.httpRoute) {
      const r = props.httpRoute;
      if (!Array.isArray(r.parentRefs) || r.parentRefs.length === 0) fail(this, 'httpRoute.parentRefs', r.parentRefs, 'at least one Gateway');
      r.parentRefs.forEach((p, i) => requireDnsSubdomain(this, `httpRoute.parentRefs[${i}].name`, p.name));
      const pathPrefix = r.pathPrefix ?? '/';
      if (!pathPrefix.startsWith('/')) fail(this, 'httpRoute.pathPrefix', pathPrefix, 'a path starting with "/"');
      const hostnames = requireRouteHostnames(this, 'httpRoute.', this.namespace, r.parentRefs, r.hostnames, r.catchAllHostnames);
      const stableSvc = service('StableSlotService', `${name}-${this.stableSlot._render()}`, { ...common, [SLOT_LABEL]: this.stableSlot._render() });
      this.slotServices.push(stableSvc);
      const backendRefs = [{ name: stableSvc.name, port, weight: 100 - weight }];
      if (props.canary) {
        const slot = this.stableSlot.other;
        const canarySvc = service('CanarySlotService', `${name}-${slot._render()}`, { ...common, [SLOT_LABEL]: slot._render() });
        this.slotServices.push(canarySvc);
        backendRefs.push({ name: canarySvc.name, port, weight });
      }
      this.httpRoute = new HttpRoute(this, 'HttpRoute', {
        metadata: { name: requireDnsSubdomain(this, 'httpRoute.name', r.name ?? name), namespace: this.namespace, labels: standardLabels(identity) },
        spec: {
          parentRefs: r.parentRefs.map((p) => ({ name: p.name, namespace: p.namespace, sectionName: p.sectionName })),
          hostnames,
          rules: [{ matches: [{ path: { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: pathPrefix } }], backendRefs }],
        },
      });
      setSyncWave(this.httpRoute, SyncWave.ROLLOUT);
      const route = this.httpRoute;
      addRule(this, () => checkRouteConflicts(this, 'httpRoute.name', route));
    }
    setSyncWaveAll(this, SyncWave.WORKLOAD);

    addRule(this, () => {
      const mine = new Set<unknown>([this.service, ...this.slotServices]);
      const names = new Set([this.service.name, ...this.slotServices.map((s) => s.name)]);
      return findApiObjects(this, 'v1', 'Service')
        .filter((s) => !mine.has(s) && names.has(s.name) && s.metadata.namespace === this.namespace)
        .map((s) => formatViolation(this, 'name', s.name, `a Service name not used by another Service in namespace ${this.namespace} (${s.node.path})`));
    });
    binding.checkPods(() => {
      const part = (v: NativeCanaryVersion, pods: number, prop: string): PodPart =>
        ({ pods, spec: v.podSpec, prop, gpusPerPod: props.gpusPerPod, gpuResource: props.gpuResource });
      const parts = [part(props.stable, this.stableReplicas, 'stable.podSpec')];
      if (props.canary) parts.push(part(props.canary, this.canaryReplicas, 'canary.podSpec'));
      return { description: `${this.stableReplicas} stable + ${this.canaryReplicas} canary pods at weight ${weight}`, parts };
    });
  }
}
