import { IConstruct } from 'constructs';
import { requireLabelValue } from './names';

/** The recommended labels every object gets, plus our tenant label. */
export class Labels {
  /** Labels that select the pods of a workload. Stable: derived from the identity only. */
  public static selector(identity: WorkloadIdentity): { [key: string]: string } {
    return selectorLabels(identity);
  }

  /** The full standard label set for object metadata and pod templates. */
  public static standard(identity: WorkloadIdentity): { [key: string]: string } {
    return standardLabels(identity);
  }

  public static readonly NAME = 'app.kubernetes.io/name';
  public static readonly INSTANCE = 'app.kubernetes.io/instance';
  public static readonly COMPONENT = 'app.kubernetes.io/component';
  public static readonly PART_OF = 'app.kubernetes.io/part-of';
  public static readonly MANAGED_BY = 'app.kubernetes.io/managed-by';
  public static readonly TENANT = 'gpu-platform.dev/tenant';
  public static readonly MANAGED_BY_VALUE = 'cdk8s-gpu-platform';
}

/**
 * Who an object belongs to. Selectors are built from `name`, `instance` and `component` only: values the
 * user chose, never construct ids or paths, so renaming a construct id never changes an immutable selector.
 */
export interface WorkloadIdentity {
  /** `app.kubernetes.io/name`: the application, for example the model server name. */
  readonly name: string;
  /**
   * `app.kubernetes.io/instance`: the instance of the application.
   * @default - same as `name`
   */
  readonly instance?: string;
  /**
   * `app.kubernetes.io/component`, for example `server`, `router`, `prefill`.
   * @default - no component label
   */
  readonly component?: string;
  /**
   * `app.kubernetes.io/part-of`: the larger application.
   * @default - no part-of label
   */
  readonly partOf?: string;
  /**
   * The tenant label value.
   * @default - no tenant label
   */
  readonly tenant?: string;
}

/** Labels that select the pods of a workload. Stable: derived from the identity only. */
export function selectorLabels(identity: WorkloadIdentity): { [key: string]: string } {
  const labels: { [key: string]: string } = {
    [Labels.NAME]: identity.name,
    [Labels.INSTANCE]: identity.instance ?? identity.name,
  };
  if (identity.component) labels[Labels.COMPONENT] = identity.component;
  return labels;
}

/** The full standard label set for object metadata and pod templates. */
export function standardLabels(identity: WorkloadIdentity): { [key: string]: string } {
  const labels = selectorLabels(identity);
  if (identity.partOf) labels[Labels.PART_OF] = identity.partOf;
  labels[Labels.MANAGED_BY] = Labels.MANAGED_BY_VALUE;
  if (identity.tenant) labels[Labels.TENANT] = identity.tenant;
  return labels;
}

/** Checks every value of an identity is a valid label value. */
export function validateIdentity(scope: IConstruct, prop: string, identity: WorkloadIdentity): void {
  requireLabelValue(scope, `${prop}.name`, identity.name);
  if (identity.instance !== undefined) requireLabelValue(scope, `${prop}.instance`, identity.instance);
  if (identity.component !== undefined) requireLabelValue(scope, `${prop}.component`, identity.component);
  if (identity.partOf !== undefined) requireLabelValue(scope, `${prop}.partOf`, identity.partOf);
  if (identity.tenant !== undefined) requireLabelValue(scope, `${prop}.tenant`, identity.tenant);
}
