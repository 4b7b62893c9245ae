import { Construct } from 'constructs';
import { fail, requireInteger } from '../core/errors';
import { k8s } from '../core/k8s';
import { requireDnsSubdomain } from '../core/names';
import { setSyncWave, SyncWave } from '../core/sync-wave';

/** Props of {@link PlatformPriorityClass}. */
export interface PlatformPriorityClassProps {
  /** The PriorityClass name pods refer to with `priorityClassName` (not `system-*`, reserved for the system classes). */
  readonly name: string;
  /**
   * The priority. User classes must stay at or below 1,000,000,000 (higher values are reserved for
   * `system-*` classes).
   */
  readonly value: number;
  /**
   * A description, written as the `gpu-platform.dev/description` annotation.
   * @default - none
   */
  readonly description?: string;
  /**
   * Whether pods of this class preempt lower-priority pods (`PreemptLowerPriority`) or only queue ahead of
   * them (`Never`).
   * @default true
   */
  readonly preempt?: boolean;
}

/**
 * A PriorityClass the platform owns (cluster-scoped), so a `priorityClassName` in the output refers to an object
 * the same tree creates instead of an unstated cluster prerequisite. Synced in the namespace wave, before workloads.
 */
export class PlatformPriorityClass extends Construct {
  /** The highest value a non-system PriorityClass may have (kube-apiserver scheduling validation). */
  public static readonly MAX_USER_VALUE = 1_000_000_000;

  /** The class name. */
  public readonly name: string;
  /** The PriorityClass object. */
  public readonly apiObject: k8s.KubePriorityClass;

  constructor(scope: Construct, id: string, props: PlatformPriorityClassProps) {
    super(scope, id);
    this.name = requireDnsSubdomain(this, 'name', props.name);
    if (this.name.startsWith('system-')) fail(this, 'name', this.name, 'a name not starting with "system-" (reserved for the system classes)');
    requireInteger(this, 'value', props.value, -PlatformPriorityClass.MAX_USER_VALUE, PlatformPriorityClass.MAX_USER_VALUE);
    this.apiObject = new k8s.KubePriorityClass(this, 'Resource', {
      // `description` as an annotation: the 1.27 schema the harness validates against refuses the top-level field.
      metadata: { name: this.name, annotations: props.description ? { 'gpu-platform.dev/description': props.description } : undefined },
      value: props.value,
      globalDefault: false,
      preemptionPolicy: (props.preempt ?? true) ? 'PreemptLowerPriority' : 'Never',
    });
    setSyncWave(this.apiObject, SyncWave.NAMESPACE);
  }
}
