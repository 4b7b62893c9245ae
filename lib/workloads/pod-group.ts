import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as sp from '../../imports/schedplugins-scheduling.x-k8s.io';
import * as volcano from '../../imports/volcano-scheduling.volcano.sh';
import { fail, requireInteger } from '../core/errors';
import { k8s } from '../core/k8s';
import { requireDnsSubdomain, requireLabels } from '../core/names';
import { Cpu, Memory, requireGpuCount } from '../core/quantity';
import { setSyncWave, SyncWave } from '../core/sync-wave';
import { checkArg, checkProps, dnsSubdomain } from '../core/validate';
import { GpuQuotaEntry, ITenant, TenantBinding } from '../core/tenant';
import { podGroupShape } from './shapes';

/** The scheduler that gang-schedules a PodGroup, and the scheduler name member pods must use. */
export class GangScheduler {
  /**
   * scheduler-plugins coscheduling (`scheduling.x-k8s.io/v1alpha1` PodGroup), running as the second scheduler
   * `scheduler-plugins-scheduler`, as its Helm chart installs it.
   */
  public static readonly SCHEDULER_PLUGINS = new GangScheduler('scheduler-plugins', 'scheduler-plugins-scheduler');
  /** Volcano (`scheduling.volcano.sh/v1beta1` PodGroup), scheduler name `volcano`. */
  public static readonly VOLCANO = new GangScheduler('volcano', 'volcano');

  /**
   * scheduler-plugins coscheduling under another scheduler name, for example `default-scheduler` when the
   * cluster's main scheduler was replaced by a scheduler-plugins build.
   */
  public static schedulerPlugins(schedulerName: string): GangScheduler {
    checkArg('GangScheduler.schedulerPlugins', 'schedulerName', schedulerName, dnsSubdomain());
    return new GangScheduler('scheduler-plugins', schedulerName);
  }

  /** Volcano under another scheduler name. */
  public static volcano(schedulerName: string): GangScheduler {
    checkArg('GangScheduler.volcano', 'schedulerName', schedulerName, dnsSubdomain());
    return new GangScheduler('volcano', schedulerName);
  }

  private constructor(
    /** `scheduler-plugins` or `volcano`: stays private, callers compare with the constants or use `PodGroup`. */
    private readonly kind: string,
    /**
     * The `spec.schedulerName` member pods need. Public because it is the one fact users name elsewhere: the
     * environment's prerequisites (`Prerequisite.scheduler(GangScheduler.VOLCANO.schedulerName)`).
     */
    public readonly schedulerName: string,
  ) {}

  /**
   * True for Volcano (its PodGroup, queue and priority class); false for scheduler-plugins.
   * @internal
   */
  public get _isVolcano(): boolean {
    return this.kind === 'volcano';
  }

  /**
   * The label, annotation and scheduler name a member pod of PodGroup `podGroupName` needs.
   * @internal
   */
  public _membership(podGroupName: string): PodGroupMembership {
    return this._isVolcano
      ? { labels: {}, annotations: { [VOLCANO_GROUP_NAME_ANNOTATION]: podGroupName }, schedulerName: this.schedulerName }
      : { labels: { [SCHEDULER_PLUGINS_POD_GROUP_LABEL]: podGroupName }, annotations: {}, schedulerName: this.schedulerName };
  }
}

/** Label that makes a pod a member of a scheduler-plugins PodGroup (current coscheduling). */
export const SCHEDULER_PLUGINS_POD_GROUP_LABEL = 'scheduling.x-k8s.io/pod-group';
/** Annotation that makes a pod a member of a Volcano PodGroup. */
export const VOLCANO_GROUP_NAME_ANNOTATION = 'scheduling.k8s.io/group-name';

/** What a pod needs to belong to a PodGroup. */
export interface PodGroupMembership {
  /** Labels to add to the pod template. */
  readonly labels: { [key: string]: string };
  /** Annotations to add to the pod template. */
  readonly annotations: { [key: string]: string };
  /** The `spec.schedulerName` the pod must use. */
  readonly schedulerName: string;
}

/**
 * The label, annotation and scheduler name a member pod of PodGroup `podGroupName` needs:
 * scheduler-plugins reads the label `scheduling.x-k8s.io/pod-group`, Volcano the annotation
 * `scheduling.k8s.io/group-name`.
 */
