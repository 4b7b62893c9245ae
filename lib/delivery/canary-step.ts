import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import {
  RolloutSpecStrategyCanaryAnalysisArgs, RolloutSpecStrategyCanarySteps, RolloutSpecStrategyCanaryStepsPauseDuration,
} from '../../imports/rollouts-argoproj.io';
import { fail, requireInteger } from '../core/errors';
import { arr, bool, checkArg, instance, int, opt, shape, str } from '../core/validate';
import { CanaryAnalysisTemplate } from './analysis-template';
import { requireArgoDuration } from './internal';

/** A value passed to an analysis argument from the Rollout (step or background analysis). */
export class AnalysisArg {
  /** A literal value. */
  public static value(name: string, value: string): AnalysisArg {
    checkArg('AnalysisArg.value', 'name', name, str({ nonEmpty: true }));
    checkArg('AnalysisArg.value', 'value', value, str());
    return new AnalysisArg(name, value);
  }
  /** The pod-template hash of the stable ReplicaSet (to select stable pods in a query). */
  public static stablePodTemplateHash(name: string): AnalysisArg {
    checkArg('AnalysisArg.stablePodTemplateHash', 'name', name, str({ nonEmpty: true }));
    return new AnalysisArg(name, undefined, 'Stable');
  }
  /** The pod-template hash of the canary (latest) ReplicaSet (to select canary pods in a query). */
  public static latestPodTemplateHash(name: string): AnalysisArg {
    checkArg('AnalysisArg.latestPodTemplateHash', 'name', name, str({ nonEmpty: true }));
    return new AnalysisArg(name, undefined, 'Latest');
  }
  /** A field of the Rollout, for example `metadata.name` or `metadata.namespace`. */
  public static fieldRef(name: string, fieldPath: string): AnalysisArg {
    checkArg('AnalysisArg.fieldRef', 'name', name, str({ nonEmpty: true }));
    checkArg('AnalysisArg.fieldRef', 'fieldPath', fieldPath, str({ nonEmpty: true }));
    return new AnalysisArg(name, undefined, undefined, fieldPath);
  }

  private constructor(
    /** The argument name: public, it is the name the analysis template declares (what the user gave). */
    public readonly name: string,
    /** A literal value. */
    private readonly literal?: string,
    /** `Stable` or `Latest`. */
    private readonly podTemplateHash?: string,
    /** A Rollout field path. */
    private readonly fieldPath?: string,
  ) {}

