import { Duration } from 'cdk8s';
import { RolloutSpecStrategyCanaryAnalysisArgs } from '../../imports/rollouts-argoproj.io';
import { CanaryAnalysisTemplate } from './analysis-template';

/** A value passed to an analysis argument from the Rollout (step or background analysis). */
export class AnalysisArg {
  /** A literal value. */
  public static value(name: string, value: string): AnalysisArg {
    return new AnalysisArg(name, value);
  }
  /** The pod-template hash of the stable ReplicaSet (to select stable pods in a query). */
  public static stablePodTemplateHash(name: string): AnalysisArg {
    return new AnalysisArg(name, undefined, 'Stable');
  }
  /** The pod-template hash of the canary (latest) ReplicaSet (to select canary pods in a query). */
  public static latestPodTemplateHash(name: string): AnalysisArg {
    return new AnalysisArg(name, undefined, 'Latest');
  }
  /** A field of the Rollout, for example `metadata.name` or `metadata.namespace`. */
  public static fieldRef(name: string, fieldPath: string): AnalysisArg {
    return new AnalysisArg(name, undefined, undefined, fieldPath);
  }

  private constructor(
    /** The argument name. */
    public readonly name: string,
    /** A literal value. */
    public readonly literal?: string,
    /** `Stable` or `Latest`. */
    public readonly podTemplateHash?: string,
    /** A Rollout field path. */
    public readonly fieldPath?: string,
  ) {}

  /** The Rollout `args[]` entry. */
  public toJson(): RolloutSpecStrategyCanaryAnalysisArgs {
    if (this.podTemplateHash) return { name: this.name, valueFrom: { podTemplateHashValue: this.podTemplateHash } };
    if (this.fieldPath) return { name: this.name, valueFrom: { fieldRef: { fieldPath: this.fieldPath } } };
    return { name: this.name, value: this.literal };
  }
}

/** Options of `CanaryStep.canaryScale`: exactly one of replicas, weight or matchTrafficWeight. */
export interface CanaryScaleOptions {
  /**
   * Run exactly this many canary pods, whatever the traffic weight (for example 1 GPU pod).
   * @default - not set
   */
  readonly replicas?: number;
  /**
   * Run the canary at this percentage of `spec.replicas`, whatever the traffic weight.
   * @default - not set
   */
  readonly weight?: number;
  /**
   * Go back to scaling the canary with the traffic weight.
   * @default false
   */
  readonly matchTrafficWeight?: boolean;
}

/**
 * One step of a canary. Build steps with the static factories:
 * `[CanaryStep.trafficWeight(10), CanaryStep.pauseFor(Duration.minutes(5)), CanaryStep.pause()]`.
 */
export class CanaryStep {
  /** Send `weight` percent (0-100) of the traffic to the canary. Weights may not go down. */
  public static trafficWeight(weight: number): CanaryStep {
    return new CanaryStep('setWeight', { weight });
  }
  /** Pause until the rollout is promoted (`kubectl argo rollouts promote`, or the Argo CD action). */
  public static pause(): CanaryStep {
    return new CanaryStep('pause', {});
  }
  /** Pause for a whole number of seconds (at least 1), written as `30s`, `5m` or `1h`. */
  public static pauseFor(duration: Duration): CanaryStep {
    return new CanaryStep('pause', { duration });
  }
  /**
   * Scale the canary independently of its traffic weight (traffic routing only). With GPU pods this keeps a
   * canary at one pod while it takes a small share of the traffic.
   */
  public static canaryScale(options: CanaryScaleOptions): CanaryStep {
    return new CanaryStep('setCanaryScale', { scale: options });
  }
  /** Run an analysis and wait for its result; a failed analysis aborts the rollout. */
  public static analysis(template: CanaryAnalysisTemplate, args?: AnalysisArg[]): CanaryStep {
    return new CanaryStep('analysis', { template, args: args ?? [] });
  }

  private constructor(
    /** `setWeight`, `pause`, `setCanaryScale` or `analysis`. */
    public readonly kind: string,
    private readonly data: {
      weight?: number;
      duration?: Duration;
      scale?: CanaryScaleOptions;
      template?: CanaryAnalysisTemplate;
      args?: AnalysisArg[];
    },
  ) {}

  /** The traffic weight of a `setWeight` step. */
  public get weight(): number | undefined {
    return this.data.weight;
  }
  /** The duration of a timed pause (undefined for an indefinite pause). */
  public get duration(): Duration | undefined {
    return this.data.duration;
  }
  /** The options of a `setCanaryScale` step. */
  public get scale(): CanaryScaleOptions | undefined {
    return this.data.scale;
  }
  /** The template of an `analysis` step. */
  public get template(): CanaryAnalysisTemplate | undefined {
    return this.data.template;
  }
  /** The args of an `analysis` step. */
  public get args(): AnalysisArg[] {
    return this.data.args ?? [];
  }
}
