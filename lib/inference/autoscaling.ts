import { ApiObject, Duration, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as keda from '../../imports/keda-keda.sh';
import { fail, requireInteger } from '../core/errors';
import { k8s } from '../core/k8s';
import { checkArg, num, object, str } from '../core/validate';
import { ServingEngine } from '../serving/engine';
import { addWarning } from '../serving/image';

/** A custom metric an HPA reads through the custom metrics API, and the Prometheus series behind it. */
export interface CustomMetric {
  /** The Prometheus series, for example `vllm:num_requests_waiting`. */
  readonly seriesName: string;
  /** The name in the custom metrics API (`:` replaced by `_`), for example `vllm_num_requests_waiting`. */
  readonly metricName: string;
}

/**
 * A per-pod metric with its target average value, resolved against an engine.
 * @internal
 */
export interface ResolvedPodMetric extends CustomMetric {
  /** Target average value per pod. */
  readonly averageValue: number;
}

const SERIES = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** A target average value per pod: averages of counts may be fractional (an HPA AverageValue of `500m`). */
const POSITIVE = num({ min: 0, minExclusive: true, note: '(a target average value per pod)' });

/** The custom metrics API name for a Prometheus series: `:` is not allowed there, so it becomes `_`. */
export function customMetricName(seriesName: string): string {
  return seriesName.replace(/:/g, '_');
}

/**
 * A per-pod metric to autoscale on, with its target average value per pod (HPA `Pods` metric with
 * `AverageValue`, or the KEDA Prometheus trigger threshold). The engine-specific ones resolve against the
 * engine of the pods they scale (a GpuInferenceService's, or a RoleBasedGroup role's `server`); for pods
 * without a known engine use `PodMetric.named`.
 */
export class PodMetric {
  /** Requests waiting in the engine's queue (vLLM `vllm:num_requests_waiting`), the best scaling signal. */
  public static queueLength(averageValue: number): PodMetric {
    checkArg('PodMetric.queueLength', 'averageValue', averageValue, POSITIVE);
    return new PodMetric('queueLength', undefined, averageValue);
  }

  /** KV cache usage, 0-1 (vLLM `vllm:kv_cache_usage_perc`). */
  public static kvCacheUsage(averageValue: number): PodMetric {
    // vLLM's gauge is a fraction (vllm-project/vllm, vllm/v1/metrics/loggers.py: `vllm:kv_cache_usage_perc`, HELP
    // "KV-cache usage. 1 means 100 percent usage."); a target of 80 is never reached, so nothing ever scales up.
    checkArg('PodMetric.kvCacheUsage', 'averageValue', averageValue,
      num({ min: 0, minExclusive: true, max: 1, note: '(a fraction of the KV cache: the gauge is 0-1, so 0.8 for 80%)' }));
    return new PodMetric('kvCacheUsage', undefined, averageValue);
  }

  /** Requests being processed (vLLM `vllm:num_requests_running`). */
  public static runningRequests(averageValue: number): PodMetric {
    checkArg('PodMetric.runningRequests', 'averageValue', averageValue, POSITIVE);
    return new PodMetric('runningRequests', undefined, averageValue);
  }

  /** Any Prometheus series scraped from the pods, for example `vllm:gpu_cache_usage_perc` on older vLLM. */
  public static named(seriesName: string, averageValue: number): PodMetric {
    checkArg('PodMetric.named', 'seriesName', seriesName, str({ nonEmpty: true, pattern: SERIES, patternText: 'a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)' }));
    checkArg('PodMetric.named', 'averageValue', averageValue, POSITIVE);
    return new PodMetric('named', seriesName, averageValue);
  }

  private constructor(
    private readonly which: string,
    private readonly series: string | undefined,
    private readonly target: number,
  ) {}

  /**
   * Resolves the series for the engine of the scaled pods (undefined when unknown) and checks the target.
   * @internal
   */
  public _resolve(scope: IConstruct, prop: string, engine: ServingEngine | undefined): ResolvedPodMetric {
    let series: string | undefined = this.series;
    if (this.which !== 'named') {
      if (!engine) {
        fail(scope, prop, `PodMetric.${this.which}(${this.target})`,
          'PodMetric.named(series, target) for pods without a known engine (a template given as is); the engine metrics need a server engine');
      }
      series = ({ queueLength: engine.queueLengthMetric, kvCacheUsage: engine.kvCacheUsageMetric, runningRequests: engine.runningRequestsMetric } as
        { [which: string]: string | undefined })[this.which];
      if (series === undefined) {
        fail(scope, prop, `${this.which} on engine ${engine.name}`, 'a metric the engine exports; use PodMetric.named(series, target) for this engine');
      }
    }
    if (typeof series !== 'string' || !SERIES.test(series)) fail(scope, prop, series, 'a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)');
    if (typeof this.target !== 'number' || !Number.isFinite(this.target) || this.target <= 0) {
      fail(scope, `${prop} (${series})`, this.target, 'a target average value per pod > 0, for example PodMetric.queueLength(5)');
    }
    return { seriesName: series, metricName: customMetricName(series), averageValue: this.target };
  }
}

/** Options of a HorizontalPodAutoscaler. */
export interface HpaOptions {
  /**
   * Fewest replicas, at least 1 (scale to zero needs KEDA).
   * @default 1 (a RoleBasedGroup role: the role's `replicas`)
   */
  readonly minReplicas?: number;
  /** Most replicas (the tenant quota check counts these). */
  readonly maxReplicas: number;
  /**
   * Target average CPU utilization in percent of the request.
   * @default - no CPU metric
   */
  readonly cpuUtilization?: number;
  /**
   * Per-pod metrics (served through the custom metrics API by Prometheus Adapter, see PrometheusAdapterRules).
   * @default - none (at least one of cpuUtilization and metrics is required)
   */
  readonly metrics?: PodMetric[];
  /**
   * How long the load must stay low before scaling down; then one pod per 5 minutes.
   * @default Duration.minutes(10)
   */
  readonly scaleDownStabilization?: Duration;
}

/** Options of a KEDA ScaledObject with a Prometheus trigger. */
export interface KedaOptions {
  /**
   * Fewest replicas; 0 scales to zero when idle (something must then hold requests while a pod starts).
   * @default 1 (a RoleBasedGroup role: the role's `replicas`)
   */
  readonly minReplicas?: number;
  /** Most replicas (the tenant quota check counts these). */
  readonly maxReplicas: number;
  /** The Prometheus server KEDA queries, for example `http://prometheus.monitoring:9090`. */
  readonly serverAddress: string;
  /**
   * The per-pod metric and its target; the query sums the series over the scaled pods.
   * @default PodMetric.queueLength(5)
   */
  readonly metric?: PodMetric;
  /**
   * A PromQL query to use instead of the generated one (it must return one value; KEDA divides it by the
   * replica count and compares with the metric's target).
   * @default - sum of the metric over the scaled pods (by namespace and pod name)
   */
  readonly query?: string;
  /**
   * How often KEDA polls.
   * @default Duration.seconds(15)
   */
  readonly pollingInterval?: Duration;
  /**
   * Idle time before scaling to zero (only with minReplicas 0).
   * @default Duration.minutes(10)
   */
  readonly cooldownPeriod?: Duration;
  /**
   * How long the load must stay low before scaling down (the HPA KEDA manages).
   * @default Duration.minutes(10)
   */
  readonly scaleDownStabilization?: Duration;
}

/** Options of an autoscaler defined elsewhere (`Autoscaling.external`). */
export interface ExternalAutoscalingOptions {
  /**
   * Fewest replicas the other autoscaler keeps.
   * @default 1
   */
  readonly minReplicas?: number;
  /** Most replicas the other autoscaler sets (the tenant quota check counts these). */
  readonly maxReplicas: number;
}

/**
 * How the replica count is driven: a HorizontalPodAutoscaler, a KEDA ScaledObject, or an autoscaler defined
 * elsewhere. The same model for every construct that scales (GpuInferenceService, RoleBasedGroup roles,
 * CanaryRollout); with any of them the workload leaves its replica count out of Git and Argo CD ignores it.
 */
export class Autoscaling {
  /**
   * An autoscaling/v2 HorizontalPodAutoscaler on CPU and per-pod custom metrics: it adds at most 2 pods a minute
   * and, after the stabilization window, removes 1 every 5 minutes (GPU pods are slow to start).
   */
  public static hpa(options: HpaOptions): Autoscaling {
    checkArg('Autoscaling.hpa', 'options', options, object('an object of HpaOptions'));
    return new Autoscaling('hpa', options);
  }

  /** A KEDA ScaledObject with a Prometheus trigger; the only way to scale to zero. */
  public static keda(options: KedaOptions): Autoscaling {
    checkArg('Autoscaling.keda', 'options', options, object('an object of KedaOptions'));
    return new Autoscaling('keda', options);
  }

  /**
   * An autoscaler defined elsewhere targets the workload (for example a GpuInferenceService's HPA retargeted
   * to a CanaryRollout): nothing is created, the replica count is still left to it.
   */
  public static external(options: ExternalAutoscalingOptions): Autoscaling {
    checkArg('Autoscaling.external', 'options', options, object('an object of ExternalAutoscalingOptions'));
    return new Autoscaling('external', options);
  }

  private constructor(
    private readonly mode: string,
    private readonly options: HpaOptions | KedaOptions | ExternalAutoscalingOptions,
  ) {}

  /**
   * Validates the options for one workload and resolves its metrics (construction time).
   * @internal
   */
  public _bind(scope: IConstruct, prop: string, context: AutoscalingContext = {}): BoundAutoscaling {
    const o = this.options ?? fail(scope, prop, this.options, 'Autoscaling.hpa(...), Autoscaling.keda(...) or Autoscaling.external(...)');
    const at = (name: string) => `${prop}.${name}`;
    const max = requireInteger(scope, at('maxReplicas'), o.maxReplicas, 1);
    const min = o.minReplicas ?? context.defaultMinReplicas ?? 1;
    if (this.mode === 'hpa' && min === 0) {
      fail(scope, at('minReplicas'), 0, 'at least 1 for an HPA; scale to zero only with Autoscaling.keda(...)');
    }
    requireInteger(scope, at('minReplicas'), min, this.mode === 'hpa' ? 1 : 0);
    if (min > max) fail(scope, at('minReplicas'), min, `at most maxReplicas (${max})`);
    if (this.mode === 'hpa') return this.bindHpa(scope, prop, o as HpaOptions, min, max, context);
    if (this.mode === 'keda') return this.bindKeda(scope, prop, o as KedaOptions, min, max, context);
    return new BoundAutoscaling(min, max, []);
  }

  private bindHpa(scope: IConstruct, prop: string, o: HpaOptions, min: number, max: number, context: AutoscalingContext): BoundAutoscaling {
    const metrics: k8s.MetricSpecV2[] = [];
    if (o.cpuUtilization !== undefined) {
      requireInteger(scope, `${prop}.cpuUtilization`, o.cpuUtilization, 1, 1000);
      metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: o.cpuUtilization } } });
    }
    if (o.metrics !== undefined && !Array.isArray(o.metrics)) fail(scope, `${prop}.metrics`, o.metrics, 'a list of PodMetric');
    const resolved = (o.metrics ?? []).map((m, i) => {
      if (!(m instanceof PodMetric)) fail(scope, `${prop}.metrics[${i}]`, m, 'a PodMetric such as PodMetric.queueLength(5)');
      return m._resolve(scope, `${prop}.metrics[${i}]`, context.engine);
    });
    for (const m of resolved) {
      metrics.push({ type: 'Pods', pods: { metric: { name: m.metricName }, target: { type: 'AverageValue', averageValue: quantityOf(m.averageValue) } } });
    }
    if (metrics.length === 0) {
      fail(scope, `${prop}.metrics`, [], 'at least one metric with a target: cpuUtilization or metrics such as PodMetric.queueLength(5)');
    }
    const behavior = hpaBehavior(scope, prop, o.scaleDownStabilization);
    const custom = resolved.map((m) => ({ seriesName: m.seriesName, metricName: m.metricName }));
    return new BoundAutoscaling(min, max, custom, (parent, ids, target) => {
      const hpa = new k8s.KubeHorizontalPodAutoscalerV2(parent, ids.hpa, {
        metadata: target.metadata,
        spec: { scaleTargetRef: scaleTargetOf(target), minReplicas: min, maxReplicas: max, metrics, behavior },
      });
      HPA_METRICS.set(hpa, custom);
      return hpa;
    });
  }

  private bindKeda(scope: IConstruct, prop: string, o: KedaOptions, min: number, max: number, context: AutoscalingContext): BoundAutoscaling {
    if (typeof o.serverAddress !== 'string' || !/^https?:\/\/[^\s]+$/.test(o.serverAddress)) {
      fail(scope, `${prop}.serverAddress`, o.serverAddress, 'an http(s) URL of the Prometheus server, such as "http://prometheus.monitoring:9090"');
    }
    if (o.metric !== undefined && !(o.metric instanceof PodMetric)) fail(scope, `${prop}.metric`, o.metric, 'a PodMetric such as PodMetric.queueLength(5)');
    const metric = (o.metric ?? PodMetric.queueLength(5))._resolve(scope, `${prop}.metric`, context.engine);
    if (o.query !== undefined && (typeof o.query !== 'string' || o.query.trim() === '')) fail(scope, `${prop}.query`, o.query, 'a PromQL query');
    const seconds = (d: Duration | undefined, dflt: number, name: string) => requireInteger(scope, `${prop}.${name}`, durationSeconds(scope, `${prop}.${name}`, d) ?? dflt, 1);
    const pollingInterval = seconds(o.pollingInterval, 15, 'pollingInterval');
    const cooldownPeriod = seconds(o.cooldownPeriod, 600, 'cooldownPeriod');
    const behavior = hpaBehavior(scope, prop, o.scaleDownStabilization);
    if (min === 0) {
      addWarning(scope, `${prop}.minReplicas: 0 scales to zero; the first request after idle waits for a pod to load the model, so put a request-holding router or gateway in front`);
    }
    return new BoundAutoscaling(min, max, [], (parent, ids, target) => new keda.ScaledObject(parent, ids.scaledObject, {
      metadata: target.metadata,
      spec: {
        scaleTargetRef: scaleTargetOf(target) as any,
        minReplicaCount: min,
        maxReplicaCount: max,
        pollingInterval,
        cooldownPeriod,
        // KEDA names the HPA it manages `keda-hpa-<name>` unless told; ours keeps the workload's name.
        advanced: { horizontalPodAutoscalerConfig: { name: target.metadata.name, behavior: behavior as any } },
        triggers: [{
          type: 'prometheus',
          name: metric.metricName.replace(/_/g, '-'),
          metricType: 'AverageValue',
          metadata: {
            serverAddress: o.serverAddress,
            query: o.query ?? `sum(${metric.seriesName}{namespace="${target.metadata.namespace}",pod=~"${target.podNamePattern}"})`,
            threshold: String(metric.averageValue),
          },
        }],
      },
    }));
  }
}

