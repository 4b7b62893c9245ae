import { Construct } from 'constructs';
import * as lws from '../../imports/lws-leaderworkerset.x-k8s.io';
import { fail, requireInteger } from '../core/errors';
import { k8s } from '../core/k8s';
import { requireDnsLabel, requireLabels } from '../core/names';
import { setSyncWave, SyncWave } from '../core/sync-wave';
import { checkProps } from '../core/validate';
import { leaderWorkerSetShape } from './shapes';
import { ITenant, PodPart, TenantBinding } from '../core/tenant';

/** What the LWS controller does when a pod of a group fails or restarts. */
export class LwsRestartPolicy {
  /** Recreate every pod of the group when any of its pods restarts (the LWS default). */
  public static readonly RECREATE_GROUP_ON_POD_RESTART = new LwsRestartPolicy('RecreateGroupOnPodRestart');
  /** Leave the other pods alone; only the failed pod restarts. */
  public static readonly NONE = new LwsRestartPolicy('None');

  // The value stays private: LeaderWorkerSet renders it through `_render`.
  private constructor(private readonly value: string) {}

  /**
   * The value written to `leaderWorkerTemplate.restartPolicy`.
   * @internal
   */
  public _render(): string {
    return this.value;
  }
}

/** When the LWS controller creates the worker pods of a group. */
export class LwsStartupPolicy {
  /** Workers are created as soon as the leader pod exists (the LWS default). */
  public static readonly LEADER_CREATED = new LwsStartupPolicy('LeaderCreated');
  /** Workers are created once the leader pod is Ready. */
  public static readonly LEADER_READY = new LwsStartupPolicy('LeaderReady');

  // The value stays private: LeaderWorkerSet renders it through `_render`.
  private constructor(private readonly value: string) {}

  /**
   * The value written to `spec.startupPolicy`.
   * @internal
   */
  public _render(): string {
    return this.value;
  }
}

/**
 * A rolling-update budget. Shared by LeaderWorkerSet and RoleBasedGroup roles.
 * Values are integers or percentages (`k8s.IntOrString.fromString('25%')`).
 */
export interface RollingUpdateOptions {
  /**
   * How many groups (or pods) may be unavailable during an update.
   * @default 1
   */
  readonly maxUnavailable?: k8s.IntOrString;
  /**
   * How many extra groups (or pods) may be created during an update.
   * @default 0
   */
  readonly maxSurge?: k8s.IntOrString;
  /**
   * Only replicas with an index >= partition are updated (staged rollouts).
   * @default 0
   */
  readonly partition?: number;
}

/** Props of {@link LeaderWorkerSet}. */
export interface LeaderWorkerSetProps {
  /** `metadata.name`. Pods are named `<name>-<group>` (leader) and `<name>-<group>-<worker>`. */
  readonly name: string;
  /**
   * The namespace.
   * @default - the tenant's namespace (one of `namespace` or `tenant` is required)
   */
  readonly namespace?: string;
  /**
   * The tenant: namespace, node placement of both templates, and synth-time checks that `replicas` groups
   * fit the tenant's quota and that every pod passes the tenant's LimitRange.
   * @default - no tenant
   */
  readonly tenant?: ITenant;
  /**
   * Number of leader/worker groups, 0 to 1000000.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Leave `spec.replicas` out of the manifest, for a LeaderWorkerSet that an HPA or KEDA scales through its
   * scale subresource (like a Deployment under an HPA): a count in the manifest would be reset by every
   * Argo CD sync. `replicas` then only feeds `podCount` (quota and gang sizes); the API server creates the
   * LeaderWorkerSet with the CRD default of 1 group and the autoscaler takes over from there.
   * @default false
   */
  readonly omitReplicas?: boolean;
  /** Pods per group, leader included (>= 1). */
  readonly size: number;
  /**
   * The leader's pod template.
   * @default - the leader uses `workerTemplate`
   */
  readonly leaderTemplate?: k8s.PodTemplateSpec;
  /** The workers' pod template (and the leader's when `leaderTemplate` is not set). */
  readonly workerTemplate: k8s.PodTemplateSpec;
  /**
   * What happens to a group when one of its pods restarts.
   * @default LwsRestartPolicy.RECREATE_GROUP_ON_POD_RESTART
   */
  readonly restartPolicy?: LwsRestartPolicy;
  /**
   * When workers are created.
   * @default LwsStartupPolicy.LEADER_CREATED
   */
  readonly startupPolicy?: LwsStartupPolicy;
  /**
   * Split each group into sub-groups of this many pods (for exclusive sub-group topology).
   * `size` or `size - 1` must be divisible by it: the sub-group policy is `LeaderWorker` when `size` is, else
   * `LeaderExcluded` (the leader then forms no sub-group of its own).
   * @default - no sub-groups
   */
  readonly subGroupSize?: number;
  /**
   * Rolling-update budget.
   * @default - LWS defaults: maxUnavailable 1, maxSurge 0, partition 0
   */
  readonly rolloutStrategy?: RollingUpdateOptions;
  /**
   * Extra labels for the LeaderWorkerSet object (not the pods; put pod labels into the templates).
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Extra annotations for the LeaderWorkerSet object.
   * @default - none
   */
  readonly annotations?: { [key: string]: string };
}

