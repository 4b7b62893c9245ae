import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { fail } from '../core/errors';
import { ServingEngine } from '../serving/engine';

/** A custom metric an HPA reads through the custom metrics API, and the Prometheus series behind it. */
export interface CustomMetric {
  /** The Prometheus series, for example `vllm:num_requests_waiting`. */
  readonly seriesName: string;
  /** The name in the custom metrics API (`:` replaced by `_`), for example `vllm_num_requests_waiting`. */
  readonly metricName: string;
}

/** A per-pod metric with its target average value, resolved against an engine. */
export interface ResolvedPodMetric extends CustomMetric {
  /** Target average value per pod. */
  readonly averageValue: number;
}

const SERIES = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** The custom metrics API name for a Prometheus series: `:` is not allowed there, so it becomes `_`. */
export function customMetricName(seriesName: string): string {
  return seriesName.replace(/:/g, '_');
}

/**
 * A per-pod engine metric to autoscale on, with its target average value per pod (HPA `Pods` metric with
 * `AverageValue`, or the KEDA Prometheus trigger threshold).
 */
export class PodMetric {
  /** Requests waiting in the engine's queue (vLLM `vllm:num_requests_waiting`), the best scaling signal. */
  public static queueLength(averageValue: number): PodMetric {
    return new PodMetric('queueLength', undefined, averageValue);
  }

  /** KV cache usage, 0-1 (vLLM `vllm:kv_cache_usage_perc`). */
  public static kvCacheUsage(averageValue: number): PodMetric {
    return new PodMetric('kvCacheUsage', undefined, averageValue);
  }

  /** Requests being processed (vLLM `vllm:num_requests_running`). */
  public static runningRequests(averageValue: number): PodMetric {
    return new PodMetric('runningRequests', undefined, averageValue);
  }

  /** Any Prometheus series scraped from the pods, for example `vllm:gpu_cache_usage_perc` on older vLLM. */
  public static named(seriesName: string, averageValue: number): PodMetric {
    return new PodMetric('named', seriesName, averageValue);
  }

  private constructor(
    /** `queueLength`, `kvCacheUsage`, `runningRequests` or `named`. */
    public readonly kind: string,
    /** The series, for `named`. */
    public readonly seriesName: string | undefined,
    /** The target average value per pod. */
    public readonly averageValue: number,
  ) {}

  /** Resolves the series for an engine and checks the target. */
  public resolve(scope: IConstruct, prop: string, engine: ServingEngine): ResolvedPodMetric {
    const byKind: { [kind: string]: string | undefined } = {
      queueLength: engine.queueLengthMetric,
      kvCacheUsage: engine.kvCacheUsageMetric,
      runningRequests: engine.runningRequestsMetric,
      named: this.seriesName,
    };
    const series = byKind[this.kind];
    if (series === undefined) {
      fail(scope, prop, `${this.kind} on engine ${engine.name}`, 'a metric the engine exports; use PodMetric.named(series, target) for this engine');
    }
    if (!SERIES.test(series)) fail(scope, prop, series, 'a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)');
    if (typeof this.averageValue !== 'number' || !Number.isFinite(this.averageValue) || this.averageValue <= 0) {
      fail(scope, `${prop} (${series})`, this.averageValue, 'a target average value per pod > 0, for example PodMetric.queueLength(5)');
    }
    return { seriesName: series, metricName: customMetricName(series), averageValue: this.averageValue };
  }
}

/** Options of a HorizontalPodAutoscaler. */
export interface HpaOptions {
  /**
   * Fewest replicas, at least 1 (scale to zero needs KEDA).
   * @default 1
   */
  readonly minReplicas?: number;
  /** Most replicas. */
  readonly maxReplicas: number;
  /**
   * Target average CPU utilization in percent of the request.
   * @default - no CPU metric
   */
  readonly cpuUtilization?: number;
  /**
   * Per-pod engine metrics (served by Prometheus Adapter, see PrometheusAdapterRules).
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
   * @default 1
   */
  readonly minReplicas?: number;
  /** Most replicas. */
  readonly maxReplicas: number;
  /** The Prometheus server KEDA queries, for example `http://prometheus.monitoring:9090`. */
  readonly serverAddress: string;
  /**
   * The per-pod metric and its target; the query sums the series over the service's pods.
   * @default PodMetric.queueLength(5)
   */
  readonly metric?: PodMetric;
  /**
   * A PromQL query to use instead of the generated one (it must return one value; KEDA divides it by the
   * replica count and compares with the target).
   * @default - sum of the metric over the service's pods
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

/** How the replica count is driven: a HorizontalPodAutoscaler or a KEDA ScaledObject. */
export class Autoscaling {
  /** An autoscaling/v2 HorizontalPodAutoscaler on CPU and per-pod custom metrics, scaling down slowly. */
  public static hpa(options: HpaOptions): Autoscaling {
    return new Autoscaling('hpa', options, undefined);
  }

  /** A KEDA ScaledObject with a Prometheus trigger; the only way to scale to zero. */
  public static keda(options: KedaOptions): Autoscaling {
    return new Autoscaling('keda', undefined, options);
  }

  private constructor(
    /** `hpa` or `keda`. */
    public readonly kind: string,
    /** The HPA options, for `hpa`. */
    public readonly hpaOptions: HpaOptions | undefined,
    /** The KEDA options, for `keda`. */
    public readonly kedaOptions: KedaOptions | undefined,
  ) {}

  /** Fewest replicas. */
  public get minReplicas(): number {
    return (this.hpaOptions ?? this.kedaOptions)?.minReplicas ?? 1;
  }

  /** Most replicas. */
  public get maxReplicas(): number {
    return (this.hpaOptions ?? this.kedaOptions)!.maxReplicas;
  }
}
