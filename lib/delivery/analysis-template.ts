import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import {
  AnalysisTemplate,
  AnalysisTemplateSpecArgs,
  AnalysisTemplateSpecMetrics,
  AnalysisTemplateSpecMetricsCount,
  AnalysisTemplateSpecMetricsFailureLimit,
  AnalysisTemplateSpecMetricsInconclusiveLimit,
} from '../../imports/analysis-argoproj.io';
import { ITenant, Labels, SyncWave } from '../core';
import { fail, requireInteger } from '../core/errors';
import { requireDnsLabel, requireDnsSubdomain } from '../core/names';
import { setSyncWave } from '../core/sync-wave';
import { checkArg, checkProps, duration, num, object, opt } from '../core/validate';
import { argReferences, requireArgoDuration } from './internal';
import { analysisTemplateShape } from './shapes';

/** An argument an AnalysisTemplate declares; queries reference it as `{{args.<name>}}`. */
export interface AnalysisTemplateArg {
  /** The argument name. */
  readonly name: string;
  /**
   * The value used when a Rollout does not pass one.
   * @default - no default: every Rollout that uses the template must pass a value
   */
  readonly defaultValue?: string;
  /**
   * Read the value from a Secret key instead (for API tokens). Mutually exclusive with `defaultValue`.
   * @default - not from a Secret
   */
  readonly secretKeyRef?: AnalysisSecretKeyRef;
}

/** A key of a Secret in the template's namespace. */
export interface AnalysisSecretKeyRef {
  /** The Secret name. */
  readonly secretName: string;
  /** The key inside the Secret. */
  readonly key: string;
}

/** Options every analysis metric has. */
export interface AnalysisMetricOptions {
  /**
   * The metric name inside the template (unique per template).
   * @default - the preset's name: `success-rate`, `latency-p<quantile>`; required for `prometheusQuery`
   */
  readonly name?: string;
  /**
   * Time between two measurements.
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;
  /**
   * Number of measurements. Required for a template used in an analysis step (an unbounded metric would
   * block the step forever).
   * @default - unbounded: measures until the rollout ends (background analysis only)
   */
  readonly count?: number;
  /**
   * Failed measurements tolerated before the analysis fails (-1: never fail).
   * @default 0 (Argo Rollouts default: the first failed measurement fails the analysis)
   */
  readonly failureLimit?: number;
  /**
   * Inconclusive measurements tolerated before the analysis is inconclusive (the rollout pauses).
   * @default 0
   */
  readonly inconclusiveLimit?: number;
  /**
   * Delay before the first measurement.
   * @default - none
   */
  readonly initialDelay?: Duration;
}

/** Where Prometheus is. */
export interface PrometheusMetricOptions extends AnalysisMetricOptions {
  /** The Prometheus URL, for example `http://prometheus.monitoring:9090`. */
  readonly address: string;
  /**
   * Query timeout in seconds.
   * @default - Argo Rollouts default (30)
   */
  readonly timeoutSeconds?: number;
}

/**
 * What a preset does when the window holds too few requests to judge (before the first canary request,
 * or at night). It never errors: see "Analysis at low traffic" in docs/delivery.md.
 */
export interface LowTrafficOptions {
  /**
   * Fewest requests in the window (`increase(...)` of the request counter) for a measurement to count.
   * Below it the query returns the sentinel -1 instead of a rate.
   * @default 20
   */
  readonly minRequests?: number;
  /**
   * Below `minRequests`, count the measurement as Successful instead of Inconclusive. Inconclusive pauses
   * the rollout for a human (`kubectl argo rollouts promote`) once `inconclusiveLimit` is exceeded; Successful
   * lets a release with no traffic through unjudged.
   * @default false
   */
  readonly passBelowMinRequests?: boolean;
}

/** The Prometheus success-rate preset: share of non-error responses. */
export interface PrometheusSuccessRateOptions extends PrometheusMetricOptions, LowTrafficOptions {
  /**
   * Lowest success rate (0-1) that passes.
   * @default 0.95
   */
  readonly minSuccessRate?: number;
  /**
   * The request counter.
   * @default 'http_requests_total'
   */
  readonly requestsMetric?: string;
  /**
   * Label matchers that select the canary's series (may use `{{args.x}}`).
   * @default 'service="{{args.service-name}}"'
   */
  readonly selector?: string;
  /**
   * The label holding the HTTP status code.
   * @default 'code'
   */
  readonly statusLabel?: string;
  /**
   * Regex of the status codes that count as errors.
   * @default '5..'
   */
  readonly errorStatusRegex?: string;
  /**
   * The `rate()` window.
   * @default Duration.minutes(5)
   */
  readonly window?: Duration;
}

