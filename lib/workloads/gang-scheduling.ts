import { IConstruct } from 'constructs';
import { fail } from '../core/errors';
import { requireDnsSubdomain } from '../core/names';
import { GangScheduler, validateGangOptions } from './pod-group';

/** scheduler-plugins coscheduling of a whole group (`podGroupPolicy.kubeScheduling`). */
export interface KubeSchedulingOptions {
  /**
   * How long members wait for the whole gang.
   * @default 60
   */
  readonly scheduleTimeoutSeconds?: number;
  /**
   * The scheduler-plugins scheduler name the pods use.
   * @default "scheduler-plugins-scheduler" (the scheduler-plugins chart's second scheduler)
   */
  readonly schedulerName?: string;
}

/** Volcano gang scheduling of a whole group (`podGroupPolicy.volcanoScheduling`). */
export interface VolcanoSchedulingOptions {
  /**
   * The Volcano queue.
   * @default - Volcano's "default" queue
   */
  readonly queue?: string;
  /**
   * PriorityClass of the PodGroup.
   * @default - none
   */
  readonly priorityClassName?: string;
  /**
   * The Volcano scheduler name the pods use.
   * @default "volcano"
   */
  readonly schedulerName?: string;
}

/** Gang scheduling: set exactly one of `kubeScheduling` and `volcanoScheduling`. */
export interface GangSchedulingOptions {
  /**
   * scheduler-plugins coscheduling.
   * @default - not used
   */
  readonly kubeScheduling?: KubeSchedulingOptions;
  /**
   * Volcano.
   * @default - not used
   */
  readonly volcanoScheduling?: VolcanoSchedulingOptions;
}

/** Gang scheduling after validation. */
export interface ResolvedGang {
  readonly scheduler: GangScheduler;
  readonly scheduleTimeoutSeconds?: number;
  readonly queue?: string;
  readonly priorityClassName?: string;
}

/** Validates the options (exactly one scheduler) and resolves the scheduler. */
export function resolveGang(scope: IConstruct, prop: string, options: GangSchedulingOptions | undefined): ResolvedGang | undefined {
  if (!options) return undefined;
  const kube = options.kubeScheduling;
  const vc = options.volcanoScheduling;
  if ((kube && vc) || (!kube && !vc)) {
    fail(scope, prop, { kubeScheduling: kube ? 'set' : undefined, volcanoScheduling: vc ? 'set' : undefined },
      'exactly one of kubeScheduling (scheduler-plugins) and volcanoScheduling: a pod has one scheduler');
  }
  if (kube) {
    const name = kube.schedulerName !== undefined ? requireDnsSubdomain(scope, `${prop}.kubeScheduling.schedulerName`, kube.schedulerName) : undefined;
    const scheduler = name ? GangScheduler.schedulerPlugins(name) : GangScheduler.SCHEDULER_PLUGINS;
    validateGangOptions(scope, `${prop}.kubeScheduling.`, scheduler, kube);
    return { scheduler, scheduleTimeoutSeconds: kube.scheduleTimeoutSeconds ?? 60 };
  }
  const name = vc!.schedulerName !== undefined ? requireDnsSubdomain(scope, `${prop}.volcanoScheduling.schedulerName`, vc!.schedulerName) : undefined;
  const scheduler = name ? GangScheduler.volcano(name) : GangScheduler.VOLCANO;
  validateGangOptions(scope, `${prop}.volcanoScheduling.`, scheduler, vc!);
  return { scheduler, queue: vc!.queue, priorityClassName: vc!.priorityClassName };
}
