import { IConstruct } from 'constructs';
import { fail } from '../core/errors';
import { k8s } from '../core/k8s';
import { Autoscaling } from '../inference/autoscaling';
import { ModelServerPodProps } from '../serving/model-server-pod';
import { RollingUpdateOptions } from './leader-worker-set';

/** The workload a RoleBasedGroup role becomes. */
export class RoleWorkload {
  /** `apps/v1` StatefulSet: stable pod names and DNS (the RBG default). */
  public static readonly STATEFUL_SET = new RoleWorkload('apps/v1', 'StatefulSet');
  /** `apps/v1` Deployment: interchangeable pods (routers, stateless front ends). */
  public static readonly DEPLOYMENT = new RoleWorkload('apps/v1', 'Deployment');
  /** `leaderworkerset.x-k8s.io/v1` LeaderWorkerSet: groups of `size` pods (multi-node model instances). */
  public static readonly LEADER_WORKER_SET = new RoleWorkload('leaderworkerset.x-k8s.io/v1', 'LeaderWorkerSet');

  // The kind stays private: callers compare with the constants above, never switch on a string.
  private constructor(private readonly apiVersion: string, private readonly kind: string) {}

  /**
   * The role's `workload` field (`{ apiVersion, kind }`), also the scale target and the workload-type annotation.
   * @internal
   */
  public _render(): WorkloadTypeJson {
    return { apiVersion: this.apiVersion, kind: this.kind };
  }

  /**
   * True for LeaderWorkerSet (the role then needs `leaderWorkerSet` and renders leader/worker templates).
   * @internal
   */
  public get _isLeaderWorkerSet(): boolean {
    return this === RoleWorkload.LEADER_WORKER_SET;
  }
}

/**
 * A workload type as the RBG `roles[].workload` field writes it.
 * @internal
 */
export interface WorkloadTypeJson {
  readonly apiVersion: string;
  readonly kind: string;
}

/**
 * The values the current v1alpha1 schema accepts. `RecreateRBGOnPodRestart` was removed (RBG RFC #339).
 * Not public: users pick the constants, and the raw strings are what the class keeps private.
 */
const RESTART_POLICIES = ['None', 'RecreateRoleInstanceOnPodRestart'];

/** What the RBG controller does when a pod of a role instance restarts. */
export class RoleRestartPolicy {
  /** Only the pod restarts (controller default for StatefulSet / Deployment roles). */
  public static readonly NONE = new RoleRestartPolicy('None');
  /** Recreate the whole role instance, e.g. every pod of an LWS group (controller default for LWS roles). */
  public static readonly RECREATE_ROLE_INSTANCE_ON_POD_RESTART = new RoleRestartPolicy('RecreateRoleInstanceOnPodRestart');

  /** Any value by name; checked against the schema's enum when a role uses it. */
  public static of(value: string): RoleRestartPolicy {
    return new RoleRestartPolicy(value);
  }

  // The value stays private: RoleBasedGroup checks it with `_validate` and renders it through `_render`.
  private constructor(private readonly value: string) {}

  /**
   * Throws unless the schema accepts the value.
   * @internal
   */
  public _validate(scope: IConstruct, prop: string): this {
    if (!RESTART_POLICIES.includes(this.value)) {
      const hint = this.value === 'RecreateRBGOnPodRestart' ? ' (RecreateRBGOnPodRestart was removed from the schema after controller v0.6)' : '';
      fail(scope, prop, this.value, `one of ${RESTART_POLICIES.map((v) => `"${v}"`).join(', ')}${hint}`);
    }
    return this;
  }

  /**
   * The value written to the role's `restartPolicy` (v1alpha1) or `restartPolicyConfig.type` (v1alpha2).
   * @internal
   */
  public _render(): string {
    return this.value;
  }
}