export function podGroupMembership(scheduler: GangScheduler, podGroupName: string): PodGroupMembership {
  return scheduler._membership(podGroupName);
}

/** Returns a copy of `template` that is a member of the PodGroup (labels, annotations, schedulerName). */
export function withPodGroupMembership(template: k8s.PodTemplateSpec, membership: PodGroupMembership): k8s.PodTemplateSpec {
  const labels = { ...template.metadata?.labels, ...membership.labels };
  const annotations = { ...template.metadata?.annotations, ...membership.annotations };
  return {
    ...template,
    metadata: {
      ...template.metadata,
      labels: Object.keys(labels).length > 0 ? labels : undefined,
      annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
    },
    spec: { ...template.spec, containers: template.spec?.containers ?? [], schedulerName: membership.schedulerName },
  };
}

/** The minimum resources a gang needs before any member is bound. */
export interface GangResources {
  /**
   * CPU.
   * @default - not set
   */
  readonly cpu?: Cpu;
  /**
   * Memory.
   * @default - not set
   */
  readonly memory?: Memory;
  /**
   * GPUs by resource name.
   * @default - none
   */
  readonly gpus?: GpuQuotaEntry[];
}

/** Props of {@link PodGroup}. */
export interface PodGroupProps {
  /** `metadata.name`; member pods reference it. */
  readonly name: string;
  /**
   * The namespace (the same as the member pods').
   * @default - the tenant's namespace (one of `namespace` or `tenant` is required)
   */
  readonly namespace?: string;
  /**
   * The tenant whose namespace the gang's pods run in.
   * @default - no tenant
   */
  readonly tenant?: ITenant;
  /**
   * Which gang scheduler reads the PodGroup.
   * @default GangScheduler.SCHEDULER_PLUGINS
   */
  readonly scheduler?: GangScheduler;
  /** Nothing is bound until this many member pods can be placed (>= 1). */
  readonly minMember: number;
  /**
   * scheduler-plugins only (an error with Volcano, which has no schedule timeout): how long members wait for
   * the whole gang before they are rejected and retried.
   * @default - the plugin's default, 60 seconds
   */
  readonly scheduleTimeoutSeconds?: number;
  /**
   * Volcano only: the queue.
   * @default - Volcano's default queue, "default"
   */
  readonly queue?: string;
  /**
   * Volcano only: the PriorityClass of the gang.
   * @default - none
   */
  readonly priorityClassName?: string;
  /**
   * Minimum resources the gang needs before any member is bound.
   * @default - none
   */
  readonly minResources?: GangResources;
  /**
   * Extra labels.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Extra annotations.
   * @default - none
   */
  readonly annotations?: { [key: string]: string };
}

/** Checks scheduler-specific options against the chosen scheduler. Shared with RoleBasedGroup. */
export function validateGangOptions(scope: IConstruct, prefix: string, scheduler: GangScheduler,
  options: { scheduleTimeoutSeconds?: number; queue?: string; priorityClassName?: string }): void {
  if (scheduler._isVolcano) {
    if (options.scheduleTimeoutSeconds !== undefined) {
      fail(scope, `${prefix}scheduleTimeoutSeconds`, options.scheduleTimeoutSeconds, 'only with GangScheduler.SCHEDULER_PLUGINS (Volcano has no schedule timeout)');
    }
  } else {
    if (options.queue !== undefined) fail(scope, `${prefix}queue`, options.queue, 'only with GangScheduler.VOLCANO');
    if (options.priorityClassName !== undefined) fail(scope, `${prefix}priorityClassName`, options.priorityClassName, 'only with GangScheduler.VOLCANO');
  }
  if (options.scheduleTimeoutSeconds !== undefined) requireInteger(scope, `${prefix}scheduleTimeoutSeconds`, options.scheduleTimeoutSeconds, 1, 2147483647);
  if (options.queue !== undefined) requireDnsSubdomain(scope, `${prefix}queue`, options.queue);
  if (options.priorityClassName !== undefined) requireDnsSubdomain(scope, `${prefix}priorityClassName`, options.priorityClassName);
}

