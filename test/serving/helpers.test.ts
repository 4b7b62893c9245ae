import { Chart, Duration, Testing } from 'cdk8s';
import { GpuResource } from '../../lib/core/gpu';
import { imageVersion, MultiNodeRole, ServingEngine, vllmTakesShutdownTimeout } from '../../lib/serving/engine';
import { applyGpuPlacement, resolveGpuRequest } from '../../lib/serving/gpu';
import { hasDigest, imageTag, requirePinnedImage } from '../../lib/serving/image';
import { modelServerProbes } from '../../lib/serving/probes';

const chart = () => new Chart(Testing.app(), 'c');

describe('ServingEngine', () => {
  test('presets know port, paths and metrics', () => {
    const v = ServingEngine.vllm();
    expect([v.name, v.port, v.healthPath, v.metricsPath, v.queueLengthMetric, v.kvCacheUsageMetric]).toEqual(
      ['vllm', 8000, '/health', '/metrics', 'vllm:num_requests_waiting', 'vllm:kv_cache_usage_perc']);
    expect([ServingEngine.sglang().port, ServingEngine.tgi().port]).toEqual([30000, 8080]);
    expect(ServingEngine.tgi().supportsMultiNode).toBe(false);
  });

  test('vLLM without the shutdown flag (older images)', () => {
    const cmd = ServingEngine.vllm({ shutdownTimeoutFlag: false })._serveCommand({ model: 'm', port: 8000, tensorParallelSize: 1, shutdownTimeoutSeconds: 30, image: 'vllm/vllm-openai:v0.18.0' });
    expect(cmd.args).not.toContain('--shutdown-timeout');
  });

  test('vLLM --shutdown-timeout only for images whose tag names vLLM >= 0.18, unless forced', () => {
    const args = (image: string | undefined, flag?: boolean) => ServingEngine.vllm({ shutdownTimeoutFlag: flag })
      ._serveCommand({ model: 'm', port: 8000, tensorParallelSize: 1, shutdownTimeoutSeconds: 30, image }).args;
    expect(args('vllm/vllm-openai:v0.18.0')).toEqual(expect.arrayContaining(['--shutdown-timeout', '30']));
    expect(args('vllm/vllm-openai:v1.2.0')).toContain('--shutdown-timeout');
    // Older images exit with "unrecognized arguments"; unknown versions are not guessed.
    expect(args('vllm/vllm-openai:v0.11.0')).not.toContain('--shutdown-timeout');
    expect(args(`vllm/vllm-openai@sha256:${'a'.repeat(64)}`)).not.toContain('--shutdown-timeout');
    expect(args(`vllm/vllm-openai@sha256:${'a'.repeat(64)}`, true)).toContain('--shutdown-timeout');
    expect(args('vllm/vllm-openai:v0.8.5', true)).toContain('--shutdown-timeout');
    const v = ServingEngine.vllm();
    expect(v._imageNote({ model: 'm', port: 8000, tensorParallelSize: 1, shutdownTimeoutSeconds: 30, image: 'vllm/vllm-openai:v0.11.0' })).toContain('--shutdown-timeout is not passed');
    expect(v._imageNote({ model: 'm', port: 8000, tensorParallelSize: 1, shutdownTimeoutSeconds: 30, image: 'vllm/vllm-openai:v0.18.0' })).toBeUndefined();
    expect(ServingEngine.vllm({ shutdownTimeoutFlag: false })._imageNote({ model: 'm', port: 8000, tensorParallelSize: 1, shutdownTimeoutSeconds: 30 })).toBeUndefined();
  });

  test('image versions', () => {
    expect(imageVersion('vllm/vllm-openai:v0.18.0')).toEqual([0, 18]);
    expect(imageVersion('registry:5000/vllm:0.19.1-cu130')).toEqual([0, 19]);
    expect(imageVersion(`vllm/vllm-openai:v0.18.1@sha256:${'a'.repeat(64)}`)).toEqual([0, 18]);
    expect(imageVersion('vllm/vllm-openai:nightly')).toBeUndefined();
    expect(imageVersion('registry:5000/vllm')).toBeUndefined();
    expect([vllmTakesShutdownTimeout('x:v0.17.9'), vllmTakesShutdownTimeout('x:v0.18.0'), vllmTakesShutdownTimeout('x:1.0')]).toEqual([false, true, true]);
  });

  test('vLLM native multi-node leader', () => {
    const cmd = ServingEngine.vllm({ multiNodeRay: false })._multiNodeCommand(chart(), 'engine',
      { model: 'm', port: 8000, tensorParallelSize: 8, pipelineParallelSize: 2 }, MultiNodeRole.LEADER);
    expect(cmd.args).toEqual(['m', '--port', '8000', '--tensor-parallel-size', '8', '--pipeline-parallel-size', '2',
      '--nnodes', '$(LWS_GROUP_SIZE)', '--node-rank', '$(LWS_WORKER_INDEX)', '--master-addr', '$(LWS_LEADER_ADDRESS)']);
  });

  test('generic engine paths are validated', () => {
    expect(() => ServingEngine.generic({ name: 'x', port: 8000, healthPath: 'health' })._validate(chart(), 'engine')).toThrow(
      '[c] engine.healthPath: given "health"; allowed: an absolute HTTP path');
    expect(() => ServingEngine.generic({ name: 'x', port: 70000 })._validate(chart(), 'engine')).toThrow('[c] engine.port: given 70000');
  });
});

