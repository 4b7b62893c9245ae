import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as rbg from '../../imports/rbg-workloads.x-k8s.io';
import * as rbgsa from '../../imports/rbgscaling-workloads.x-k8s.io';
import { fail, requireInteger, requirePort } from '../core/errors';
import { GpuResource } from '../core/gpu';
import { IgnoreDifference } from '../core/ignore-differences';
import { k8s } from '../core/k8s';
import { Labels, selectorLabels, standardLabels } from '../core/labels';
import { childName, requireDnsLabel, requireLabels, requireLabelValue } from '../core/names';
import { setSyncWave, SyncWave } from '../core/sync-wave';
import { checkProps } from '../core/validate';
import { ITenant, PodPart, podDemand, TenantBinding } from '../core/tenant';
import { Autoscaling, BoundAutoscaling } from '../inference/autoscaling';
import { MultiNodeRole, ServingEngine } from '../serving/engine';
import { buildModelServerPod, dedupeTolerations, HTTP_PORT_NAME, ModelServerPod, ModelServerPodProps } from '../serving/model-server-pod';
import { requirePinnedImage } from '../serving/image';
import { GangSchedulingOptions, ResolvedGang, resolveGang } from './gang-scheduling';
import { addPrefillDecodeMonitors, PrefillDecodeProps, prefillDecodeGroupProps } from './prefill-decode';
import { LeaderWorkerSet, LwsRestartPolicy, validateRollingUpdate } from './leader-worker-set';
import { PodGroup, podGroupMembership, PodGroupMembership, withPodGroupMembership } from './pod-group';
import { prefillDecodeShape, roleBasedGroupShape } from './shapes';
import {
  applyPatch, dependencyDepths, diffTemplates, patchToJson, RoleProps, RoleRestartPolicy, RoleTemplate,
  RoleWorkload,
} from './role';

/** The RoleBasedGroup API version to emit. */
export class RbgApiVersion {
  /** `workloads.x-k8s.io/v1alpha1`: served by every controller up to v0.6, deprecated (still served) from v0.7. */
  public static readonly V1ALPHA1 = new RbgApiVersion('workloads.x-k8s.io/v1alpha1');
  /** `workloads.x-k8s.io/v1alpha2`: the storage version from controller v0.7 (standalone / leader-worker patterns). */
  public static readonly V1ALPHA2 = new RbgApiVersion('workloads.x-k8s.io/v1alpha2');

  // Compared by identity; the version stays private.
  private constructor(private readonly value: string) {}

  /**
   * The `apiVersion` written (the group's objects take it from the generated classes of imports/, which match).
   * @internal
   */
  public _render(): string {
    return this.value;
  }
}

/** How the group is rendered. */
export class RbgMode {
  /** One RoleBasedGroup custom resource; the RBG controller creates the workloads. */
  public static readonly CONTROLLER = new RbgMode('controller');
  /**
   * No RBG controller: the roles become StatefulSets, Deployments and LeaderWorkerSets with the controller's
   * names, plus headless Services and a PodGroup; dependencies become Argo CD sync waves.
   */
  public static readonly NATIVE = new RbgMode('native');

  // Compared by identity; the name stays private.
  private constructor(private readonly value: string) {}

  /**
   * The mode's name (`controller` or `native`), for messages.
   * @internal
   */
  public _render(): string {
    return this.value;
  }
}

/** The ClusterIP Service in front of the role that takes client traffic. */
export interface RouterServiceOptions {
  /** The role the Service selects (by the construct's own labels). */
  readonly role: string;
  /**
   * The Service name.
   * @default - the group name
   */
  readonly serviceName?: string;
  /**
   * The Service port.
   * @default - the target port
   */
  readonly port?: number;
  /**
   * The container port the traffic goes to.
   * @default - the role's http port (server roles) or its first service port
   */
  readonly targetPort?: number;
}

/** Props of {@link RoleBasedGroup}. */
export interface RoleBasedGroupProps {
  /**
   * `metadata.name`, a DNS label; workloads are named `<name>-<role>`, headless Services `s-<name>-<role>`
   * (both must fit in 63 characters).
   */
  readonly name: string;
  /**
   * The namespace.
   * @default - the tenant's namespace (one of `namespace` or `tenant` is required)
   */
  readonly namespace?: string;
  /**
   * The tenant: namespace, node placement for every role, and synth-time checks that the group at max
   * replicas (sum over roles of replicas x group size x each pod's GPUs, CPU and memory) fits the tenant's
   * quota and that every pod passes the tenant's LimitRange.
   * @default - no tenant
   */
  readonly tenant?: ITenant;
  /** The roles (at least one, unique names). */
  readonly roles: RoleProps[];
  /**
   * Reusable pod templates for `templateRef`.
   * @default - none
   */
  readonly roleTemplates?: RoleTemplate[];
  /**
   * Gang scheduling: every role when no role has dependencies, else the roles without dependencies (the ones
   * that start first), through a PodGroup the construct emits (see `podGroup`).
   * @default - none
   */
  readonly gangScheduling?: GangSchedulingOptions;
  /**
   * A ClusterIP Service for the client-facing role.
   * @default - none
   */
  readonly router?: RouterServiceOptions;
  /**
   * The API version of the RoleBasedGroup resource (controller mode).
   * @default RbgApiVersion.V1ALPHA1
   */
  readonly apiVersion?: RbgApiVersion;
  /**
   * Controller mode (one RoleBasedGroup resource) or native mode (no controller).
   * @default RbgMode.CONTROLLER
   */
  readonly mode?: RbgMode;
  /**
   * `app.kubernetes.io/part-of`.
   * @default - not set
   */
  readonly partOf?: string;
  /**
   * Extra labels for the group's objects.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Extra annotations for the RoleBasedGroup (controller mode).
   * @default - none
   */
  readonly annotations?: { [key: string]: string };
}