/** A patch for one container, merged by name (strategic merge, as the RBG controller does it). */
export interface ContainerPatch {
  /** The container to patch. */
  readonly name: string;
  /**
   * Replaces the command.
   * @default - unchanged
   */
  readonly command?: string[];
  /**
   * Replaces the args.
   * @default - unchanged
   */
  readonly args?: string[];
  /**
   * Environment variables, merged by name.
   * @default - unchanged
   */
  readonly env?: k8s.EnvVar[];
}

/**
 * A strategic-merge patch of a pod template: the RBG `templatePatch`, and the LWS leader/worker patches.
 * In native mode the construct applies it itself, with the same semantics.
 */
export interface PodTemplatePatch {
  /**
   * Labels to add.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Annotations to add.
   * @default - none
   */
  readonly annotations?: { [key: string]: string };
  /**
   * Container patches, merged by container name.
   * @default - none
   */
  readonly containers?: ContainerPatch[];
}

/**
 * Policy scanners (and the test harness) read any `containers` list as a pod; a patched container repeats
 * the base container's securityContext so it reads as compliant. The merge makes that a no-op.
 */
function securityOf(base: k8s.PodTemplateSpec | undefined, name: string): any {
  const c = base?.spec?.containers?.find((x) => x.name === name);
  return c?.securityContext ? k8s.toJson_SecurityContext(c.securityContext) : undefined;
}

/** The patch as the JSON the controller merges. `base` is the template it applies to, when known. */
export function patchToJson(patch: PodTemplatePatch | undefined, extraLabels: { [key: string]: string } = {}, base?: k8s.PodTemplateSpec): any {
  const labels = { ...extraLabels, ...patch?.labels };
  const metadata: any = {};
  if (Object.keys(labels).length > 0) metadata.labels = labels;
  if (patch?.annotations && Object.keys(patch.annotations).length > 0) metadata.annotations = { ...patch.annotations };
  const out: any = {};
  if (Object.keys(metadata).length > 0) out.metadata = metadata;
  if (patch?.containers && patch.containers.length > 0) {
    out.spec = {
      containers: patch.containers.map((c) => dropUndefined({
        name: c.name, command: c.command, args: c.args, env: c.env?.map((e) => k8s.toJson_EnvVar(e)),
        securityContext: securityOf(base, c.name),
      })),
    };
  }
  return out;
}