const PERCENT = /^(0|[1-9][0-9]*)%$/;

/** Checks an int-or-string budget: a non-negative integer or a percentage such as "25%". */
export function validateIntOrPercent(scope: Construct, prop: string, value: k8s.IntOrString | undefined): void {
  if (value === undefined) return;
  const v = value.value;
  const ok = typeof v === 'number' ? Number.isInteger(v) && v >= 0 : PERCENT.test(v);
  if (!ok) fail(scope, prop, v, 'a non-negative integer or a percentage such as "25%"');
}

/** Validates a rolling-update budget, naming `prop` in errors. */
export function validateRollingUpdate(scope: Construct, prop: string, r: RollingUpdateOptions | undefined): void {
  if (!r) return;
  validateIntOrPercent(scope, `${prop}.maxUnavailable`, r.maxUnavailable);
  validateIntOrPercent(scope, `${prop}.maxSurge`, r.maxSurge);
  if (r.partition !== undefined) requireInteger(scope, `${prop}.partition`, r.partition, 0);
}

/**
 * The generated LWS types mirror the core PodTemplateSpec field for field (the CRD embeds the same
 * Kubernetes type), and their quantities / int-or-strings are `{ value }` objects exactly like
 * `k8s.Quantity`, so a core template is passed through as is.
 */
function lwsTemplate<T>(template: k8s.PodTemplateSpec): T {
  return template as unknown as T;
}

/**
 * A LeaderWorkerSet (`leaderworkerset.x-k8s.io/v1`): `replicas` groups of `size` pods each, one leader and
 * `size - 1` workers, created, scaled, restarted and updated as a unit. Multi-node model serving
 * (tensor/pipeline parallel across nodes) runs one model replica per group.
 * The LWS controller must be installed.
 */
export class LeaderWorkerSet extends Construct {
  /** The LeaderWorkerSet object. */
  public readonly apiObject: lws.LeaderWorkerSet;
  /** `metadata.name`. */
  public readonly name: string;
  /** The namespace. */
  public readonly namespace: string;
  /** Number of groups (the initial / nominal count when `replicasOmitted`). */
  public readonly replicas: number;
  /** True when `spec.replicas` is left to an autoscaler (`omitReplicas`). */
  public readonly replicasOmitted: boolean;
  /** Pods per group. */
  public readonly size: number;