/** A role after validation, with its templates. */
interface ResolvedRole {
  readonly props: RoleProps;
  readonly index: number;
  readonly prop: string;
  readonly name: string;
  readonly replicas: number;
  readonly peakReplicas: number;
  readonly workload: RoleWorkload;
  readonly size: number;
  readonly workloadName: string;
  readonly serviceName: string;
  readonly labels: { [key: string]: string };
  readonly selector: { [key: string]: string };
  /** Controller mode: the inline template (the worker template for server LWS roles). */
  readonly crTemplate?: k8s.PodTemplateSpec;
  readonly crLeaderPatch?: any;
  readonly crWorkerPatch?: any;
  readonly crTemplatePatch?: any;
  /** Native mode: full templates (leader === worker for single-pod roles). */
  readonly leader: k8s.PodTemplateSpec;
  readonly worker: k8s.PodTemplateSpec;
  readonly httpPort?: number;
  readonly servicePorts: k8s.ServicePort[];
  readonly gpuResources: GpuResource[];
  readonly restartPolicy?: RoleRestartPolicy;
  /** The role's autoscaling, validated. */
  readonly scaling?: BoundAutoscaling;
}

const ROLE_WORKLOAD_TYPE_ANNOTATION = 'rbg.workloads.x-k8s.io/role-workload-type';

/** `apiVersion/kind`, the value of the workload-type annotation. */
function workloadType(workload: RoleWorkload): string {
  const { apiVersion, kind } = workload._render();
  return `${apiVersion}/${kind}`;
}

/** Adds PodGroup membership (labels, annotations, schedulerName) to a strategic-merge template patch. */
function withMembershipPatch(patch: any, membership: PodGroupMembership | undefined): any {
  if (!membership) return patch;
  const labels = { ...patch.metadata?.labels, ...membership.labels };
  const annotations = { ...patch.metadata?.annotations, ...membership.annotations };
  const metadata: any = {};
  if (Object.keys(labels).length > 0) metadata.labels = labels;
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  return { ...patch, metadata, spec: { ...patch.spec, schedulerName: membership.schedulerName } };
}

/**
 * A RoleBasedGroup (`workloads.x-k8s.io`): several roles (router, prefill, decode, ...) deployed, scaled,
 * gang-scheduled and started in dependency order as one unit. Each role becomes a StatefulSet, Deployment
 * or LeaderWorkerSet. Model-server roles are built with the shared serving builder.
 *
 * In controller mode the construct emits one RoleBasedGroup (v1alpha1 by default, v1alpha2 on request);
 * in native mode it emits what the controller would create, so it also works without it.
 */
export class RoleBasedGroup extends Construct {
  /**
   * A prefill/decode disaggregated group for SGLang or vLLM: router, prefill and decode roles with the
   * engine's disaggregation args, ports and dependencies (the router starts after prefill and decode).
   */
  public static prefillDecode(scope: Construct, id: string, props: PrefillDecodeProps): RoleBasedGroup {
    // Errors name the group's path before the group exists.
    const at = { node: { path: scope.node.path ? `${scope.node.path}/${id}` : id } } as unknown as IConstruct;
    // Checked before expansion, so errors name the preset's props (`image`, `decode.nodes`), not the roles'.
    checkProps(at, props, prefillDecodeShape(), { name: 'PrefillDecodeProps' });
    requirePinnedImage(at, 'image', props.image, props.allowLatestImage ?? false);
    requirePinnedImage(at, 'routerImage', props.routerImage, props.allowLatestImage ?? false);
    if (props.engine._preset !== 'sglang' && props.engine._preset !== 'vllm') {
      const given = props.engine._preset === 'generic' ? `ServingEngine.generic({ name: "${props.engine.name}" })` : props.engine.name;
      fail(`${scope.node.path}/${id}`, 'engine', given, 'ServingEngine.sglang() or ServingEngine.vllm() (engines with prefill/decode disaggregation)');
    }
    const group = new RoleBasedGroup(scope, id, prefillDecodeGroupProps(props, at));
    if (props.podMonitor) {
      (group as { podMonitors: ApiObject[] }).podMonitors = addPrefillDecodeMonitors(group, group.name, group.namespace, props.engine.metricsPath, props.podMonitor);
    }
    return group;
  }

