import { PodMetric } from '../../lib/inference/autoscaling';

describe('PodMetric factories check their arguments', () => {
  test('kvCacheUsage takes a fraction of the 0-1 gauge', () => {
    expect(() => PodMetric.kvCacheUsage(0.8)).not.toThrow();
    expect(() => PodMetric.kvCacheUsage(1)).not.toThrow();
    expect(() => PodMetric.kvCacheUsage(80)).toThrow(
      '[PodMetric.kvCacheUsage] averageValue: given 80; allowed: a finite number > 0 and <= 1 (a fraction of the KV cache: the gauge is 0-1, so 0.8 for 80%)');
    expect(() => PodMetric.kvCacheUsage(0)).toThrow('[PodMetric.kvCacheUsage] averageValue: given 0;');
  });

  test('targets are finite numbers > 0; averages may be fractional', () => {
    expect(() => PodMetric.queueLength(0.5)).not.toThrow();
    expect(() => PodMetric.runningRequests(NaN)).toThrow('[PodMetric.runningRequests] averageValue: given NaN; allowed: a finite number > 0');
    expect(() => PodMetric.queueLength('5' as unknown as number)).toThrow('[PodMetric.queueLength] averageValue: given "5"; allowed: a finite number > 0');
  });

  test('named takes a Prometheus series name', () => {
    expect(() => PodMetric.named('vllm:num_requests_running', 4)).not.toThrow();
    expect(() => PodMetric.named('bad-name', 4)).toThrow('[PodMetric.named] seriesName: given "bad-name"; allowed: a Prometheus metric name');
    expect(() => PodMetric.named('', 4)).toThrow('[PodMetric.named] seriesName: given ""; allowed: a non-empty string');
  });
});