/**
 * What an Autoscaling needs to know about the pods it scales.
 * @internal
 */
export interface AutoscalingContext {
  /** The engine of the scaled pods, for the engine metrics. */
  readonly engine?: ServingEngine;
  /** The construct's default for minReplicas (1 unless said otherwise). */
  readonly defaultMinReplicas?: number;
}

/**
 * Where an autoscaler goes: its metadata, what it scales and the scaled pods' names.
 * @internal
 */
export interface AutoscalerTarget {
  readonly metadata: { name: string; namespace: string; labels?: { [key: string]: string } };
  /** Read at synth, so a construct can still retarget it (a GpuInferenceService taken over by a Rollout). */
  readonly scaleTargetRef: () => { apiVersion: string; kind: string; name: string };
  /** A regex matching the scaled pods' names (the generated KEDA query filters on it). */
  readonly podNamePattern: string;
}

/** The custom metrics of every HPA the renderer made, by HPA (for PrometheusAdapterRules). */
const HPA_METRICS = new WeakMap<IConstruct, CustomMetric[]>();

/** The per-pod custom metrics of every HPA rendered under `root` (GpuInferenceService, RoleBasedGroup, CanaryRollout). */
export function renderedHpaMetrics(root: IConstruct): CustomMetric[] {
  return root.node.findAll().flatMap((c) => HPA_METRICS.get(c) ?? []);
}