  /** The group name. */
  public readonly name: string;
  /** The namespace. */
  public readonly namespace: string;
  /** The mode. */
  public readonly mode: RbgMode;
  /** The RoleBasedGroup resource (controller mode). */
  public readonly apiObject?: ApiObject;
  /** Native mode: the workload of each role (KubeStatefulSet, KubeDeployment or the LWS ApiObject), by role. */
  public readonly workloads: { [role: string]: ApiObject } = {};
  /** Native mode: LeaderWorkerSet constructs, by role. */
  public readonly leaderWorkerSets: { [role: string]: LeaderWorkerSet } = {};
  /** Native mode: the headless Service of each role, by role. */
  public readonly headlessServices: { [role: string]: k8s.KubeService } = {};
  /**
   * The PodGroup the construct emits itself: with gang scheduling in native mode, and in controller mode when
   * a role has dependencies (the controller's own PodGroup would deadlock, see `gangPodCount`).
   */
  public readonly podGroup?: PodGroup;
  /** The router Service, when `router` is set. */
  public readonly routerService?: k8s.KubeService;
  /** The PodMonitors of a prefill/decode group (`podMonitor`), empty otherwise. */
  public readonly podMonitors: ApiObject[] = [];
  /** HPAs and ScaledObjects, by role. */
  public readonly autoscalers: { [role: string]: ApiObject } = {};
  /** Sync wave of each role (native mode: SyncWave.WORKLOAD + depth in the dependency DAG). */
  public readonly syncWaves: { [role: string]: number } = {};
  /** Total pods at the configured replicas. */
  public readonly podCount: number;
  /**
   * Argo CD ignoreDifferences (collected by the Application) for the replica counts the autoscalers own:
   * controller mode, the autoscaled roles' `replicas` inside the RoleBasedGroup (jq path expressions, as the
   * roles are a list); native mode, `/spec/replicas` of each autoscaled role's workload. Empty without
   * autoscaling.
   */
  public readonly ignoreDifferences: IgnoreDifference[] = [];
  /**
   * Pods in the gang: the pods of the roles without dependencies (the first to start), which is every pod
   * when no role has dependencies.
   */
  public readonly gangPodCount: number;

  private readonly roles: ResolvedRole[];
  private readonly binding: TenantBinding;
  private readonly gang?: ResolvedGang;
  /** Gang scheduling delegated to the RBG controller (podGroupPolicy / v1alpha2 annotations), if any. */
  private readonly controllerGang?: ResolvedGang;

  constructor(scope: Construct, id: string, props: RoleBasedGroupProps) {
    super(scope, id);
    checkProps(this, props, roleBasedGroupShape(), { name: 'RoleBasedGroupProps' });
    this.name = requireDnsLabel(this, 'name', props.name);
    this.binding = TenantBinding.bind(this, { namespace: props.namespace, tenant: props.tenant });
    this.namespace = this.binding.namespace;
    this.mode = props.mode ?? RbgMode.CONTROLLER;
    const version = props.apiVersion ?? RbgApiVersion.V1ALPHA1;
    const v2 = version === RbgApiVersion.V1ALPHA2;
    const native = this.mode === RbgMode.NATIVE;
    requireLabels(this, 'labels', props.labels);
    if (props.partOf !== undefined) requireLabelValue(this, 'partOf', props.partOf);
    this.gang = resolveGang(this, 'gangScheduling', props.gangScheduling);

    // Roles: names, duplicates, dependencies.
    if (!Array.isArray(props.roles) || props.roles.length === 0) fail(this, 'roles', props.roles, 'at least one role');
    const seen = new Set<string>();
    props.roles.forEach((r, i) => {
      requireDnsLabel(this, `roles[${i}].name`, r.name);
      if (seen.has(r.name)) fail(this, `roles[${i}].name`, r.name, 'a role name not used by another role of this group');
      seen.add(r.name);
    });
    const depths = dependencyDepths(this, props.roles);
    const hasDependencies = [...depths.values()].some((d) => d > 0);

    // Who owns the gang. The RBG controller's PodGroup counts every role's pods (minMember = sum of replicas
    // x size) but creates a dependent role only once its dependencies are Ready: with dependencies the first
    // roles would wait for pods that are never created. So with dependencies (and always in native mode) the
    // construct emits its own PodGroup over the roles without dependencies and leaves podGroupPolicy unset.
    // In controller mode it gets its own name, `<group>-pg`, so it never meets the controller's `<group>`.
    const ownPodGroup = this.gang !== undefined && (native || hasDependencies);
    this.controllerGang = ownPodGroup ? undefined : this.gang;
    const podGroupName = ownPodGroup && !native ? `${this.name}-pg` : this.name;
    const membership = this.gang ? podGroupMembership(this.gang.scheduler, podGroupName) : undefined;

    // Role templates (templateRef targets), finished with the group-wide labels, gang membership and placement.
    const groupIdentity = { name: this.name, instance: this.name, partOf: props.partOf, tenant: props.tenant?.tenantName };
    const groupLabels = { ...standardLabels(groupIdentity), ...props.labels };
    // A gang can only cover pods that exist together. Dependent roles start after their dependencies are
    // Ready (native mode: later sync waves; controller mode: the controller creates them then), so only the
    // roles without dependencies join the PodGroup; otherwise minMember could never be reached.
    const member = (depth: number): PodGroupMembership | undefined => (ownPodGroup && depth > 0 ? undefined : membership);
    const finish = (t: k8s.PodTemplateSpec, labels: { [key: string]: string }, depth: number, placed: boolean): k8s.PodTemplateSpec =>
      this.finishTemplate(t, labels, member(depth), placed ? props.tenant : undefined);
    const templates = new Map<string, { template: k8s.PodTemplateSpec; pod?: ModelServerPod; engine?: ServingEngine }>();
    const tseen = new Set<string>();
    (props.roleTemplates ?? []).forEach((rt, i) => {
      const prop = `roleTemplates[${i}]`;
      requireDnsLabel(this, `${prop}.name`, rt.name);
      if (tseen.has(rt.name)) fail(this, `${prop}.name`, rt.name, 'a template name not used by another role template');
      tseen.add(rt.name);
      if ((rt.template === undefined) === (rt.server === undefined)) {
        fail(this, prop, { template: rt.template ? 'set' : undefined, server: rt.server ? 'set' : undefined }, 'exactly one of template and server');
      }
      const pod = rt.server ? buildModelServerPod(this, `${prop}.server`, { ...rt.server, labels: { ...rt.server.labels, ...groupLabels } }) : undefined;
      // With our own PodGroup membership is per role (below), so a shared template does not carry it.
      templates.set(rt.name, { template: this.finishTemplate(pod ? pod.template : rt.template!, groupLabels, ownPodGroup ? undefined : membership, props.tenant), pod, engine: rt.server?.engine });
    });

    this.roles = props.roles.map((r, i) => {
      const depth = depths.get(r.name)!;
      return this.resolveRole(r, i, v2, groupIdentity, props.labels, templates, (t, l) => finish(t, l, depth, r.tenantPlacement ?? true),
        ownPodGroup ? member(depth) : undefined);
    });
    this.roles.forEach((r) => { this.syncWaves[r.name] = SyncWave.WORKLOAD + (native ? depths.get(r.name)! : 0); });
    this.podCount = this.roles.reduce((a, r) => a + r.replicas * r.size, 0);
    this.gangPodCount = this.roles.filter((r) => depths.get(r.name) === 0).reduce((a, r) => a + r.replicas * r.size, 0);

    // Router role must exist.
    const router = props.router;
    const routerRole = router ? this.roles.find((r) => r.name === router.role) : undefined;
    if (router && !routerRole) fail(this, 'router.role', router.role, `the name of a role: ${this.roles.map((r) => `"${r.name}"`).join(', ')}`);

    if (ownPodGroup && this.gang) {
      this.podGroup = new PodGroup(this, 'PodGroup', {
        name: podGroupName,
        namespace: this.namespace,
        scheduler: this.gang.scheduler,
        minMember: Math.max(this.gangPodCount, 1),
        scheduleTimeoutSeconds: this.gang.scheduleTimeoutSeconds,
        queue: this.gang.queue,
        priorityClassName: this.gang.priorityClassName,
        labels: groupLabels,
      });
    }
    if (native) {
      for (const r of this.roles) this.renderNative(r, groupLabels);
    } else {
      this.apiObject = v2 ? this.renderV1alpha2(props, groupLabels, templates) : this.renderV1alpha1(props, groupLabels, templates);
      setSyncWave(this.apiObject, SyncWave.WORKLOAD);
    }

    if (router && routerRole) this.routerService = this.renderRouter(router, routerRole, groupLabels);
    for (const r of this.roles) if (r.props.autoscaling) this.renderAutoscaler(r, v2, native, groupLabels);
    this.ignoreDifferences.push(...this.replicaIgnores(native));

    const tenant = this.binding.tenant;
    if (tenant) this.binding.checkPods(() => ({ description: this.usageDescription(tenant), parts: this.roles.flatMap((r) => this.podParts(r)) }));
  }

