import { ApiObject, Lazy, Yaml } from 'cdk8s';
import { Construct } from 'constructs';
import { fail, formatViolation } from '../core/errors';
import { k8s } from '../core/k8s';
import { requireDnsLabel, requireDnsSubdomain, requireLabels } from '../core/names';
import { setSyncWave, SyncWave } from '../core/sync-wave';
import { checkProps } from '../core/validate';
import { CustomMetric, customMetricName, renderedHpaMetrics } from './autoscaling';
import { prometheusAdapterRulesShape } from './shapes';

/** Props of {@link PrometheusAdapterRules}. */
export interface PrometheusAdapterRulesProps {
  /**
   * The ConfigMap name (point the prometheus-adapter chart's `rules.existing` at it).
   * @default 'prometheus-adapter-rules'
   */
  readonly name?: string;
  /**
   * The namespace prometheus-adapter runs in.
   * @default 'monitoring'
   */
  readonly namespace?: string;
  /**
   * The key of the adapter config in the ConfigMap.
   * @default 'config.yaml'
   */
  readonly configKey?: string;
  /**
   * Series to serve besides those of the app's HPAs made with `Autoscaling.hpa` (for HPAs written by hand).
   * @default - none
   */
  readonly additionalSeries?: string[];
  /**
   * Extra labels on the ConfigMap.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

/** The Kubernetes resource a series label names (`resources.overrides.<label>` of a rule). */
export interface AdapterResourceOverride {
  readonly resource: string;
}

/** How a rule associates series labels with Kubernetes resources. */
export interface AdapterRuleResources {
  readonly overrides: { [label: string]: AdapterResourceOverride };
}

/** How a rule names the metric it serves: a regex on the series name, and the exposed name. */
export interface AdapterRuleName {
  readonly matches: string;
  readonly as: string;
}

/** One prometheus-adapter rule (the `rules.custom` item shape). */
export interface AdapterRule {
  readonly seriesQuery: string;
  readonly resources: AdapterRuleResources;
  readonly name: AdapterRuleName;
  readonly metricsQuery: string;
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The prometheus-adapter rules ConfigMap for the per-pod custom metrics that the app's HPAs use: one rule
 * per series, associated to namespace and pod, renamed without `:`. The series are collected at synth time
 * from every HPA made with `Autoscaling.hpa` in the app (plus `additionalSeries`), and an app-wide rule checks that every
 * HPA `Pods` metric in the app is served by some rule, so an HPA never waits on a metric nothing serves.
 */
export class PrometheusAdapterRules extends Construct {
  /** The ConfigMap. */
  public readonly configMap: k8s.KubeConfigMap;
  /** The ConfigMap name. */
  public readonly name: string;
  /** The namespace. */
  public readonly namespace: string;
  /** The key holding the adapter config. */
  public readonly configKey: string;
  private readonly extra: CustomMetric[] = [];

  constructor(scope: Construct, id: string, props: PrometheusAdapterRulesProps = {}) {
    super(scope, id);
    checkProps(this, props, prometheusAdapterRulesShape(), { name: 'PrometheusAdapterRulesProps' });
    this.name = requireDnsSubdomain(this, 'name', props.name ?? 'prometheus-adapter-rules');
    this.namespace = requireDnsLabel(this, 'namespace', props.namespace ?? 'monitoring');
    this.configKey = props.configKey ?? 'config.yaml';
    if (!/^[-._a-zA-Z0-9]+$/.test(this.configKey)) fail(this, 'configKey', this.configKey, 'a ConfigMap key: letters, digits, "-", "_" and "."');
    requireLabels(this, 'labels', props.labels);
    (props.additionalSeries ?? []).forEach((s, i) => this.addSeries(s, `additionalSeries[${i}]`));

    this.configMap = new k8s.KubeConfigMap(this, 'ConfigMap', {
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: { ...props.labels, 'app.kubernetes.io/name': 'prometheus-adapter', 'app.kubernetes.io/managed-by': 'cdk8s-gpu-platform' },
      },
      data: Lazy.any({ produce: () => ({ [this.configKey]: Yaml.stringify({ rules: this.rules() }) }) }),
    });
    setSyncWave(this.configMap, SyncWave.CONFIG);

    this.node.addValidation({ validate: () => this.checkHpas() });
  }

  /** Serves one more Prometheus series (for an HPA another construct makes). */
  public addSeries(seriesName: string, prop: string = 'addSeries'): void {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(seriesName)) fail(this, prop, seriesName, 'a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)');
    this.extra.push({ seriesName, metricName: customMetricName(seriesName) });
  }

  /**
   * Every metric served, collected now (call at synth time) from the app's HPAs: GpuInferenceServices',
   * RoleBasedGroup roles' and CanaryRollouts' (the one autoscaling renderer), plus the added series.
   */
  public get metrics(): CustomMetric[] {
    const all = [...renderedHpaMetrics(this.node.root), ...this.extra];
    const bySeries = new Map<string, CustomMetric>();
    for (const m of all) bySeries.set(m.seriesName, m);
    // Code-unit order: localeCompare depends on the machine's locale (LANG), and the output must not.
    return [...bySeries.values()].sort((a, b) => (a.seriesName < b.seriesName ? -1 : a.seriesName > b.seriesName ? 1 : 0));
  }

  /** The adapter rules, one per series. */
  public rules(): AdapterRule[] {
    return this.metrics.map((m) => ({
      seriesQuery: `${m.seriesName}{namespace!="",pod!=""}`,
      resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
      name: { matches: `^${escapeRegex(m.seriesName)}$`, as: m.metricName },
      metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
    }));
  }

  private checkHpas(): string[] {
    const served = new Set(this.metrics.map((m) => m.metricName));
    const errors: string[] = [];
    for (const obj of this.node.root.node.findAll()) {
      if (!(obj instanceof ApiObject) || obj.kind !== 'HorizontalPodAutoscaler') continue;
      const json = obj.toJson();
      for (const metric of json.spec?.metrics ?? []) {
        const name = metric.type === 'Pods' ? metric.pods?.metric?.name : undefined;
        if (name !== undefined && !served.has(name)) {
          errors.push(formatViolation(obj, 'spec.metrics', `Pods metric ${name} (HorizontalPodAutoscaler ${json.metadata?.namespace}/${json.metadata?.name})`,
            `a metric served by PrometheusAdapterRules ${this.namespace}/${this.name}: ${[...served].join(', ') || 'none'} (add its series with additionalSeries or addSeries)`));
        }
      }
    }
    return errors;
  }
}
