import { Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { k8s } from '../../lib/core/k8s';
import { Autoscaling, PodMetric } from '../../lib/inference/autoscaling';
import { GpuInferenceService } from '../../lib/inference/gpu-inference-service';
import { ClientPeer } from '../../lib/inference/options';
import { PrometheusAdapterRules } from '../../lib/inference/prometheus-adapter-rules';
import { CanaryRollout, CanaryStep } from '../../lib/delivery';
import { RoleBasedGroup } from '../../lib/workloads/role-based-group';
import { ServingEngine } from '../../lib/serving/engine';
import { Warnings } from '../../lib/core/errors';
import { synth, synthValid } from '../harness';

function service(chart: Chart, name: string, metrics: PodMetric[]): GpuInferenceService {
  return new GpuInferenceService(chart, name, {
    name, namespace: 'ml', image: 'vllm/vllm-openai:v0.18.0', model: 'm/m', gpu: { count: 1 },
    clients: [ClientPeer.namespace('gateway')],
    autoscaling: Autoscaling.hpa({ maxReplicas: 2, metrics }),
  });
}

const rulesOf = (ms: any[]) => {
  const cm = ms.find((m) => m.kind === 'ConfigMap');
  return parse(cm.data['config.yaml']).rules;
};

describe('PrometheusAdapterRules', () => {
  test('collects the HPA metrics of every GpuInferenceService in the app (snapshot)', () => {
    const app = Testing.app();
    const monitoring = new Chart(app, 'monitoring');
    // Created before the services: the series are collected at synth time.
    new PrometheusAdapterRules(monitoring, 'rules');
    const a = new Chart(app, 'a');
    service(a, 'llama', [PodMetric.queueLength(5), PodMetric.kvCacheUsage(0.8)]);
    service(a, 'mistral', [PodMetric.queueLength(3)]);
    const ms = synthValid(app);
    // One replica under the HPA: no PodDisruptionBudget, and a warning that says so.
    expect(Warnings.of(app).map((w) => w.split(':')[0])).toEqual(['[a/llama] podDisruptionBudget', '[a/mistral] podDisruptionBudget']);
    const cm = ms.find((m) => m.kind === 'ConfigMap');
    expect(cm.metadata).toMatchObject({ name: 'prometheus-adapter-rules', namespace: 'monitoring' });
    expect(cm).toMatchSnapshot();
    expect(rulesOf(ms)).toEqual([
      {
        seriesQuery: 'vllm:kv_cache_usage_perc{namespace!="",pod!=""}',
        resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
        name: { matches: '^vllm:kv_cache_usage_perc$', as: 'vllm_kv_cache_usage_perc' },
        metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
      },
      {
        seriesQuery: 'vllm:num_requests_waiting{namespace!="",pod!=""}',
        resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
        name: { matches: '^vllm:num_requests_waiting$', as: 'vllm_num_requests_waiting' },
        metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
      },
    ]);
  });

  test('also serves the HPA metrics of RoleBasedGroup roles and CanaryRollouts (the one autoscaling renderer)', () => {
    const app = Testing.app();
    const c = new Chart(app, 'c');
    const rules = new PrometheusAdapterRules(c, 'rules');
    new RoleBasedGroup(c, 'g', {
      name: 'grp', namespace: 'ml',
      roles: [{ name: 'decode', server: { engine: ServingEngine.sglang(), image: 'lmsysorg/sglang:v0.5.3.post3', model: 'm/m', labels: {}, gpu: { count: 1 } },
        autoscaling: Autoscaling.hpa({ maxReplicas: 3, metrics: [PodMetric.queueLength(4)] }) }],
    });
    new CanaryRollout(c, 'ro', {
      name: 'web', namespace: 'ml', steps: [CanaryStep.trafficWeight(50)],
      template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 8080 }] }] } },
      autoscaling: Autoscaling.hpa({ maxReplicas: 3, metrics: [PodMetric.named('http_requests_in_flight', 10)] }),
    });
    synth(app);
    expect(rules.metrics.map((m) => m.metricName)).toEqual(['http_requests_in_flight', 'sglang_num_queue_reqs']);
  });

  test('additional series, custom name, namespace and key', () => {
    const app = Testing.app();
    const c = new Chart(app, 'c');
    const rules = new PrometheusAdapterRules(c, 'rules', { name: 'adapter', namespace: 'obs', configKey: 'rules.yaml', additionalSeries: ['sglang:num_queue_reqs'] });
    rules.addSeries('tgi_queue_size');
    const ms = synthValid(app);
    const cm = ms.find((m) => m.kind === 'ConfigMap');
    expect(cm.metadata.name).toBe('adapter');
    const parsed = parse(cm.data['rules.yaml']).rules;
    expect(parsed.map((r: any) => r.name.as)).toEqual(['sglang_num_queue_reqs', 'tgi_queue_size']);
  });

  /** An HPA of our own on the Pods metric router_queue, outside any construct of the library. */
  function foreignHpa(c: Chart): void {
    new k8s.KubeHorizontalPodAutoscalerV2(c, 'foreign', {
      metadata: { name: 'router', namespace: 'ml' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'router' },
        maxReplicas: 3,
        metrics: [{ type: 'Pods', pods: { metric: { name: 'router_queue' }, target: { type: 'AverageValue', averageValue: k8s.Quantity.fromNumber(2) } } }],
      },
    });
  }

  test('an HPA on a pods metric that no rule serves fails the synth', () => {
    const app = Testing.app();
    const c = new Chart(app, 'c');
    new PrometheusAdapterRules(c, 'rules');
    foreignHpa(c);
    expect(() => synth(app)).toThrow('[c/foreign] spec.metrics: given "Pods metric router_queue (HorizontalPodAutoscaler ml/router)"; allowed: a metric served by PrometheusAdapterRules monitoring/prometheus-adapter-rules: none');
  });

  test('the check passes once the series is added', () => {
    const app = Testing.app();
    const c = new Chart(app, 'c');
    const rules = new PrometheusAdapterRules(c, 'rules');
    rules.addSeries('router_queue');
    foreignHpa(c);
    expect(() => synth(app)).not.toThrow();
  });

  test('without PrometheusAdapterRules, no check runs', () => {
    const app = Testing.app();
    service(new Chart(app, 'c'), 'llama', [PodMetric.queueLength(5)]);
    expect(() => synthValid(app)).not.toThrow();
  });

  describe('errors', () => {
    test('bad series name', () => expect(() => new PrometheusAdapterRules(new Chart(Testing.app(), 'c'), 'rules', { additionalSeries: ['bad-name'] })).toThrow(
      '[c/rules] additionalSeries[0]: given "bad-name"; allowed: a Prometheus metric name'));
    test('bad namespace', () => expect(() => new PrometheusAdapterRules(new Chart(Testing.app(), 'c'), 'rules', { namespace: 'Mon' })).toThrow(
      '[c/rules] namespace: given "Mon"; allowed: a DNS-1123 label'));
    test('bad config key', () => expect(() => new PrometheusAdapterRules(new Chart(Testing.app(), 'c'), 'rules', { configKey: 'a/b' })).toThrow(
      '[c/rules] configKey: given "a/b"; allowed: a ConfigMap key'));
  });
});