  /** What the autoscalers change at runtime, so Argo CD neither reports it as drift nor resets it. */
  private replicaIgnores(native: boolean): IgnoreDifference[] {
    const autoscaled = this.roles.filter((r) => r.props.autoscaling !== undefined);
    if (autoscaled.length === 0) return [];
    if (!native) {
      // The scaling adapter writes the role's count into the RoleBasedGroup; roles are matched by name, not index.
      const group = this.apiObject!.apiVersion.split('/')[0];
      return [{
        group, kind: this.apiObject!.kind, name: this.name, namespace: this.namespace,
        jqPathExpressions: autoscaled.map((r) => `.spec.roles[] | select(.name == "${r.name}") | .replicas`),
      }];
    }
    return autoscaled.map((r) => {
      const w = this.workloads[r.name];
      return { group: w.apiVersion.includes('/') ? w.apiVersion.split('/')[0] : '', kind: w.kind, name: w.name, namespace: this.namespace, jsonPointers: ['/spec/replicas'] };
    });
  }

  /** A role's pods at peak (max replicas): leaders, and the workers of LeaderWorkerSet groups. */
  private podParts(r: ResolvedRole): PodPart[] {
    const server = r.props.server ? `${r.prop}.server` : undefined;
    const container = r.props.server?.containerName ?? 'server';
    const resourceProps = server ? { [container]: { cpu: `${server}.cpu`, memory: `${server}.memory`, gpu: `${server}.gpu.count` } } : undefined;
    const prop = server ?? (r.props.templateRef !== undefined ? `${r.prop}.templateRef` : `${r.prop}.template`);
    const gpuResource = r.gpuResources[0];
    const parts: PodPart[] = [{ pods: r.peakReplicas, spec: r.leader.spec, prop, resourceProps, gpuResource }];
    if (r.size > 1) parts.push({ pods: r.peakReplicas * (r.size - 1), spec: r.worker.spec, prop, resourceProps, gpuResource });
    return parts;
  }

  private usageDescription(tenant: ITenant): string {
    const extra = (tenant.quota.gpus ?? []).map((q) => q.resource.resourceName);
    const parts = this.roles.map((r) => {
      const gpus = Math.max(0, ...Object.values(podDemand(k8s.toJson_PodSpec(r.worker.spec!), extra).gpus));
      return `${r.name}: ${r.peakReplicas} x ${r.size} pod(s) x ${gpus} GPU`;
    });
    return `RoleBasedGroup ${this.name} at max replicas; ${parts.join(', ')}`;
  }

  /** Adds labels, gang membership and tenant placement to a template. */
  private finishTemplate(t: k8s.PodTemplateSpec, labels: { [key: string]: string }, membership: PodGroupMembership | undefined,
    tenant: ITenant | undefined): k8s.PodTemplateSpec {
    let out: k8s.PodTemplateSpec = {
      ...t,
      metadata: { ...t.metadata, labels: { ...t.metadata?.labels, ...labels } },
      spec: { ...t.spec, containers: t.spec?.containers ?? [] },
    };
    if (membership) out = withPodGroupMembership(out, membership);
    // Placement is applied once per finish, and a template can be finished twice (base, then patched): no repeats.
    if (tenant) out = { ...out, spec: this.binding.place(out.spec!) };
    if (out.spec?.tolerations) out = { ...out, spec: { ...out.spec, tolerations: dedupeTolerations(out.spec.tolerations) } };
    return out;
  }