  constructor(scope: Construct, id: string, props: LeaderWorkerSetProps) {
    super(scope, id);
    checkProps(this, props, leaderWorkerSetShape(), { name: 'LeaderWorkerSetProps' });
    this.name = requireDnsLabel(this, 'name', props.name);
    const binding = TenantBinding.bind(this, { namespace: props.namespace, tenant: props.tenant });
    this.namespace = binding.namespace;
    this.replicas = requireInteger(this, 'replicas', props.replicas ?? 1, 0, 1000000);
    this.size = requireInteger(this, 'size', props.size, 1);
    this.replicasOmitted = props.omitReplicas ?? false;
    if (!props.workerTemplate) fail(this, 'workerTemplate', props.workerTemplate, 'a pod template');
    requireLabels(this, 'labels', props.labels);
    validateRollingUpdate(this, 'rolloutStrategy', props.rolloutStrategy);

    let subGroupPolicy: lws.LeaderWorkerSetSpecLeaderWorkerTemplateSubGroupPolicy | undefined;
    if (props.subGroupSize !== undefined) {
      const sgs = requireInteger(this, 'subGroupSize', props.subGroupSize, 1, this.size);
      if (this.size % sgs !== 0 && (this.size - 1) % sgs !== 0) {
        fail(this, 'subGroupSize', sgs, `a divisor of size (${this.size}) or of size - 1 (${this.size - 1})`);
      }
      // LeaderExcluded when only the workers divide evenly: the leader then forms no sub-group of its own.
      subGroupPolicy = {
        subGroupSize: sgs,
        subGroupPolicyType: this.size % sgs === 0
          ? lws.LeaderWorkerSetSpecLeaderWorkerTemplateSubGroupPolicySubGroupPolicyType.LEADER_WORKER
          : lws.LeaderWorkerSetSpecLeaderWorkerTemplateSubGroupPolicySubGroupPolicyType.LEADER_EXCLUDED,
      };
    }

    const r = props.rolloutStrategy;
    const rollingUpdateConfiguration = r && (r.maxSurge || r.maxUnavailable || r.partition !== undefined) ? {
      maxSurge: r.maxSurge as lws.LeaderWorkerSetSpecRolloutStrategyRollingUpdateConfigurationMaxSurge | undefined,
      maxUnavailable: r.maxUnavailable as lws.LeaderWorkerSetSpecRolloutStrategyRollingUpdateConfigurationMaxUnavailable | undefined,
      partition: r.partition,
    } : undefined;

    const place = (t: k8s.PodTemplateSpec): k8s.PodTemplateSpec => (binding.tenant && t.spec ? { ...t, spec: binding.place(t.spec) } : t);
    const leaderTemplate = props.leaderTemplate ? place(props.leaderTemplate) : undefined;
    const workerTemplate = place(props.workerTemplate);
    binding.checkPods(() => {
      const parts: PodPart[] = [{ pods: this.replicas, spec: (leaderTemplate ?? workerTemplate).spec, prop: leaderTemplate ? 'leaderTemplate' : 'workerTemplate' }];
      if (this.size > 1) parts.push({ pods: this.replicas * (this.size - 1), spec: workerTemplate.spec, prop: 'workerTemplate' });
      return { description: `LeaderWorkerSet ${this.name}: ${this.replicas} group(s) x ${this.size} pod(s)`, parts };
    });

    this.apiObject = new lws.LeaderWorkerSet(this, 'Resource', {
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: props.labels,
        annotations: props.annotations,
      },
      spec: {
        replicas: this.replicasOmitted ? undefined : this.replicas,
        startupPolicy: (props.startupPolicy ?? LwsStartupPolicy.LEADER_CREATED)._render() as lws.LeaderWorkerSetSpecStartupPolicy,
        leaderWorkerTemplate: {
          size: this.size,
          restartPolicy: (props.restartPolicy ?? LwsRestartPolicy.RECREATE_GROUP_ON_POD_RESTART)._render() as lws.LeaderWorkerSetSpecLeaderWorkerTemplateRestartPolicy,
          leaderTemplate: leaderTemplate ? lwsTemplate(leaderTemplate) : undefined,
          workerTemplate: lwsTemplate(workerTemplate),
          subGroupPolicy,
        },
        rolloutStrategy: {
          type: lws.LeaderWorkerSetSpecRolloutStrategyType.ROLLING_UPDATE,
          rollingUpdateConfiguration,
        },
      },
    });
    setSyncWave(this.apiObject, SyncWave.WORKLOAD);
  }

  /** Total pods: replicas x size. */
  public get podCount(): number {
    return this.replicas * this.size;
  }
}