/** The Prometheus latency-quantile preset (from a histogram). */
export interface PrometheusLatencyOptions extends PrometheusMetricOptions, LowTrafficOptions {
  /** Highest latency at the quantile that passes. */
  readonly maxLatency: Duration;
  /**
   * The quantile, between 0 and 1 (exclusive).
   * @default 0.95
   */
  readonly quantile?: number;
  /**
   * The histogram's `_bucket` series.
   * @default 'http_request_duration_seconds_bucket'
   */
  readonly histogramMetric?: string;
  /**
   * Label matchers that select the canary's series (may use `{{args.x}}`).
   * @default 'service="{{args.service-name}}"'
   */
  readonly selector?: string;
  /**
   * The `rate()` window.
   * @default Duration.minutes(5)
   */
  readonly window?: Duration;
}

/** A custom Prometheus query. */
export interface PrometheusQueryOptions extends PrometheusMetricOptions {
  /** The PromQL query (may use `{{args.x}}`). */
  readonly query: string;
  /**
   * expr-lang condition on `result` that marks a measurement successful, for example `result[0] >= 0.95`.
   * @default - none (then `failureCondition` is required)
   */
  readonly successCondition?: string;
  /**
   * expr-lang condition on `result` that marks a measurement failed.
   * @default - none (then `successCondition` is required)
   */
  readonly failureCondition?: string;
}

const DEFAULT_SELECTOR = 'service="{{args.service-name}}"';
const DEFAULT_MIN_REQUESTS = 20;

/**
 * `value` when the window holds at least `minRequests` requests, else the sentinel -1; always exactly one
 * sample, so Argo Rollouts never evaluates an empty result. Argo Rollouts v1.9.1 hands a Vector to the
 * condition as a []float64 of its samples (argoproj/argo-rollouts metricproviders/prometheus/prometheus.go,
 * processResponse); `result[0]` on an empty one is an evaluation error (utils/evaluate/evaluate.go,
 * EvaluateResult -> AnalysisPhaseError), and more than consecutiveErrorLimit (default 4,
 * utils/defaults/defaults.go) errors in a row end the run in Error, which aborts the rollout. The `>=` filter
 * also keeps 0/0 (NaN) out: the ratio is only returned when its denominator is at least minRequests.
 */
function guardedQuery(value: string, requests: string, minRequests: number): string {
  return `((${value}) and on() (${requests} >= ${minRequests})) or on() vector(-1)`;
}

/**
 * Success and failure conditions over the guarded query. Both are set, so a result matching neither (the
 * -1 sentinel, NaN) is Inconclusive rather than Failed (utils/evaluate/evaluate.go, EvaluateResult: with
 * both conditions, neither true -> AnalysisPhaseInconclusive). `len(result) > 0 &&` short-circuits (expr-lang)
 * so even an unexpected empty result is Inconclusive, never an error. Comparisons with NaN are false.
 */
function guardedConditions(pass: string, failing: string, passBelowMin: boolean): { successCondition: string; failureCondition: string } {
  const judged = `result[0] >= 0 && ${pass}`;
  const success = passBelowMin ? `(result[0] < 0 || ${judged})` : judged;
  return {
    successCondition: `len(result) > 0 && ${success}`,
    failureCondition: `len(result) > 0 && result[0] >= 0 && ${failing}`,
  };
}