  private resolveRole(r: RoleProps, i: number, v2: boolean, identity: { name: string; instance: string; partOf?: string; tenant?: string },
    extraLabels: { [key: string]: string } | undefined,
    templates: Map<string, { template: k8s.PodTemplateSpec; pod?: ModelServerPod; engine?: ServingEngine }>,
    finish: (t: k8s.PodTemplateSpec, labels: { [key: string]: string }) => k8s.PodTemplateSpec,
    refMembership: PodGroupMembership | undefined): ResolvedRole {
    const prop = `roles[${i}]`;
    const replicas = requireInteger(this, `${prop}.replicas`, r.replicas ?? 1, 0, 2147483647);
    const workload = r.workload ?? RoleWorkload.STATEFUL_SET;
    const isLws = workload._isLeaderWorkerSet;
    if (isLws && !r.leaderWorkerSet) fail(this, `${prop}.leaderWorkerSet`, undefined, 'leaderWorkerSet.size for a LeaderWorkerSet role');
    if (!isLws && r.leaderWorkerSet) fail(this, `${prop}.leaderWorkerSet`, 'set', `only with workload RoleWorkload.LEADER_WORKER_SET (this role is a ${workload._render().kind})`);
    const size = isLws ? requireInteger(this, `${prop}.leaderWorkerSet.size`, r.leaderWorkerSet!.size, 1) : 1;
    requireLabels(this, `${prop}.labels`, r.labels);
    validateRollingUpdate(this, `${prop}.rolloutStrategy`, r.rolloutStrategy);
    if (r.minReadySeconds !== undefined) requireInteger(this, `${prop}.minReadySeconds`, r.minReadySeconds, 0);
    const restartPolicy = r.restartPolicy?._validate(this, `${prop}.restartPolicy`);
    if (v2 && restartPolicy && !isLws && restartPolicy._render() !== 'None') {
      fail(this, `${prop}.restartPolicy`, restartPolicy._render(), 'v1alpha2 takes a restart policy only on LeaderWorkerSet roles (leaderWorkerPattern); use None or v1alpha1');
    }
    // Native mode has no controller to recreate a role instance: a StatefulSet or Deployment would drop it silently.
    if (this.mode === RbgMode.NATIVE && restartPolicy && !isLws && restartPolicy._render() !== 'None') {
      fail(this, `${prop}.restartPolicy`, restartPolicy._render(),
        'None (or left out) in native mode for a StatefulSet or Deployment role: only the RBG controller (mode CONTROLLER) or a LeaderWorkerSet role recreates on pod restart');
    }

    // Names the controller derives: workload <rbg>-<role>, headless Service s-<rbg>-<role>.
    const workloadName = this.derivedName(`${prop}.name`, [this.name, r.name]);
    const serviceName = this.derivedName(`${prop}.name`, ['s', this.name, r.name]);

    // Exactly one template source.
    const sources = [['server', r.server], ['template', r.template], ['templateRef', r.templateRef]].filter(([, v]) => v !== undefined).map(([k]) => k as string);
    if (r.templateRef !== undefined && sources.length > 1) {
      fail(this, `${prop}.templateRef`, r.templateRef, `templateRef alone: not together with ${sources.filter((s) => s !== 'templateRef').join(' and ')} (the schema makes them mutually exclusive)`);
    }
    if (sources.length !== 1) fail(this, prop, sources.length === 0 ? 'no template' : sources.join(' and '), 'exactly one of server, template and templateRef');
    if (r.templatePatch && r.templateRef === undefined) fail(this, `${prop}.templatePatch`, 'set', 'only together with templateRef');
    if (r.templateRef !== undefined && isLws && !v2) {
      fail(this, `${prop}.templateRef`, r.templateRef, 'templateRef is not supported for LeaderWorkerSet roles in v1alpha1: use server or template (or RbgApiVersion.V1ALPHA2)');
    }
    if (r.templateRef !== undefined && !templates.has(r.templateRef)) {
      fail(this, `${prop}.templateRef`, r.templateRef, `the name of a roleTemplates entry: ${[...templates.keys()].map((n) => `"${n}"`).join(', ') || 'none defined'}`);
    }

    const selector = selectorLabels({ ...identity, component: r.name });
    const labels = { ...standardLabels({ ...identity, component: r.name }), ...extraLabels, ...r.labels, ...selector };
    const lwsOpts = r.leaderWorkerSet;
    let crTemplate: k8s.PodTemplateSpec | undefined;
    let crLeaderPatch: any;
    let crWorkerPatch: any;
    let crTemplatePatch: any;
    let leader: k8s.PodTemplateSpec;
    let worker: k8s.PodTemplateSpec;
    let pod: ModelServerPod | undefined;
    const gpuResources: GpuResource[] = [];

    if (r.server) {
      const build = (multi?: MultiNodeRole): ModelServerPod => buildModelServerPod(this, `${prop}.server`, {
        ...r.server!, labels: { ...r.server!.labels, ...labels }, multiNode: multi ? { role: multi, nodes: size } : undefined,
      } as ModelServerPodProps);
      if (isLws && size > 1) {
        pod = build(MultiNodeRole.LEADER);
        leader = finish(applyPatch(this, `${prop}.leaderWorkerSet.leaderPatch`, pod.template, lwsOpts?.leaderPatch), labels);
        worker = finish(applyPatch(this, `${prop}.leaderWorkerSet.workerPatch`, build(MultiNodeRole.WORKER).template, lwsOpts?.workerPatch), labels);
        // The CRD wants one template plus patches: the worker template, and what the leader adds (port, probes, command).
        crTemplate = worker;
        const diff = diffTemplates(worker, leader);
        crLeaderPatch = Object.keys(diff).length > 0 ? diff : undefined;
      } else {
        pod = build();
        const base = finish(pod.template, labels);
        leader = finish(applyPatch(this, `${prop}.leaderWorkerSet.leaderPatch`, base, lwsOpts?.leaderPatch), labels);
        worker = finish(applyPatch(this, `${prop}.leaderWorkerSet.workerPatch`, base, lwsOpts?.workerPatch), labels);
        crTemplate = base;
        crLeaderPatch = lwsOpts?.leaderPatch ? patchToJson(lwsOpts.leaderPatch, {}, base) : undefined;
        crWorkerPatch = lwsOpts?.workerPatch ? patchToJson(lwsOpts.workerPatch, {}, base) : undefined;
      }
      if (pod.gpu) gpuResources.push(pod.gpu.resource);
    } else {
      let base: k8s.PodTemplateSpec;
      if (r.templateRef !== undefined) {
        const ref = templates.get(r.templateRef)!;
        if (ref.pod?.gpu) gpuResources.push(ref.pod.gpu.resource);
        base = applyPatch(this, `${prop}.templatePatch`, ref.template, { ...r.templatePatch, labels: { ...labels, ...r.templatePatch?.labels } });
        if (refMembership) base = withPodGroupMembership(base, refMembership);
        // Role-specific labels (and gang membership) travel in the patch; the shared template carries only the group's.
        crTemplatePatch = withMembershipPatch(patchToJson(r.templatePatch, labels, ref.template), refMembership);
      } else {
        base = finish(r.template!, labels);
        crTemplate = base;
      }
      leader = applyPatch(this, `${prop}.leaderWorkerSet.leaderPatch`, base, lwsOpts?.leaderPatch);
      worker = applyPatch(this, `${prop}.leaderWorkerSet.workerPatch`, base, lwsOpts?.workerPatch);
      crLeaderPatch = lwsOpts?.leaderPatch ? patchToJson(lwsOpts.leaderPatch, {}, base) : undefined;
      crWorkerPatch = lwsOpts?.workerPatch ? patchToJson(lwsOpts.workerPatch, {}, base) : undefined;
    }

    const httpPort = pod ? pod.port : undefined;
    const servicePorts = r.servicePorts ?? (httpPort ? [{ name: HTTP_PORT_NAME, port: httpPort, targetPort: k8s.IntOrString.fromString(HTTP_PORT_NAME), protocol: 'TCP' }] : []);
    servicePorts.forEach((p, j) => requirePort(this, `${prop}.servicePorts[${j}].port`, p.port));
    (r.engineRuntimes ?? []).forEach((e, j) => requireDnsLabel(this, `${prop}.engineRuntimes[${j}].profileName`, e.profileName, 253));
    // Without the controller nothing injects the profile's containers: dropping them silently would break the pods.
    if (this.mode === RbgMode.NATIVE && r.engineRuntimes && r.engineRuntimes.length > 0) {
      fail(this, `${prop}.engineRuntimes`, r.engineRuntimes.map((e) => e.profileName),
        'no engineRuntimes in native mode (the RBG controller injects them): add the containers to the template, or use RbgMode.CONTROLLER');
    }

    // Autoscaling: the shared model; minReplicas defaults to the role's replicas (the count written to Git).
    const a = r.autoscaling;
    if (a !== undefined && !(a instanceof Autoscaling)) {
      fail(this, `${prop}.autoscaling`, a, 'Autoscaling.hpa(...), Autoscaling.keda(...) or Autoscaling.external(...)');
    }
    const engine: ServingEngine | undefined = r.server?.engine ?? (r.templateRef !== undefined ? templates.get(r.templateRef)?.engine : undefined);
    const scaling = a?._bind(this, `${prop}.autoscaling`, { engine, defaultMinReplicas: replicas });
    const peakReplicas = scaling ? Math.max(replicas, scaling.maxReplicas) : replicas;

    return {
      props: r, index: i, prop, name: r.name, replicas, peakReplicas, workload, size, workloadName, serviceName, labels, selector,
      crTemplate, crLeaderPatch, crWorkerPatch, crTemplatePatch, leader: leader!, worker: worker!, httpPort, servicePorts, gpuResources,
      restartPolicy, scaling,
    };
  }

