import { ApiObject } from 'cdk8s';
import { checkArg, dnsSubdomain, instance, object } from '../core/validate';

/** What Argo Rollouts does with the referenced Deployment once the Rollout runs its pods. */
export class WorkloadScaleDown {
  /** Leave the Deployment running (its pods and the Rollout's pods run side by side: double the GPUs). */
  public static readonly NEVER = new WorkloadScaleDown('never');
  /** Scale the Deployment to 0 once the Rollout is healthy (needs room for both during the migration). */
  public static readonly ON_SUCCESS = new WorkloadScaleDown('onsuccess');
  /** Scale the Deployment down as the Rollout scales up (no extra pods: the GPU-friendly choice). */
  public static readonly PROGRESSIVELY = new WorkloadScaleDown('progressively');

  // The value stays private: CanaryRollout renders it through `_render`.
  private constructor(private readonly value: string) {}

  /**
   * The `workloadRef.scaleDown` value.
   * @internal
   */
  public _render(): string {
    return this.value;
  }
}

/** Options of a workload reference. */
export interface WorkloadRefOptions {
  /**
   * What happens to the Deployment. Argo scales it (to 0) at runtime, so the CanaryRollout also exposes an
   * ignoreDifferences entry for its `/spec/replicas`.
   * @default WorkloadScaleDown.PROGRESSIVELY
   */
  readonly scaleDown?: WorkloadScaleDown;
}

/** Options of `WorkloadRef.deploymentNamed`. */
export interface DeploymentNamedOptions extends WorkloadRefOptions {
  /**
   * The Deployment's namespace (must be the Rollout's namespace; Argo only references its own namespace).
   * @default - the Rollout's namespace
   */
  readonly namespace?: string;
}

/**
 * An existing Deployment whose pod template the Rollout runs (`spec.workloadRef`). The Deployment must be
 * in the same app; it is looked up at synth time.
 */
export class WorkloadRef {
  /**
   * A Deployment ApiObject: `GpuInferenceService.deployment`, a `k8s.KubeDeployment`, or
   * `ApiObject.of(kplusDeployment)`.
   */
  public static deployment(deployment: ApiObject, options: WorkloadRefOptions = {}): WorkloadRef {
    checkArg('WorkloadRef.deployment', 'deployment', deployment, instance(ApiObject, { allowed: 'a Deployment ApiObject, such as GpuInferenceService.deployment' }));
    checkArg('WorkloadRef.deployment', 'options', options, object('an object of WorkloadRefOptions'));
    return new WorkloadRef(deployment.name, deployment.metadata.namespace, options.scaleDown ?? WorkloadScaleDown.PROGRESSIVELY, deployment);
  }

  /** A Deployment by name; it must exist in the app (checked at synth). */
  public static deploymentNamed(name: string, options: DeploymentNamedOptions = {}): WorkloadRef {
    checkArg('WorkloadRef.deploymentNamed', 'name', name, dnsSubdomain());
    checkArg('WorkloadRef.deploymentNamed', 'options', options, object('an object of DeploymentNamedOptions'));
    return new WorkloadRef(name, options.namespace, options.scaleDown ?? WorkloadScaleDown.PROGRESSIVELY);
  }

  // The state stays private (which factory made it is not for callers to switch on); CanaryRollout reads it
  // through `_bind`.
  private constructor(
    private readonly name: string,
    private readonly namespace: string | undefined,
    private readonly scaleDown: WorkloadScaleDown,
    private readonly object?: ApiObject,
  ) {}

  /**
   * What the Rollout needs: the Deployment's name, its namespace and object when known, the scale-down policy.
   * @internal
   */
  public _bind(): BoundWorkloadRef {
    return { name: this.name, namespace: this.namespace, scaleDown: this.scaleDown, object: this.object };
  }
}

/**
 * A WorkloadRef as the Rollout uses it.
 * @internal
 */
export interface BoundWorkloadRef {
  readonly name: string;
  /** Undefined for `deploymentNamed` without a namespace. */
  readonly namespace?: string;
  readonly scaleDown: WorkloadScaleDown;
  /** Only for `WorkloadRef.deployment`. */
  readonly object?: ApiObject;
}