describe('resolveGpuRequest', () => {
  test('resources, toleration, no affinity without product', () => {
    const gpu = resolveGpuRequest(chart(), 'gpu', { count: 4 });
    expect(gpu.resources['nvidia.com/gpu'].value).toBe(4);
    expect(gpu.nodeSelectorExpressions).toEqual([]);
    expect(applyGpuPlacement({ containers: [] }, gpu).affinity).toBeUndefined();
  });

  test('GPU expressions are ANDed into every existing node selector term', () => {
    const gpu = resolveGpuRequest(chart(), 'gpu', { count: 1, product: 'L4' });
    const spec = applyGpuPlacement({
      containers: [],
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } },
    }, gpu);
    expect(spec.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms[0].matchExpressions).toHaveLength(2);
  });

  test('errors', () => {
    expect(() => resolveGpuRequest(chart(), 'gpu', { count: 1, minMemoryMiB: 0 })).toThrow('[c] gpu.minMemoryMiB: given 0; allowed: an integer >= 1');
    expect(() => resolveGpuRequest(chart(), 'gpu', { count: 1, resource: GpuResource.custom('gpu') })).toThrow('[c] gpu.resource: given "gpu"');
    expect(() => resolveGpuRequest(chart(), 'gpu', { count: 1, runtimeClassName: 'NVIDIA' })).toThrow('[c] gpu.runtimeClassName: given "NVIDIA"');
  });
});

describe('modelServerProbes', () => {
  test('startup budget covers the load time, rounded up', () => {
    const p = modelServerProbes(chart(), 'x', { port: 'http', healthPath: '/health', readinessPath: '/ready', maxModelLoadTime: Duration.seconds(95) });
    expect(p.startupProbe.failureThreshold).toBe(10);
    expect(p.readinessProbe.httpGet!.path).toBe('/ready');
    expect(p.readinessProbe.timeoutSeconds).toBe(5);
  });
});

describe('images', () => {
  test('tags and digests', () => {
    expect(imageTag('registry:5000/a/b:1.2')).toBe('1.2');
    expect(imageTag('registry:5000/a/b')).toBeUndefined();
    expect(hasDigest(`a/b@sha256:${'a'.repeat(64)}`)).toBe(true);
    expect(requirePinnedImage(chart(), 'image', `a/b@sha256:${'a'.repeat(64)}`)).toContain('@sha256');
    expect(() => requirePinnedImage(chart(), 'image', 'a b')).toThrow('[c] image: given "a b"; allowed: a container image reference');
  });
});