  private derivedName(prop: string, parts: string[]): string {
    const name = parts.join('-');
    if (name.length > 63) {
      fail(this, prop, parts[parts.length - 1], `a role name short enough that "${name}" (${name.length} characters) fits a DNS label of at most 63 characters: shorten the group or role name`);
    }
    return childName(this, prop, parts);
  }

  private roleCommon(r: ResolvedRole): any {
    const ru = r.props.rolloutStrategy;
    return {
      name: r.name,
      replicas: r.replicas,
      labels: r.props.labels,
      annotations: r.props.annotations,
      dependencies: r.props.dependencies && r.props.dependencies.length > 0 ? [...r.props.dependencies] : undefined,
      rolloutStrategy: ru ? {
        type: 'RollingUpdate',
        rollingUpdate: {
          maxSurge: ru.maxSurge,
          maxUnavailable: ru.maxUnavailable,
          partition: ru.partition !== undefined ? k8s.IntOrString.fromNumber(ru.partition) : undefined,
        },
      } : undefined,
      servicePorts: r.servicePorts.length > 0 ? r.servicePorts : undefined,
      engineRuntimes: r.props.engineRuntimes?.map((e) => ({ profileName: e.profileName, injectContainers: e.injectContainers, containers: e.containers })),
      scalingAdapter: r.props.autoscaling ? { enable: true } : undefined,
      minReadySeconds: r.props.minReadySeconds,
    };
  }