/** One metric of an AnalysisTemplate, built from a typed preset. */
export class AnalysisMetric {
  /**
   * Share of non-error responses over the window, passing at `>= minSuccessRate`. Below `minRequests` the
   * query returns -1 and the measurement is Inconclusive (or Successful with `passBelowMinRequests`).
   */
  public static prometheusSuccessRate(options: PrometheusSuccessRateOptions): AnalysisMetric {
    checkArg('AnalysisMetric.prometheusSuccessRate', 'options', options, object('an object of PrometheusSuccessRateOptions'));
    const metric = options.requestsMetric ?? 'http_requests_total';
    const selector = options.selector ?? DEFAULT_SELECTOR;
    const label = options.statusLabel ?? 'code';
    const errors = options.errorStatusRegex ?? '5..';
    const min = options.minSuccessRate ?? 0.95;
    const window = options.window ?? Duration.minutes(5);
    const minRequests = options.minRequests ?? DEFAULT_MIN_REQUESTS;
    return new AnalysisMetric('successRate', options, {
      name: options.name ?? 'success-rate',
      // `or vector(0)`: with only errors the non-error series is absent, which must read as 0%, not "no data".
      query: (w) => guardedQuery(
        `(sum(increase(${metric}{${selector},${label}!~"${errors}"}[${w}])) or vector(0)) / sum(increase(${metric}{${selector}}[${w}]))`,
        `sum(increase(${metric}{${selector}}[${w}]))`, minRequests),
      window,
      ...guardedConditions(`result[0] >= ${min}`, `result[0] < ${min}`, options.passBelowMinRequests ?? false),
      checks: [
        ['minSuccessRate', min, (v) => v >= 0 && v <= 1, 'a number from 0 to 1'],
        ['minRequests', minRequests, (v) => Number.isInteger(v) && v >= 1, 'a whole number of requests, 1 or more'],
      ],
    });
  }

  /**
   * A latency quantile from a histogram, `histogram_quantile(q, ...)`, passing at `<= maxLatency`. Below
   * `minRequests` (counted from the `le="+Inf"` bucket) the query returns -1, as for the success rate.
   */
  public static prometheusLatency(options: PrometheusLatencyOptions): AnalysisMetric {
    checkArg('AnalysisMetric.prometheusLatency', 'options', options, object('an object of PrometheusLatencyOptions'));
    checkArg('AnalysisMetric.prometheusLatency', 'options.maxLatency', options.maxLatency, duration({ wholeSeconds: false }));
    checkArg('AnalysisMetric.prometheusLatency', 'options.quantile', options.quantile, opt(num({ min: 0, minExclusive: true, max: 1 })));
    const q = options.quantile ?? 0.95;
    const metric = options.histogramMetric ?? 'http_request_duration_seconds_bucket';
    const selector = options.selector ?? DEFAULT_SELECTOR;
    const window = options.window ?? Duration.minutes(5);
    const maxSeconds = options.maxLatency.toMilliseconds() / 1000;
    const minRequests = options.minRequests ?? DEFAULT_MIN_REQUESTS;
    return new AnalysisMetric('latency', options, {
      name: options.name ?? `latency-p${String(Math.round(q * 1000) / 10).replace('.', '-')}`,
      query: (w) => guardedQuery(
        `histogram_quantile(${q}, sum(rate(${metric}{${selector}}[${w}])) by (le))`,
        // The +Inf bucket counts every observation, so it is the request count without guessing `_count`'s name.
        `sum(increase(${metric}{${selector},le="+Inf"}[${w}]))`, minRequests),
      window,
      // +Inf (the quantile fell in the +Inf bucket) is > max, so it fails as it should.
      ...guardedConditions(`result[0] <= ${maxSeconds}`, `result[0] > ${maxSeconds}`, options.passBelowMinRequests ?? false),
      checks: [
        ['quantile', q, (v) => v > 0 && v < 1, 'a number between 0 and 1 (exclusive)'],
        ['maxLatency', maxSeconds, (v) => v > 0, 'a duration > 0'],
        ['minRequests', minRequests, (v) => Number.isInteger(v) && v >= 1, 'a whole number of requests, 1 or more'],
      ],
    });
  }

  /** Any PromQL query with your own success and/or failure condition. */
  public static prometheusQuery(options: PrometheusQueryOptions): AnalysisMetric {
    checkArg('AnalysisMetric.prometheusQuery', 'options', options, object('an object of PrometheusQueryOptions'));
    return new AnalysisMetric('query', options, {
      name: options.name,
      query: () => options.query,
      successCondition: options.successCondition,
      failureCondition: options.failureCondition,
      checks: [],
    });
  }