  /**
   * The Rollout `args[]` entry.
   * @internal
   */
  public _render(): RolloutSpecStrategyCanaryAnalysisArgs {
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
 * What a step needs from the CanaryRollout it renders in.
 * @internal
 */
export interface CanaryStepContext {
  /** The rollout, for messages. */
  readonly scope: IConstruct;
  /** The step's prop path, for example `steps[2]`. */
  readonly prop: string;
  /** Whether the rollout has a traffic router (setCanaryScale needs one). */
  readonly routed: boolean;
  /** The weight of the previous trafficWeight step, 0 before the first (weights may not go down). */
  readonly previousWeight: number;
  /** Checks an analysis template and its args against the rollout (namespace, args, bounded). */
  checkTemplate(prop: string, template: CanaryAnalysisTemplate, args: AnalysisArg[]): void;
}

type StepRenderer = (ctx: CanaryStepContext) => RolloutSpecStrategyCanarySteps;

/**
 * One step of a canary. Build steps with the static factories:
 * `[CanaryStep.trafficWeight(10), CanaryStep.pauseFor(Duration.minutes(5)), CanaryStep.pause()]`.
 * A step keeps what it was built with private and renders itself into the Rollout (`_render`).
 */
export class CanaryStep {
  /** Send `weight` percent (0-100) of the traffic to the canary. Weights may not go down. */
  public static trafficWeight(weight: number): CanaryStep {
    return new CanaryStep((ctx) => {
      const prop = `${ctx.prop}.setWeight`;
      requireInteger(ctx.scope, prop, weight, 0, 100);
      if (weight < ctx.previousWeight) {
        fail(ctx.scope, prop, weight, `a weight >= the previous setWeight (${ctx.previousWeight}); weights may not go down`);
      }
      return { setWeight: weight };
    }, weight);
  }
  /** Pause until the rollout is promoted (`kubectl argo rollouts promote`, or the Argo CD action). */
  public static pause(): CanaryStep {
    return new CanaryStep(() => ({ pause: {} }));
  }
  /** Pause for a whole number of seconds (at least 1), written as `30s`, `5m` or `1h`. */
  public static pauseFor(duration: Duration): CanaryStep {
    checkArg('CanaryStep.pauseFor', 'duration', duration, instance(Duration));
    return new CanaryStep((ctx) => {
      const text = requireArgoDuration(ctx.scope, `${ctx.prop}.pause.duration`, duration);
      return { pause: { duration: RolloutSpecStrategyCanaryStepsPauseDuration.fromString(text) } };
    });
  }
  /**
   * Scale the canary independently of its traffic weight (traffic routing only). With GPU pods this keeps a
   * canary at one pod while it takes a small share of the traffic.
   */
  public static canaryScale(options: CanaryScaleOptions): CanaryStep {
    checkArg('CanaryStep.canaryScale', 'options', options, shape<CanaryScaleOptions>({ replicas: opt(int(0)), weight: opt(int(0, 100)), matchTrafficWeight: opt(bool) }, { name: 'CanaryScaleOptions' }));
    const s = options ?? {};
    return new CanaryStep((ctx) => {
      const prop = `${ctx.prop}.setCanaryScale`;
      if (!ctx.routed) fail(ctx.scope, prop, s, 'setCanaryScale only with a traffic router (TrafficRouting.nginx or gatewayApi)');
      const set = [s.replicas !== undefined, s.weight !== undefined, s.matchTrafficWeight === true].filter((x) => x).length;
      if (set !== 1) fail(ctx.scope, prop, s, 'exactly one of replicas, weight or matchTrafficWeight: true');
      if (s.replicas !== undefined) requireInteger(ctx.scope, `${prop}.replicas`, s.replicas, 0);
      if (s.weight !== undefined) requireInteger(ctx.scope, `${prop}.weight`, s.weight, 0, 100);
      return { setCanaryScale: { replicas: s.replicas, weight: s.weight, matchTrafficWeight: s.matchTrafficWeight } };
    }, undefined, s);
  }
  /** Run an analysis and wait for its result; a failed analysis aborts the rollout. */
  public static analysis(template: CanaryAnalysisTemplate, args?: AnalysisArg[]): CanaryStep {
    checkArg('CanaryStep.analysis', 'template', template, instance(CanaryAnalysisTemplate));
    checkArg('CanaryStep.analysis', 'args', args, opt(arr(instance(AnalysisArg))));
    const given = args ?? [];
    return new CanaryStep((ctx) => {
      ctx.checkTemplate(`${ctx.prop}.analysis`, template, given);
      const json = given.map((a) => a._render());
      return { analysis: { templates: [{ templateName: template.templateName }], args: json.length ? json : undefined } };
    });
  }

  private constructor(
    private readonly renderer: StepRenderer,
    /** The traffic weight of a trafficWeight step. */
    private readonly weight?: number,
    /** The options of a canaryScale step. */
    private readonly scale?: CanaryScaleOptions,
  ) {}

  /**
   * The Rollout `steps[]` entry; throws for what the rollout does not allow.
   * @internal
   */
  public _render(ctx: CanaryStepContext): RolloutSpecStrategyCanarySteps {
    return this.renderer(ctx);
  }

  /**
   * The traffic weight this step sets, undefined unless it is a trafficWeight step.
   * @internal
   */
  public get _trafficWeight(): number | undefined {
    return this.weight;
  }

  /**
   * The canary scale this step sets, undefined unless it is a canaryScale step.
   * @internal
   */
  public get _canaryScale(): CanaryScaleOptions | undefined {
    return this.scale;
  }
}