function minResourceValues(scope: IConstruct, r: GangResources | undefined): { [key: string]: string | number } | undefined {
  if (!r) return undefined;
  const out: { [key: string]: string | number } = {};
  if (r.cpu) out.cpu = r.cpu.validate(scope, 'minResources.cpu').text;
  if (r.memory) out.memory = r.memory.validate(scope, 'minResources.memory').text;
  (r.gpus ?? []).forEach((g, i) => {
    g.resource.validate(scope, `minResources.gpus[${i}].resource`);
    out[g.resource.resourceName] = (Number(out[g.resource.resourceName] ?? 0)) + requireGpuCount(scope, `minResources.gpus[${i}].count`, g.count);
  });
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * A gang-scheduling PodGroup: either scheduler-plugins coscheduling (`scheduling.x-k8s.io/v1alpha1`) or
 * Volcano (`scheduling.volcano.sh/v1beta1`). Member pods join with {@link PodGroup.membership}.
 * The PodGroup syncs in the CONFIG wave, before its members.
 */
export class PodGroup extends Construct {
  /** The label scheduler-plugins reads to find a pod's PodGroup. */
  public static readonly SCHEDULER_PLUGINS_POD_GROUP_LABEL = SCHEDULER_PLUGINS_POD_GROUP_LABEL;
  /** The annotation Volcano reads to find a pod's PodGroup. */
  public static readonly VOLCANO_GROUP_NAME_ANNOTATION = VOLCANO_GROUP_NAME_ANNOTATION;

  /** The labels, annotations and scheduler name that make a pod a member of PodGroup `podGroupName`. */
  public static membershipFor(scheduler: GangScheduler, podGroupName: string): PodGroupMembership {
    return podGroupMembership(scheduler, podGroupName);
  }

  /** A copy of `template` with `membership` merged in. */
  public static withMembership(template: k8s.PodTemplateSpec, membership: PodGroupMembership): k8s.PodTemplateSpec {
    return withPodGroupMembership(template, membership);
  }

  /** The PodGroup object (scheduler-plugins or Volcano class). */
  public readonly apiObject: ApiObject;
  /** `metadata.name`. */
  public readonly name: string;
  /** The namespace. */
  public readonly namespace: string;
  /** The scheduler. */
  public readonly scheduler: GangScheduler;
  /** minMember. */
  public readonly minMember: number;

  constructor(scope: Construct, id: string, props: PodGroupProps) {
    super(scope, id);
    checkProps(this, props, podGroupShape(), { name: 'PodGroupProps' });
    this.name = requireDnsSubdomain(this, 'name', props.name);
    this.namespace = TenantBinding.bind(this, { namespace: props.namespace, tenant: props.tenant }).namespace;
    this.scheduler = props.scheduler ?? GangScheduler.SCHEDULER_PLUGINS;
    this.minMember = requireInteger(this, 'minMember', props.minMember, 1, 2147483647);
    validateGangOptions(this, '', this.scheduler, props);
    requireLabels(this, 'labels', props.labels);
    const minResources = minResourceValues(this, props.minResources);
    const metadata = { name: this.name, namespace: this.namespace, labels: props.labels, annotations: props.annotations };

    if (this.scheduler._isVolcano) {
      this.apiObject = new volcano.PodGroup(this, 'Resource', {
        metadata,
        spec: {
          minMember: this.minMember,
          queue: props.queue,
          priorityClassName: props.priorityClassName,
          minResources: minResources && Object.fromEntries(Object.entries(minResources)
            .map(([k, v]) => [k, typeof v === 'number' ? volcano.PodGroupSpecMinResources.fromNumber(v) : volcano.PodGroupSpecMinResources.fromString(v)])),
        },
      });
    } else {
      this.apiObject = new sp.PodGroup(this, 'Resource', {
        metadata,
        spec: {
          minMember: this.minMember,
          scheduleTimeoutSeconds: props.scheduleTimeoutSeconds,
          minResources: minResources && Object.fromEntries(Object.entries(minResources)
            .map(([k, v]) => [k, typeof v === 'number' ? sp.PodGroupSpecMinResources.fromNumber(v) : sp.PodGroupSpecMinResources.fromString(v)])),
        },
      });
    }
    // The group must exist before its members are created, or they wait unscheduled.
    setSyncWave(this.apiObject, SyncWave.CONFIG);
  }

  /** The label, annotation and scheduler name a member pod needs. */
  public get membership(): PodGroupMembership {
    return podGroupMembership(this.scheduler, this.name);
  }

  /** Returns a copy of `template` that is a member of this group. */
  public addMember(template: k8s.PodTemplateSpec): k8s.PodTemplateSpec {
    return withPodGroupMembership(template, this.membership);
  }
}