  private constructor(
    /** The preset: `successRate`, `latency` or `query`. */
    private readonly preset: string,
    private readonly options: PrometheusMetricOptions,
    private readonly built: {
      name?: string;
      query: (window: string) => string;
      window?: Duration;
      successCondition?: string;
      failureCondition?: string;
      checks: Array<[string, number, (v: number) => boolean, string]>;
    },
  ) {}

  /** The metric name (undefined only for a `prometheusQuery` without a name, which fails validation). */
  public get name(): string | undefined {
    return this.built.name;
  }

  /** True when the metric stops after `count` measurements. */
  public get bounded(): boolean {
    return this.options.count !== undefined;
  }

  /**
   * Validates the metric and renders it. `prop` is the metric's prop path for messages.
   * @internal
   */
  public _render(scope: Construct, prop: string): AnalysisTemplateSpecMetrics {
    const o = this.options;
    if (this.built.name === undefined || this.built.name === '') {
      fail(scope, `${prop}.name`, this.built.name, 'a metric name (required for AnalysisMetric.prometheusQuery)');
    }
    if (typeof o.address !== 'string' || !/^https?:\/\/\S+$/.test(o.address)) {
      fail(scope, `${prop}.address`, o.address, 'an http:// or https:// URL of Prometheus');
    }
    for (const [key, value, ok, allowed] of this.built.checks) {
      if (!Number.isFinite(value) || !ok(value)) fail(scope, `${prop}.${key}`, value, allowed);
    }
    if (this.preset === 'query') {
      if (typeof (o as PrometheusQueryOptions).query !== 'string' || (o as PrometheusQueryOptions).query.trim() === '') {
        fail(scope, `${prop}.query`, (o as PrometheusQueryOptions).query, 'a non-empty PromQL query');
      }
      if (this.built.successCondition === undefined && this.built.failureCondition === undefined) {
        fail(scope, `${prop}.successCondition`, undefined, 'a successCondition and/or a failureCondition');
      }
    }
    if (o.count !== undefined) requireInteger(scope, `${prop}.count`, o.count, 1);
    if (o.failureLimit !== undefined) requireInteger(scope, `${prop}.failureLimit`, o.failureLimit, -1);
    if (o.inconclusiveLimit !== undefined) requireInteger(scope, `${prop}.inconclusiveLimit`, o.inconclusiveLimit, 0);
    if (o.timeoutSeconds !== undefined) requireInteger(scope, `${prop}.timeoutSeconds`, o.timeoutSeconds, 1);
    const interval = requireArgoDuration(scope, `${prop}.interval`, o.interval ?? Duration.minutes(1));
    const window = this.built.window ? requireArgoDuration(scope, `${prop}.window`, this.built.window) : '';
    const initialDelay = o.initialDelay ? requireArgoDuration(scope, `${prop}.initialDelay`, o.initialDelay) : undefined;
    return {
      name: this.built.name,
      interval,
      initialDelay,
      count: o.count === undefined ? undefined : AnalysisTemplateSpecMetricsCount.fromNumber(o.count),
      failureLimit: o.failureLimit === undefined ? undefined : AnalysisTemplateSpecMetricsFailureLimit.fromNumber(o.failureLimit),
      inconclusiveLimit: o.inconclusiveLimit === undefined ? undefined : AnalysisTemplateSpecMetricsInconclusiveLimit.fromNumber(o.inconclusiveLimit),
      successCondition: this.built.successCondition,
      failureCondition: this.built.failureCondition,
      provider: { prometheus: { address: o.address, query: this.built.query(window), timeout: o.timeoutSeconds } },
    };
  }
}

/** Props of a CanaryAnalysisTemplate. */
export interface CanaryAnalysisTemplateProps {
  /** `metadata.name`; Rollouts reference the template by it. */
  readonly name: string;
  /**
   * The namespace. A Rollout can only use templates of its own namespace.
   * @default - the tenant's namespace (one of `namespace` or `tenant` is required)
   */
  readonly namespace?: string;
  /**
   * The tenant the template belongs to (namespace and tenant label).
   * @default - none
   */
  readonly tenant?: ITenant;
  /**
   * Declared arguments. Every `{{args.x}}` in a metric must be declared here.
   * @default - none
   */
  readonly args?: AnalysisTemplateArg[];
  /** The metrics, at least one. */
  readonly metrics: AnalysisMetric[];
}

