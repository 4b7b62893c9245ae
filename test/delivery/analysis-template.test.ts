import { Duration } from 'cdk8s';
import { AnalysisMetric, CanaryAnalysisTemplate } from '../../lib/delivery';
import { synthValid } from '../harness';
import { evaluateResult } from './expr-eval';
import { chart, FakeTenant, one } from './fixtures';

const PROM = 'http://prometheus.monitoring:9090';

describe('CanaryAnalysisTemplate', () => {
  test('every preset validates against the AnalysisTemplate CRD and matches the snapshot', () => {
    const c = chart();
    new CanaryAnalysisTemplate(c, 'at', {
      name: 'inference-health', namespace: 'ml-team',
      args: [{ name: 'service-name' }, { name: 'namespace', defaultValue: 'ml-team' }, { name: 'token', secretKeyRef: { secretName: 'prom', key: 'token' } }],
      metrics: [
        AnalysisMetric.prometheusSuccessRate({ address: PROM, minSuccessRate: 0.95, failureLimit: 3, count: 5, interval: Duration.minutes(1) }),
        AnalysisMetric.prometheusLatency({ address: PROM, quantile: 0.99, maxLatency: Duration.seconds(2), count: 5, initialDelay: Duration.seconds(30) }),
        AnalysisMetric.prometheusQuery({
          name: 'queue', address: PROM, count: 3, inconclusiveLimit: 1, timeoutSeconds: 10,
          query: 'sum(vllm:num_requests_waiting{namespace="{{args.namespace}}",service="{{args.service-name}}"})',
          failureCondition: 'result[0] > 50',
        }),
      ],
    });
    expect(synthValid(c)).toMatchSnapshot();
  });

  test('success-rate preset: query, condition and defaults', () => {
    const c = chart();
    const at = new CanaryAnalysisTemplate(c, 'at', {
      name: 'sr', namespace: 'web-team', args: [{ name: 'service-name' }],
      metrics: [AnalysisMetric.prometheusSuccessRate({ address: PROM })],
    });
    const obj = one(synthValid(c), 'AnalysisTemplate');
    expect(obj.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('10');
    const sel = 'service="{{args.service-name}}"';
    expect(obj.spec.metrics).toEqual([{
      name: 'success-rate', interval: '1m',
      successCondition: 'len(result) > 0 && result[0] >= 0 && result[0] >= 0.95',
      failureCondition: 'len(result) > 0 && result[0] >= 0 && result[0] < 0.95',
      provider: { prometheus: { address: PROM, query:
        `(((sum(increase(http_requests_total{${sel},code!~"5.."}[5m])) or vector(0)) / sum(increase(http_requests_total{${sel}}[5m])))`
        + ` and on() (sum(increase(http_requests_total{${sel}}[5m])) >= 20)) or on() vector(-1)` } },
    }]);
    expect(at.requiredArgs).toEqual(['service-name']);
    expect(at.bounded).toBe(false);
  });

  test('latency preset: histogram_quantile with the max latency in seconds', () => {
    const c = chart();
    new CanaryAnalysisTemplate(c, 'at', {
      name: 'lat', namespace: 'web-team', args: [{ name: 'service-name' }],
      metrics: [AnalysisMetric.prometheusLatency({ address: PROM, maxLatency: Duration.millis(250), window: Duration.minutes(2), histogramMetric: 'vllm:e2e_request_latency_seconds_bucket' })],
    });
    const m = one(synthValid(c), 'AnalysisTemplate').spec.metrics[0];
    expect(m.name).toBe('latency-p95');
    const h = 'vllm:e2e_request_latency_seconds_bucket{service="{{args.service-name}}"';
    expect(m.provider.prometheus.query).toBe(`((histogram_quantile(0.95, sum(rate(${h}}[2m])) by (le))) and on() (sum(increase(${h},le="+Inf"}[2m])) >= 20)) or on() vector(-1)`);
    expect(m.successCondition).toBe('len(result) > 0 && result[0] >= 0 && result[0] <= 0.25');
    expect(m.failureCondition).toBe('len(result) > 0 && result[0] >= 0 && result[0] > 0.25');
  });

  test('tenant gives namespace and tenant label; required args skip defaults and secrets', () => {
    const c = chart();
    const tenant = new FakeTenant(c, 't', 'ml-team', 0);
    const at = new CanaryAnalysisTemplate(c, 'at', {
      name: 'q', tenant, args: [{ name: 'a' }, { name: 'b', defaultValue: 'x' }, { name: 'c', secretKeyRef: { secretName: 's', key: 'k' } }],
      metrics: [AnalysisMetric.prometheusQuery({ name: 'q', address: PROM, query: 'up{job="{{args.a}}",x="{{ args.b }}"}', successCondition: 'result[0] == 1', count: 1 })],
    });
    const obj = one(synthValid(c), 'AnalysisTemplate');
    expect(obj.metadata).toMatchObject({ namespace: 'ml-team', labels: { 'gpu-platform.dev/tenant': 'ml-team' } });
    expect(obj.spec.args).toEqual([{ name: 'a' }, { name: 'b', value: 'x' }, { name: 'c', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }]);
    expect(at.requiredArgs).toEqual(['a']);
    expect(at.bounded).toBe(true);
  });

  test('metric options render as the CRD fields: interval, count, failureLimit, inconclusiveLimit, initialDelay, timeout', () => {
    const c = chart();
    new CanaryAnalysisTemplate(c, 'at', {
      name: 'q', namespace: 'web-team', args: [{ name: 'service-name' }],
      metrics: [AnalysisMetric.prometheusSuccessRate({
        address: PROM, interval: Duration.seconds(30), count: 4, failureLimit: 3, inconclusiveLimit: 1,
        initialDelay: Duration.minutes(2), timeoutSeconds: 15, minSuccessRate: 0.99,
      })],
    });
    const m = one(synthValid(c), 'AnalysisTemplate').spec.metrics[0];
    expect(m).toMatchObject({ interval: '30s', count: 4, failureLimit: 3, inconclusiveLimit: 1, initialDelay: '2m', successCondition: 'len(result) > 0 && result[0] >= 0 && result[0] >= 0.99' });
    expect(m.provider.prometheus.timeout).toBe(15);
  });

  describe('fails safe at low traffic (conditions judged under Argo Rollouts v1.9.1 EvaluateResult semantics)', () => {
    // What Prometheus hands the condition for each situation, given the guarded query: the provider turns a
    // Vector into a []float64 of its samples (metricproviders/prometheus/prometheus.go processResponse).
    //   no canary series yet / fewer than minRequests in the window -> `or on() vector(-1)` -> [-1]
    //   enough requests, all errors -> `or vector(0)` numerator -> [0]
    // [] and [NaN] cannot come out of the guarded query; they are checked anyway, as the unguarded query
    // gave them (an empty Vector before the first request, 0/0 with series but no increase).
    const render = (m: AnalysisMetric) => {
      const c = chart();
      new CanaryAnalysisTemplate(c, 'at', { name: 'x', namespace: 'n', args: [{ name: 'service-name' }], metrics: [m] });
      return one(synthValid(c), 'AnalysisTemplate').spec.metrics[0];
    };
    const phase = (m: any, result: number[]) => evaluateResult(result, m.successCondition, m.failureCondition);

    test.each([
      ['too few requests', [-1], 'Inconclusive'],
      ['empty result', [], 'Inconclusive'],
      ['NaN', [NaN], 'Inconclusive'],
      ['all errors', [0], 'Failed'],
      ['below the threshold', [0.94], 'Failed'],
      ['at the threshold', [0.95], 'Successful'],
      ['all good', [1], 'Successful'],
    ])('success rate, %s: %j -> %s', (_what, result, expected) => {
      expect(phase(render(AnalysisMetric.prometheusSuccessRate({ address: PROM })), result as number[])).toBe(expected);
    });

    test.each([
      ['too few requests', [-1], 'Successful'],
      ['empty result', [], 'Inconclusive'],
      ['NaN', [NaN], 'Inconclusive'],
      ['below the threshold', [0.5], 'Failed'],
      ['all good', [0.99], 'Successful'],
    ])('success rate with passBelowMinRequests, %s: %j -> %s', (_what, result, expected) => {
      expect(phase(render(AnalysisMetric.prometheusSuccessRate({ address: PROM, passBelowMinRequests: true })), result as number[])).toBe(expected);
    });

    test.each([
      ['too few requests', [-1], 'Inconclusive'],
      ['empty result', [], 'Inconclusive'],
      ['NaN', [NaN], 'Inconclusive'],
      ['+Inf (quantile in the +Inf bucket)', [Infinity], 'Failed'],
      ['too slow', [0.3], 'Failed'],
      ['fast enough', [0.25], 'Successful'],
      ['zero', [0], 'Successful'],
    ])('latency, %s: %j -> %s', (_what, result, expected) => {
      expect(phase(render(AnalysisMetric.prometheusLatency({ address: PROM, maxLatency: Duration.millis(250) })), result as number[])).toBe(expected);
    });

    test('the old unguarded conditions errored on an empty result and failed on NaN (why the guard exists)', () => {
      expect(evaluateResult([], 'result[0] >= 0.95')).toBe('Error');
      expect(evaluateResult([NaN], 'result[0] >= 0.95')).toBe('Failed');
    });

    test('the query always yields exactly one sample: a guarded value or the -1 sentinel', () => {
      const m = render(AnalysisMetric.prometheusSuccessRate({ address: PROM, minRequests: 100, window: Duration.minutes(10) }));
      const q: string = m.provider.prometheus.query;
      expect(q).toMatch(/ and on\(\) \(sum\(increase\(http_requests_total\{service="\{\{args.service-name\}\}"\}\[10m\]\)\) >= 100\)\) or on\(\) vector\(-1\)$/);
      // The numerator falls back to 0 (all errors), never to "no data".
      expect(q).toContain('code!~"5.."}[10m])) or vector(0))');
      // Parentheses balance, so `and`/`or` bind as shown (PromQL: `/` binds tighter than `and`, `and` tighter than `or`).
      let depth = 0;
      for (const ch of q) { depth += ch === '(' ? 1 : ch === ')' ? -1 : 0; expect(depth).toBeGreaterThanOrEqual(0); }
      expect(depth).toBe(0);
    });

    test('the evaluator rejects what it cannot judge faithfully', () => {
      expect(() => evaluateResult([1], 'result[0] in [1, 2]')).toThrow('expr subset');
    });

    test('minRequests must be a whole number of 1 or more', () => {
      expect(() => render(AnalysisMetric.prometheusSuccessRate({ address: PROM, minRequests: 0 })))
        .toThrow('[test/at] metrics[0].minRequests: given 0; allowed: a whole number of requests, 1 or more');
      expect(() => render(AnalysisMetric.prometheusLatency({ address: PROM, maxLatency: Duration.seconds(1), minRequests: 1.5 })))
        .toThrow('metrics[0].minRequests: given 1.5; allowed: a whole number of requests, 1 or more');
    });
  });

  describe('errors', () => {
    test('a query that uses an undeclared arg', () => {
      expect(() => new CanaryAnalysisTemplate(chart(), 'at', {
        name: 'sr', namespace: 'web-team', args: [{ name: 'service' }],
        metrics: [AnalysisMetric.prometheusSuccessRate({ address: PROM })],
      })).toThrow('[test/at] metrics[0].query: given "{{args.service-name}}"; allowed: only declared args (service); declare "service-name" in args');
    });
    test('a condition that uses an undeclared arg, with no args declared', () => {
      expect(() => new CanaryAnalysisTemplate(chart(), 'at', {
        name: 'q', namespace: 'web-team',
        metrics: [AnalysisMetric.prometheusQuery({ name: 'q', address: PROM, query: 'up', successCondition: 'result[0] >= {{args.min}}' })],
      })).toThrow('[test/at] metrics[0].successCondition: given "{{args.min}}"; allowed: only declared args (none declared); declare "min" in args');
    });
    test('no metrics', () => {
      expect(() => new CanaryAnalysisTemplate(chart(), 'at', { name: 'q', namespace: 'web-team', metrics: [] }))
        .toThrow('[test/at] metrics: given []; allowed: at least one AnalysisMetric');
    });
    test('custom query without a name', () => {
      expect(() => new CanaryAnalysisTemplate(chart(), 'at', { name: 'q', namespace: 'n', metrics: [AnalysisMetric.prometheusQuery({ address: PROM, query: 'up', successCondition: 'true' })] }))
        .toThrow('[test/at] metrics[0].name: given undefined; allowed: a metric name (required for AnalysisMetric.prometheusQuery)');
    });
    test('custom query without any condition', () => {
      expect(() => new CanaryAnalysisTemplate(chart(), 'at', { name: 'q', namespace: 'n', metrics: [AnalysisMetric.prometheusQuery({ name: 'q', address: PROM, query: 'up' })] }))
        .toThrow('[test/at] metrics[0].successCondition: given undefined; allowed: a successCondition and/or a failureCondition');
    });
    test('duplicate metric names', () => {
      expect(() => new CanaryAnalysisTemplate(chart(), 'at', {
        name: 'q', namespace: 'n', args: [{ name: 'service-name' }],
        metrics: [AnalysisMetric.prometheusSuccessRate({ address: PROM }), AnalysisMetric.prometheusSuccessRate({ address: PROM })],
      })).toThrow('[test/at] metrics[1].name: given "success-rate"; allowed: a metric name unique in the template');
    });
    test('duplicate arg', () => {
      expect(() => new CanaryAnalysisTemplate(chart(), 'at', { name: 'q', namespace: 'n', args: [{ name: 'a' }, { name: 'a' }], metrics: [] }))
        .toThrow('[test/at] args[1].name: given "a"; allowed: a name not declared twice');
    });
    test('success rate out of range', () => {
      expect(() => new CanaryAnalysisTemplate(chart(), 'at', { name: 'q', namespace: 'n', args: [{ name: 'service-name' }], metrics: [AnalysisMetric.prometheusSuccessRate({ address: PROM, minSuccessRate: 95 })] }))
        .toThrow('[test/at] metrics[0].minSuccessRate: given 95; allowed: a number from 0 to 1');
    });
    test('quantile out of range', () => {
      expect(() => new CanaryAnalysisTemplate(chart(), 'at', { name: 'q', namespace: 'n', args: [{ name: 'service-name' }], metrics: [AnalysisMetric.prometheusLatency({ address: PROM, quantile: 1, maxLatency: Duration.seconds(1) })] }))
        .toThrow('[test/at] metrics[0].quantile: given 1; allowed: a number between 0 and 1 (exclusive)');
    });
    test('invalid interval', () => {
      expect(() => new CanaryAnalysisTemplate(chart(), 'at', { name: 'q', namespace: 'n', args: [{ name: 'service-name' }], metrics: [AnalysisMetric.prometheusSuccessRate({ address: PROM, interval: Duration.millis(10) })] }))
        .toThrow('[test/at] metrics[0].interval: given "10ms"; allowed: a whole number of seconds >= 1');
    });
    test('count and failureLimit must be integers in range', () => {
      expect(() => new CanaryAnalysisTemplate(chart(), 'at', { name: 'q', namespace: 'n', args: [{ name: 'service-name' }], metrics: [AnalysisMetric.prometheusSuccessRate({ address: PROM, count: 0 })] }))
        .toThrow('[test/at] metrics[0].count: given 0; allowed: an integer >= 1');
      expect(() => new CanaryAnalysisTemplate(chart(), 'at2', { name: 'q', namespace: 'n', args: [{ name: 'service-name' }], metrics: [AnalysisMetric.prometheusSuccessRate({ address: PROM, failureLimit: -2 })] }))
        .toThrow('[test/at2] metrics[0].failureLimit: given -2; allowed: an integer >= -1');
    });
    test('address that is not a URL', () => {
      expect(() => new CanaryAnalysisTemplate(chart(), 'at', { name: 'q', namespace: 'n', args: [{ name: 'service-name' }], metrics: [AnalysisMetric.prometheusSuccessRate({ address: 'prometheus:9090' })] }))
        .toThrow('[test/at] metrics[0].address: given "prometheus:9090"; allowed: an http:// or https:// URL of Prometheus');
    });
    test('arg with both a default and a secret', () => {
      expect(() => new CanaryAnalysisTemplate(chart(), 'at', { name: 'q', namespace: 'n', args: [{ name: 'a', defaultValue: 'x', secretKeyRef: { secretName: 's', key: 'k' } }], metrics: [] }))
        .toThrow('[test/at] args[0]: given "a"; allowed: either defaultValue or secretKeyRef, not both');
    });
    test('a namespace that is not a DNS label', () => {
      expect(() => new CanaryAnalysisTemplate(chart(), 'at', { name: 'q', namespace: 'Web_Team', metrics: [] }))
        .toThrow("[test/at] namespace: given \"Web_Team\"; allowed: a DNS-1123 label of at most 63 characters");
    });
    test('no namespace and no tenant', () => {
      expect(() => new CanaryAnalysisTemplate(chart(), 'at', { name: 'q', metrics: [] }))
        .toThrow('[test/at] namespace: given undefined; allowed: a namespace, or a tenant to take it from');
    });
  });
});
