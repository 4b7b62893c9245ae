import { ScaledObjectSpecTriggers } from '../../imports/keda-keda.sh';
import { k8s } from '../core/k8s';

/** Options of `RolloutAutoscaling.hpa`. */
export interface RolloutHpaOptions {
  /**
   * Lowest replica count.
   * @default 1
   */
  readonly minReplicas?: number;
  /** Highest replica count (also the replica count the tenant quota check uses). */
  readonly maxReplicas: number;
  /** The autoscaling/v2 metrics, at least one. */
  readonly metrics: k8s.MetricSpecV2[];
  /**
   * Scaling behavior.
   * @default - Kubernetes defaults
   */
  readonly behavior?: k8s.HorizontalPodAutoscalerBehaviorV2;
}

/** Options of `RolloutAutoscaling.keda`. */
export interface RolloutKedaOptions {
  /**
   * Lowest replica count.
   * @default 1
   */
  readonly minReplicas?: number;
  /** Highest replica count (also the replica count the tenant quota check uses). */
  readonly maxReplicas: number;
  /** KEDA triggers, at least one (for example a `prometheus` trigger on the vLLM queue length). */
  readonly triggers: ScaledObjectSpecTriggers[];
  /**
   * Seconds between trigger checks.
   * @default - KEDA default (30)
   */
  readonly pollingInterval?: number;
  /**
   * Seconds after the last active trigger before scaling to minReplicas.
   * @default - KEDA default (300)
   */
  readonly cooldownPeriod?: number;
}

/**
 * An autoscaler that targets the Rollout through its scale subresource (`argoproj.io/v1alpha1` Rollout).
 * With any of them the Rollout leaves `spec.replicas` out of Git, and Argo CD is told to ignore it.
 */
export class RolloutAutoscaling {
  /** An autoscaling/v2 HorizontalPodAutoscaler named like the Rollout. */
  public static hpa(options: RolloutHpaOptions): RolloutAutoscaling {
    return new RolloutAutoscaling('hpa', options.minReplicas ?? 1, options.maxReplicas, options);
  }
  /** A KEDA ScaledObject named like the Rollout (KEDA creates and owns the HPA). */
  public static keda(options: RolloutKedaOptions): RolloutAutoscaling {
    return new RolloutAutoscaling('keda', options.minReplicas ?? 1, options.maxReplicas, undefined, options);
  }
  /** An autoscaler defined elsewhere targets the Rollout; only `maxReplicas` is needed (quota check). */
  public static external(maxReplicas: number): RolloutAutoscaling {
    return new RolloutAutoscaling('external', 1, maxReplicas);
  }

  private constructor(
    /** `hpa`, `keda` or `external`. */
    public readonly kind: string,
    /** Lowest replica count. */
    public readonly minReplicas: number,
    /** Highest replica count. */
    public readonly maxReplicas: number,
    /** The HPA options. */
    public readonly hpaOptions?: RolloutHpaOptions,
    /** The KEDA options. */
    public readonly kedaOptions?: RolloutKedaOptions,
  ) {}
}