type Render = (scope: Construct, ids: AutoscalerIds, target: AutoscalerTarget) => ApiObject;

/**
 * The construct ids of the HPA and the ScaledObject (each construct keeps its own).
 * @internal
 */
export interface AutoscalerIds {
  readonly hpa: string;
  readonly scaledObject: string;
}

/**
 * An Autoscaling validated for one workload: its replica range, the custom metrics an HPA reads, and the one
 * renderer of the HPA / ScaledObject every construct uses.
 * @internal
 */
export class BoundAutoscaling {
  constructor(
    /** Fewest replicas. */
    public readonly minReplicas: number,
    /** Most replicas. */
    public readonly maxReplicas: number,
    /** The per-pod custom metrics an HPA reads (for PrometheusAdapterRules); empty otherwise. */
    public readonly customMetrics: CustomMetric[],
    private readonly render?: Render,
  ) {}

  /** Creates the HPA or ScaledObject under `scope`, or nothing for an external autoscaler. */
  public renderInto(scope: Construct, ids: AutoscalerIds, target: AutoscalerTarget): ApiObject | undefined {
    return this.render?.(scope, ids, target);
  }
}

function scaleTargetOf(target: AutoscalerTarget): any {
  return Lazy.any({ produce: () => ({ ...target.scaleTargetRef() }) });
}

function durationSeconds(scope: IConstruct, prop: string, d: Duration | undefined): number | undefined {
  if (d === undefined) return undefined;
  if (!(d instanceof Duration)) fail(scope, prop, d, 'a Duration, for example Duration.minutes(10)');
  return d.toSeconds();
}

/** GPU pods take minutes to become ready: add at most 2 per minute, remove 1 per 5 minutes after the window. */
function hpaBehavior(scope: IConstruct, prop: string, stabilization: Duration | undefined): k8s.HorizontalPodAutoscalerBehaviorV2 {
  const window = durationSeconds(scope, `${prop}.scaleDownStabilization`, stabilization) ?? 600;
  requireInteger(scope, `${prop}.scaleDownStabilization`, window, 0, 3600);
  return {
    scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] },
    scaleDown: { stabilizationWindowSeconds: window, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 300 }] },
  };
}

/** A target value as a quantity: whole numbers as is, fractions in milli-units ("800m"). */
function quantityOf(v: number): k8s.Quantity {
  return Number.isInteger(v) ? k8s.Quantity.fromNumber(v) : k8s.Quantity.fromString(`${Math.round(v * 1000)}m`);
}