  private renderV1alpha1(props: RoleBasedGroupProps, labels: { [key: string]: string },
    templates: Map<string, { template: k8s.PodTemplateSpec }>): ApiObject {
    const gang = this.controllerGang;
    return new rbg.RoleBasedGroup(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace, labels, annotations: props.annotations },
      spec: {
        podGroupPolicy: gang ? (gang.scheduler._isVolcano
          ? { volcanoScheduling: { queue: gang.queue, priorityClassName: gang.priorityClassName } }
          : { kubeScheduling: { scheduleTimeoutSeconds: gang.scheduleTimeoutSeconds } }) : undefined,
        roleTemplates: templates.size > 0 ? [...templates].map(([name, t]) => ({ name, template: t.template as any })) : undefined,
        roles: this.roles.map((r) => ({
          ...this.roleCommon(r),
          restartPolicy: r.restartPolicy?._render() as rbg.RoleBasedGroupSpecRolesRestartPolicy | undefined,
          workload: r.workload._render(),
          template: r.crTemplate as any,
          templateRef: r.props.templateRef !== undefined ? { name: r.props.templateRef } : undefined,
          templatePatch: r.props.templateRef !== undefined ? r.crTemplatePatch : undefined,
          leaderWorkerSet: r.workload._isLeaderWorkerSet ? {
            size: r.size, patchLeaderTemplate: r.crLeaderPatch, patchWorkerTemplate: r.crWorkerPatch,
          } : undefined,
        })),
      },
    });
  }

  private renderV1alpha2(props: RoleBasedGroupProps, labels: { [key: string]: string },
    templates: Map<string, { template: k8s.PodTemplateSpec }>): ApiObject {
    const gang = this.controllerGang;
    // v1alpha2 moved gang scheduling into annotations (the scheduler itself is a controller flag).
    const gangAnnotations: { [key: string]: string } = {};
    if (gang) {
      gangAnnotations['rbg.workloads.x-k8s.io/group-gang-scheduling'] = 'true';
      if (gang.scheduleTimeoutSeconds !== undefined) gangAnnotations['rbg.workloads.x-k8s.io/group-gang-scheduling-timeout'] = String(gang.scheduleTimeoutSeconds);
      if (gang.queue) gangAnnotations['rbg.workloads.x-k8s.io/group-gang-scheduling-volcano-queue'] = gang.queue;
      if (gang.priorityClassName) gangAnnotations['rbg.workloads.x-k8s.io/group-gang-scheduling-volcano-priority'] = gang.priorityClassName;
    }
    const annotations = { ...props.annotations, ...gangAnnotations };
    return new rbg.RoleBasedGroupV1Alpha2(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace, labels, annotations: Object.keys(annotations).length > 0 ? annotations : undefined },
      spec: {
        roleTemplates: templates.size > 0 ? [...templates].map(([name, t]) => ({ name, template: t.template as any })) : undefined,
        roles: this.roles.map((r) => {
          const source = r.props.templateRef !== undefined
            ? { templateRef: { name: r.props.templateRef, patch: r.crTemplatePatch } }
            : { template: r.crTemplate as any };
          // The workload kind survives as the annotation the conversion webhook writes for v1alpha1 objects.
          const roleAnnotations = r.workload === RoleWorkload.STATEFUL_SET && !r.props.annotations ? undefined
            : { ...r.props.annotations, ...(r.workload._isLeaderWorkerSet ? {} : { [ROLE_WORKLOAD_TYPE_ANNOTATION]: workloadType(r.workload) }) };
          return {
            ...this.roleCommon(r),
            annotations: roleAnnotations && Object.keys(roleAnnotations).length > 0 ? roleAnnotations : undefined,
            standalonePattern: r.workload._isLeaderWorkerSet ? undefined : source,
            leaderWorkerPattern: r.workload._isLeaderWorkerSet ? {
              size: r.size,
              ...source,
              leaderTemplatePatch: r.crLeaderPatch,
              workerTemplatePatch: r.crWorkerPatch,
              restartPolicyConfig: r.restartPolicy ? { type: r.restartPolicy._render() as rbg.RoleBasedGroupV1Alpha2SpecRolesLeaderWorkerPatternRestartPolicyConfigType } : undefined,
            } : undefined,
          };
        }),
      },
    });
  }

  private renderNative(r: ResolvedRole, groupLabels: { [key: string]: string }): void {
    const wave = this.syncWaves[r.name];
    const metaLabels = { ...groupLabels, ...r.props.labels, ...r.selector };
    const ru = r.props.rolloutStrategy;
    // An autoscaled role's count belongs to its HPA / ScaledObject: writing it would make Argo CD reset it.
    const autoscaled = r.props.autoscaling !== undefined;
    let obj: ApiObject;
    if (r.workload._isLeaderWorkerSet) {
      const lws = new LeaderWorkerSet(this, `${r.name}-lws`, {
        name: r.workloadName,
        namespace: this.namespace,
        replicas: r.replicas,
        omitReplicas: autoscaled,
        size: r.size,
        leaderTemplate: r.size > 1 && r.leader !== r.worker ? r.leader : undefined,
        workerTemplate: r.size > 1 ? r.worker : r.leader,
        restartPolicy: r.restartPolicy?._render() === 'None' ? LwsRestartPolicy.NONE : LwsRestartPolicy.RECREATE_GROUP_ON_POD_RESTART,
        rolloutStrategy: ru,
        labels: metaLabels,
        annotations: r.props.annotations,
      });
      this.leaderWorkerSets[r.name] = lws;
      obj = lws.apiObject;
    } else if (r.workload === RoleWorkload.DEPLOYMENT) {
      obj = new k8s.KubeDeployment(this, `${r.name}-deployment`, {
        metadata: { name: r.workloadName, namespace: this.namespace, labels: metaLabels, annotations: r.props.annotations },
        spec: {
          replicas: autoscaled ? undefined : r.replicas,
          selector: { matchLabels: r.selector },
          template: r.leader,
          minReadySeconds: r.props.minReadySeconds,
          strategy: ru ? { type: 'RollingUpdate', rollingUpdate: { maxSurge: ru.maxSurge, maxUnavailable: ru.maxUnavailable } } : undefined,
        },
      });
    } else {
      obj = new k8s.KubeStatefulSet(this, `${r.name}-statefulset`, {
        metadata: { name: r.workloadName, namespace: this.namespace, labels: metaLabels, annotations: r.props.annotations },
        spec: {
          replicas: autoscaled ? undefined : r.replicas,
          serviceName: r.serviceName,
          selector: { matchLabels: r.selector },
          template: r.leader,
          // Parallel: a gang needs every pod created at once; OrderedReady would wait for pod 0 forever.
          podManagementPolicy: 'Parallel',
          minReadySeconds: r.props.minReadySeconds,
          updateStrategy: ru ? { type: 'RollingUpdate', rollingUpdate: { partition: ru.partition, maxUnavailable: ru.maxUnavailable } } : undefined,
        },
      });
    }
    setSyncWave(obj, wave);
    this.workloads[r.name] = obj;

    // The headless Service the controller creates for discovery (stable pod DNS), selecting our own labels.
    const svc = new k8s.KubeService(this, `${r.name}-headless`, {
      metadata: { name: r.serviceName, namespace: this.namespace, labels: metaLabels },
      spec: {
        clusterIp: 'None',
        selector: r.selector,
        publishNotReadyAddresses: true,
        ports: r.servicePorts.length > 0 ? r.servicePorts : undefined,
      },
    });
    setSyncWave(svc, wave);
    this.headlessServices[r.name] = svc;
  }

  private renderRouter(router: RouterServiceOptions, r: ResolvedRole, groupLabels: { [key: string]: string }): k8s.KubeService {
    const name = requireDnsLabel(this, 'router.serviceName', router.serviceName ?? this.name);
    let target: k8s.IntOrString;
    let targetNumber: number;
    if (router.targetPort !== undefined) {
      targetNumber = requirePort(this, 'router.targetPort', router.targetPort);
      target = k8s.IntOrString.fromNumber(targetNumber);
    } else if (r.httpPort !== undefined) {
      targetNumber = r.httpPort;
      target = k8s.IntOrString.fromString(HTTP_PORT_NAME);
    } else if (r.servicePorts.length > 0) {
      targetNumber = r.servicePorts[0].port;
      target = r.servicePorts[0].targetPort ?? k8s.IntOrString.fromNumber(targetNumber);
    } else {
      fail(this, 'router.targetPort', undefined, `a port: role "${r.name}" has no server and no servicePorts`);
    }
    const port = router.port !== undefined ? requirePort(this, 'router.port', router.port) : targetNumber;
    const svc = new k8s.KubeService(this, 'RouterService', {
      metadata: { name, namespace: this.namespace, labels: { ...groupLabels, [Labels.COMPONENT]: r.name } },
      spec: {
        type: 'ClusterIP',
        // Our own template labels, not the controller's (they changed between controller versions).
        selector: r.selector,
        ports: [{ name: HTTP_PORT_NAME, port, targetPort: target, protocol: 'TCP' }],
      },
    });
    setSyncWave(svc, this.syncWaves[r.name]);
    return svc;
  }

  private renderAutoscaler(r: ResolvedRole, v2: boolean, native: boolean, groupLabels: { [key: string]: string }): void {
    // Controller mode scales the role through its RoleBasedGroupScalingAdapter (`<rbg>-<role>`); native mode the workload.
    const target = native
      ? { ...r.workload._render(), name: r.workloadName }
      : { apiVersion: (v2 ? rbgsa.RoleBasedGroupScalingAdapterV1Alpha2.GVK : rbgsa.RoleBasedGroupScalingAdapter.GVK).apiVersion, kind: 'RoleBasedGroupScalingAdapter', name: r.workloadName };
    const obj = r.scaling!.renderInto(this, { hpa: `${r.name}-hpa`, scaledObject: `${r.name}-scaledobject` }, {
      metadata: { name: r.workloadName, namespace: this.namespace, labels: { ...groupLabels, [Labels.COMPONENT]: r.name } },
      scaleTargetRef: () => target,
      // The role's pods as the workload names them: StatefulSet and LWS leaders <workload>-<n>, Deployment <workload>-<hash>-<id>.
      podNamePattern: r.workload === RoleWorkload.DEPLOYMENT ? `${r.workloadName}-[a-z0-9]+-[a-z0-9]+` : `${r.workloadName}-[0-9]+`,
    });
    if (!obj) return;
    setSyncWave(obj, this.syncWaves[r.name]);
    this.autoscalers[r.name] = obj;
  }
}