function dropUndefined(o: any): any {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** Applies a patch to a template (returns a new template), with strategic-merge semantics. */
export function applyPatch(scope: IConstruct, prop: string, template: k8s.PodTemplateSpec, patch: PodTemplatePatch | undefined): k8s.PodTemplateSpec {
  if (!patch) return template;
  const containers = [...(template.spec?.containers ?? [])];
  (patch.containers ?? []).forEach((p, i) => {
    const idx = containers.findIndex((c) => c.name === p.name);
    if (idx < 0) {
      fail(scope, `${prop}.containers[${i}].name`, p.name, `the name of a container of the template: ${containers.map((c) => `"${c.name}"`).join(', ')}`);
    }
    const c = containers[idx];
    let env = c.env ? [...c.env] : undefined;
    for (const e of p.env ?? []) {
      env = env ?? [];
      const at = env.findIndex((x) => x.name === e.name);
      if (at >= 0) env[at] = e; else env.push(e);
    }
    containers[idx] = { ...c, command: p.command ?? c.command, args: p.args ?? c.args, env };
  });
  return {
    ...template,
    metadata: {
      ...template.metadata,
      labels: patch.labels ? { ...template.metadata?.labels, ...patch.labels } : template.metadata?.labels,
      annotations: patch.annotations ? { ...template.metadata?.annotations, ...patch.annotations } : template.metadata?.annotations,
    },
    spec: { ...template.spec, containers },
  };
}

/**
 * The strategic-merge patch that turns `base` into `target` when both were built by the same builder
 * (same containers, by name): changed container fields are set, removed ones become null.
 * Used to express a generated leader template as `patchLeaderTemplate` over the worker template.
 */
export function diffTemplates(base: k8s.PodTemplateSpec, target: k8s.PodTemplateSpec): any {
  const b = k8s.toJson_PodTemplateSpec(base) as any;
  const t = k8s.toJson_PodTemplateSpec(target) as any;
  const out: any = {};
  const labels = diffMap(b.metadata?.labels, t.metadata?.labels);
  const annotations = diffMap(b.metadata?.annotations, t.metadata?.annotations);
  if (labels || annotations) out.metadata = dropUndefined({ labels, annotations });
  const containers: any[] = [];
  for (const tc of t.spec?.containers ?? []) {
    const bc = (b.spec?.containers ?? []).find((c: any) => c.name === tc.name);
    if (!bc) {
      containers.push(tc);
      continue;
    }
    const changed: any = { name: tc.name };
    for (const key of new Set([...Object.keys(bc), ...Object.keys(tc)])) {
      if (JSON.stringify(bc[key]) !== JSON.stringify(tc[key])) changed[key] = tc[key] ?? null;
    }
    if (Object.keys(changed).length > 1) containers.push(tc.securityContext ? { ...changed, securityContext: tc.securityContext } : changed);
  }
  if (containers.length > 0) out.spec = { containers };
  return out;
}

function diffMap(a: { [k: string]: string } | undefined, b: { [k: string]: string } | undefined): any {
  const out: any = {};
  for (const k of new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])) {
    if (a?.[k] !== b?.[k]) out[k] = b?.[k] ?? null;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** LeaderWorkerSet settings of a role. */
export interface RoleLeaderWorkerSetOptions {
  /** Pods per instance, leader included (>= 1). */
  readonly size: number;
  /**
   * Patch applied to the leader's template.
   * @default - none (with `server`, the leader/worker difference is derived from the engine)
   */
  readonly leaderPatch?: PodTemplatePatch;
  /**
   * Patch applied to the workers' template.
   * @default - none
   */
  readonly workerPatch?: PodTemplatePatch;
}

/** A reference to a ClusterEngineRuntimeProfile injected into a role (sidecars such as the Patio runtime). */
export interface EngineRuntimeReference {
  /** The ClusterEngineRuntimeProfile name. */
  readonly profileName: string;
  /**
   * Names of the profile's containers to inject.
   * @default - all of them
   */
  readonly injectContainers?: string[];
  /**
   * Overrides for the profile's containers, by name (args, env).
   * @default - none
   */
  readonly containers?: k8s.Container[];
}

/** A reusable pod template (`spec.roleTemplates`), referenced by roles with `templateRef`. */
export interface RoleTemplate {
  /** The template name. */
  readonly name: string;
  /**
   * A pod template given as is.
   * @default - built from `server`
   */
  readonly template?: k8s.PodTemplateSpec;
  /**
   * A model-server pod built with the shared builder (its labels are merged under the construct's).
   * @default - `template`
   */
  readonly server?: ModelServerPodProps;
}

/** One role of a RoleBasedGroup. Set exactly one of `server`, `template` and `templateRef`. */
export interface RoleProps {
  /** The role name (router, prefill, decode, ...), a DNS label unique in the group; children are named `<group>-<role>`. */
  readonly name: string;
  /**
   * Role instances (>= 0): pods for StatefulSet / Deployment roles, groups for LeaderWorkerSet roles.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * The workload the role becomes.
   * @default RoleWorkload.STATEFUL_SET
   */
  readonly workload?: RoleWorkload;
  /**
   * A model-server pod built with the shared builder (engine command, GPU, probes, /dev/shm, security).
   * Its `labels` are merged under the construct's own labels (pass `{}`). For LeaderWorkerSet roles of
   * size > 1, leader and worker templates come from the engine's multi-node command.
   * @default - `template` or `templateRef`
   */
  readonly server?: ModelServerPodProps;
  /**
   * A pod template given as is.
   * @default - `server` or `templateRef`
   */
  readonly template?: k8s.PodTemplateSpec;
  /**
   * The name of a group `roleTemplates` entry to use (not for LeaderWorkerSet roles in v1alpha1).
   * @default - `server` or `template`
   */
  readonly templateRef?: string;
  /**
   * Patch applied on top of `templateRef` (only with `templateRef`).
   * @default - none
   */
  readonly templatePatch?: PodTemplatePatch;
  /**
   * LeaderWorkerSet settings; required for LeaderWorkerSet roles, refused for others.
   * @default - none
   */
  readonly leaderWorkerSet?: RoleLeaderWorkerSetOptions;
  /**
   * Roles of the group that must be Ready before this one starts (no unknown names, no cycles).
   * @default - none
   */
  readonly dependencies?: string[];
  /**
   * Failure handling.
   * @default - controller default: RECREATE_ROLE_INSTANCE_ON_POD_RESTART for LWS roles, NONE otherwise
   */
  readonly restartPolicy?: RoleRestartPolicy;
  /**
   * Rolling-update budget.
   * @default - controller defaults (maxUnavailable 1, maxSurge 0, partition 0)
   */
  readonly rolloutStrategy?: RollingUpdateOptions;
  /**
   * Ports published in the controller's discovery config (and on the native headless Service).
   * @default - the server's http port for `server` roles, none otherwise
   */
  readonly servicePorts?: k8s.ServicePort[];
  /**
   * ClusterEngineRuntimeProfiles to inject (controller mode only: an error in native mode).
   * @default - none
   */
  readonly engineRuntimes?: EngineRuntimeReference[];
  /**
   * Per-role autoscaling, the same model as GpuInferenceService's: enables the role's scaling adapter and
   * targets it with an HPA or a KEDA ScaledObject (`Autoscaling.hpa` / `keda`; `minReplicas` defaults to the
   * role's `replicas`), or leaves it to an autoscaler defined elsewhere (`Autoscaling.external`). The engine
   * metrics (`PodMetric.queueLength`, ...) resolve against the role's `server` engine.
   * @default - fixed replicas
   */
  readonly autoscaling?: Autoscaling;
  /**
   * minReadySeconds.
   * @default 0
   */
  readonly minReadySeconds?: number;
  /**
   * Apply the tenant's node placement (its pool's nodeSelector and tolerations) to this role's pods. Turn it off
   * for a CPU-only role (a router) that should not take room on the tenant's GPU pool.
   * @default true
   */
  readonly tenantPlacement?: boolean;
  /**
   * Extra labels for the role's workload and pods.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Extra annotations for the role's workload.
   * @default - none
   */
  readonly annotations?: { [key: string]: string };
}

/**
 * Checks role dependencies: every name exists, none is the role itself, and there is no cycle.
 * Returns each role's depth in the dependency DAG (0 = no dependencies).
 */
export function dependencyDepths(scope: IConstruct, roles: RoleProps[]): Map<string, number> {
  const names = roles.map((r) => r.name);
  roles.forEach((r, i) => (r.dependencies ?? []).forEach((d, j) => {
    if (!names.includes(d)) {
      fail(scope, `roles[${i}].dependencies[${j}]`, d, `the name of another role of this group: ${names.filter((n) => n !== r.name).map((n) => `"${n}"`).join(', ') || 'none'}`);
    }
  }));
  const byName = new Map(roles.map((r) => [r.name, r]));
  const depth = new Map<string, number>();
  const visiting: string[] = [];
  const visit = (name: string): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    const at = visiting.indexOf(name);
    if (at >= 0) {
      const cycle = [...visiting.slice(at), name].join(' -> ');
      const i = roles.findIndex((r) => r.name === visiting[at]);
      fail(scope, `roles[${i}].dependencies`, cycle, 'dependencies without a cycle (a role cannot wait for itself, directly or through others)');
    }
    visiting.push(name);
    const d = Math.max(-1, ...(byName.get(name)!.dependencies ?? []).map(visit)) + 1;
    visiting.pop();
    depth.set(name, d);
    return d;
  };
  roles.forEach((r) => visit(r.name));
  return depth;
}