/**
 * An Argo Rollouts AnalysisTemplate built from typed metric presets (Prometheus success rate, latency
 * quantile, custom query). Checks that queries only use declared args.
 */
export class CanaryAnalysisTemplate extends Construct {
  /** The template name. */
  public readonly templateName: string;
  /** The namespace. */
  public readonly namespace: string;
  /** The declared arg names. */
  public readonly argNames: string[];
  /** Declared args a Rollout must pass (no default value and not from a Secret). */
  public readonly requiredArgs: string[];
  /** True when every metric has a `count`, so the template can run in an analysis step. */
  public readonly bounded: boolean;
  /** The AnalysisTemplate object. */
  public readonly template: AnalysisTemplate;

  constructor(scope: Construct, id: string, props: CanaryAnalysisTemplateProps) {
    super(scope, id);
    checkProps(this, props, analysisTemplateShape(), { name: 'CanaryAnalysisTemplateProps' });
    this.templateName = requireDnsSubdomain(this, 'name', props.name);
    const namespace = props.namespace ?? props.tenant?.namespaceName;
    if (namespace === undefined) fail(this, 'namespace', namespace, 'a namespace, or a tenant to take it from');
    this.namespace = requireDnsLabel(this, 'namespace', namespace);

    const args = props.args ?? [];
    const seen = new Set<string>();
    args.forEach((a, i) => {
      if (typeof a.name !== 'string' || !/^[A-Za-z0-9_][-A-Za-z0-9_.]*$/.test(a.name)) {
        fail(this, `args[${i}].name`, a.name, 'an argument name: letters, digits, "-", "_" and "."');
      }
      if (seen.has(a.name)) fail(this, `args[${i}].name`, a.name, 'a name not declared twice');
      if (a.defaultValue !== undefined && a.secretKeyRef !== undefined) {
        fail(this, `args[${i}]`, a.name, 'either defaultValue or secretKeyRef, not both');
      }
      seen.add(a.name);
    });
    this.argNames = args.map((a) => a.name);
    this.requiredArgs = args.filter((a) => a.defaultValue === undefined && a.secretKeyRef === undefined).map((a) => a.name);

    if (!Array.isArray(props.metrics) || props.metrics.length === 0) {
      fail(this, 'metrics', props.metrics, 'at least one AnalysisMetric');
    }
    const names = new Set<string>();
    const metrics = props.metrics.map((m, i) => {
      const rendered = m._render(this, `metrics[${i}]`);
      if (names.has(rendered.name)) fail(this, `metrics[${i}].name`, rendered.name, 'a metric name unique in the template');
      names.add(rendered.name);
      const texts: Array<[string, string | undefined]> = [
        ['query', rendered.provider.prometheus?.query],
        ['address', rendered.provider.prometheus?.address],
        ['successCondition', rendered.successCondition],
        ['failureCondition', rendered.failureCondition],
      ];
      for (const [field, text] of texts) {
        for (const ref of argReferences(text)) {
          if (!seen.has(ref)) {
            fail(this, `metrics[${i}].${field}`, `{{args.${ref}}}`,
              `only declared args (${this.argNames.length ? this.argNames.join(', ') : 'none declared'}); declare "${ref}" in args`);
          }
        }
      }
      return rendered;
    });
    this.bounded = props.metrics.every((m) => m.bounded);

    const specArgs: AnalysisTemplateSpecArgs[] = args.map((a) => ({
      name: a.name,
      value: a.defaultValue,
      valueFrom: a.secretKeyRef ? { secretKeyRef: { name: a.secretKeyRef.secretName, key: a.secretKeyRef.key } } : undefined,
    }));
    const labels: { [key: string]: string } = { [Labels.MANAGED_BY]: Labels.MANAGED_BY_VALUE };
    if (props.tenant) labels[Labels.TENANT] = props.tenant.tenantName;
    this.template = new AnalysisTemplate(this, 'Resource', {
      metadata: { name: this.templateName, namespace: this.namespace, labels },
      spec: { args: specArgs.length > 0 ? specArgs : undefined, metrics },
    });
    setSyncWave(this.template, SyncWave.ROLLOUT);
  }
}
