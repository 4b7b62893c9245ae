import { Chart, Duration, Testing } from 'cdk8s';
import { GpuResource } from '../../lib/core/gpu';
import { k8s } from '../../lib/core/k8s';
import { Cpu, Memory } from '../../lib/core/quantity';
import { PodSecurityLevel } from '../../lib/core/security';
import { MultiNodeRole, ServingEngine } from '../../lib/serving/engine';
import { buildModelServerPod, ModelServerPodProps, pickModelServerOptions } from '../../lib/serving/model-server-pod';
import { Warnings } from '../../lib/core/errors';
import { synthValid } from '../harness';

const LABELS = { 'app.kubernetes.io/name': 'llm', 'app.kubernetes.io/instance': 'llm' };

function chart(): Chart {
  return new Chart(Testing.app(), 'test');
}

function base(overrides: Partial<ModelServerPodProps> = {}): ModelServerPodProps {
  return {
    image: 'vllm/vllm-openai:v0.18.0',
    model: 'meta-llama/Llama-3.1-8B-Instruct',
    engine: ServingEngine.vllm(),
    labels: LABELS,
    gpu: { count: 2 },
    ...overrides,
  };
}

/** Wraps a template in a Deployment so the harness validates it as a real workload. */
function deploy(c: Chart, template: k8s.PodTemplateSpec): any[] {
  new k8s.KubeDeployment(c, 'd', {
    metadata: { name: 'llm', namespace: 'ml' },
    spec: { selector: { matchLabels: LABELS }, template },
  });
  return synthValid(c);
}

describe('buildModelServerPod', () => {
  test('full template passes the harness and matches the snapshot', () => {
    const c = chart();
    const pod = buildModelServerPod(c, '', base({
      hfTokenSecret: { name: 'hf', key: 'token' },
      modelCache: { claimName: 'llm-cache' },
      gpu: { count: 2, product: 'NVIDIA-H100-80GB-HBM3', minMemoryMiB: 80000, runtimeClassName: 'nvidia' },
      priorityClassName: 'inference',
      schedulerName: 'volcano',
      placement: { nodeSelector: { pool: 'gpu' }, tolerations: [{ key: 'tenant', operator: 'Equal', value: 'ml', effect: 'NoSchedule' }] },
    }));
    const [d] = deploy(c, pod.template);
    expect(d).toMatchSnapshot();
  });

  test('GPU: limits equal requests, quantities not strings, affinity, toleration, runtime class', () => {
    const pod = buildModelServerPod(chart(), '', base({ gpu: { count: 2, product: 'A100-SXM4-80GB', minMemoryMiB: 40000, runtimeClassName: 'nvidia' } }));
    const res = pod.container.resources!;
    expect(res.limits!['nvidia.com/gpu'].value).toBe(2);
    expect(res.requests).toEqual(res.limits);
    const spec = pod.template.spec!;
    expect(spec.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms[0].matchExpressions).toEqual([
      { key: 'nvidia.com/gpu.product', operator: 'In', values: ['A100-SXM4-80GB'] },
      { key: 'nvidia.com/gpu.memory', operator: 'Gt', values: ['39999'] },
    ]);
    expect(spec.tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
    expect(spec.runtimeClassName).toBe('nvidia');
  });

  test('GPU taint toleration can be turned off; MIG and time-sliced resources', () => {
    const mig = buildModelServerPod(chart(), '', base({ gpu: { count: 1, resource: GpuResource.mig('3g.40gb'), tolerateGpuTaint: false } }));
    expect(Object.keys(mig.container.resources!.limits!)).toContain('nvidia.com/mig-3g.40gb');
    expect(mig.template.spec!.tolerations).toBeUndefined();
    const shared = buildModelServerPod(chart(), '', base({ gpu: { count: 1, resource: GpuResource.timeSliced(true) } }));
    expect(Object.keys(shared.container.resources!.limits!)).toContain('nvidia.com/gpu.shared');
  });

  test('vLLM command carries model, port, tensor parallel size and shutdown timeout', () => {
    const pod = buildModelServerPod(chart(), '', base({ extraArgs: ['--max-model-len', '8192'] }));
    expect(pod.container.command).toEqual(['vllm', 'serve']);
    expect(pod.container.args).toEqual(['meta-llama/Llama-3.1-8B-Instruct', '--port', '8000', '--tensor-parallel-size', '2',
      '--shutdown-timeout', '45', '--max-model-len', '8192']);
    expect(pod.container.ports).toEqual([{ name: 'http', containerPort: 8000, protocol: 'TCP' }]);
    expect(pod.metricsPortName).toBe('http');
  });

  test('/dev/shm is a Memory emptyDir with a size limit; /tmp and home are writable', () => {
    const pod = buildModelServerPod(chart(), '', base({ shmSize: Memory.gibibytes(16), memory: Memory.gibibytes(64) }));
    const vols = pod.template.spec!.volumes!;
    expect(vols.find((v) => v.name === 'dshm')!.emptyDir).toEqual({ medium: 'Memory', sizeLimit: k8s.Quantity.fromString('16Gi') });
    expect(pod.container.volumeMounts!.map((m) => m.mountPath)).toEqual(['/tmp', '/home/serving', '/var/cache/models', '/dev/shm']);
    expect(pod.container.securityContext!.readOnlyRootFilesystem).toBe(true);
  });

  test('probes: startup covers maxModelLoadTime, timeouts >= 5 s', () => {
    const pod = buildModelServerPod(chart(), '', base({ maxModelLoadTime: Duration.minutes(45) }));
    const s = pod.container.startupProbe!;
    expect(s.failureThreshold! * s.periodSeconds!).toBeGreaterThanOrEqual(45 * 60);
    expect(s.httpGet!.path).toBe('/health');
    expect(pod.container.readinessProbe!.timeoutSeconds).toBeGreaterThanOrEqual(5);
    expect(pod.container.livenessProbe!.timeoutSeconds).toBeGreaterThanOrEqual(5);
  });

  test('drain: preStop sleep and grace period >= preStop + shutdown + margin', () => {
    const pod = buildModelServerPod(chart(), '', base({ preStopDelay: Duration.seconds(20), shutdownTimeout: Duration.seconds(100) }));
    expect(pod.container.lifecycle!.preStop!.exec!.command).toEqual(['sleep', '20']);
    expect(pod.template.spec!.terminationGracePeriodSeconds).toBe(125);
  });

  test('HF token from a Secret, HF_HOME on the model cache, offline mode', () => {
    const pod = buildModelServerPod(chart(), '', base({ hfTokenSecret: { name: 'hf-token' }, modelCache: { claimName: 'cache', mountPath: '/cache' }, offline: true }));
    const env = pod.container.env!;
    expect(env).toContainEqual({ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf-token', key: 'token' } } });
    expect(env).toContainEqual({ name: 'HF_HOME', value: '/cache' });
    expect(env).toContainEqual({ name: 'HF_HUB_OFFLINE', value: '1' });
    expect(pod.template.spec!.volumes).toContainEqual({ name: 'model-cache', persistentVolumeClaim: { claimName: 'cache', readOnly: undefined } });
  });

  test('restricted security, no token automount, no service links', () => {
    const spec = buildModelServerPod(chart(), '', base()).template.spec!;
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.enableServiceLinks).toBe(false);
    expect(spec.securityContext!.runAsNonRoot).toBe(true);
  });

  test('engine presets: SGLang, TGI, generic', () => {
    const sg = buildModelServerPod(chart(), '', base({ engine: ServingEngine.sglang() }));
    expect(sg.container.command).toEqual(['python3', '-m', 'sglang.launch_server']);
    expect(sg.container.args).toEqual(expect.arrayContaining(['--model-path', '--tp', '2', '--port', '30000']));
    const tgi = buildModelServerPod(chart(), '', base({ engine: ServingEngine.tgi(), security: { level: PodSecurityLevel.BASELINE, runAsUser: 0 } }));
    expect(tgi.container.args).toEqual(expect.arrayContaining(['--model-id', '--num-shard', '2', '--graceful-termination-timeout', '45']));
    expect(tgi.container.command).toBeUndefined();
    const gen = buildModelServerPod(chart(), '', base({
      engine: ServingEngine.generic({ name: 'triton', port: 8000, metricsPort: 8002, args: ['--model={model}', '--tp={tensorParallelSize}'] }),
    }));
    expect(gen.container.command).toBeUndefined();
    expect(gen.container.args).toEqual(['--model=meta-llama/Llama-3.1-8B-Instruct', '--tp=2']);
    expect(gen.container.ports!.map((p) => p.name)).toEqual(['http', 'metrics']);
    expect(gen.metricsPortName).toBe('metrics');
  });

  test('multi-node: vLLM Ray leader/worker, SGLang dist-init, workers have no probes', () => {
    const leader = buildModelServerPod(chart(), '', base({ multiNode: { role: MultiNodeRole.LEADER, nodes: 2 } }));
    expect(leader.container.args![0]).toContain('leader --ray_cluster_size=$(LWS_GROUP_SIZE)');
    expect(leader.container.args![0]).toContain('--pipeline-parallel-size 2');
    const worker = buildModelServerPod(chart(), '', base({ multiNode: { role: MultiNodeRole.WORKER, nodes: 2 } }));
    expect(worker.container.args![0]).toContain('worker --ray_address=$(LWS_LEADER_ADDRESS)');
    expect(worker.container.startupProbe).toBeUndefined();
    expect(worker.container.ports).toBeUndefined();
    const native = buildModelServerPod(chart(), '', base({ engine: ServingEngine.vllm({ multiNodeRay: false }), multiNode: { role: MultiNodeRole.WORKER, nodes: 2 } }));
    expect(native.container.args).toEqual(expect.arrayContaining(['--nnodes', '$(LWS_GROUP_SIZE)', '--node-rank', '$(LWS_WORKER_INDEX)', '--headless']));
    const sg = buildModelServerPod(chart(), '', base({ engine: ServingEngine.sglang(), multiNode: { role: MultiNodeRole.LEADER, nodes: 2 } }));
    expect(sg.container.args).toEqual(expect.arrayContaining(['--tp', '4', '--dist-init-addr', '$(LWS_LEADER_ADDRESS):20000']));
  });

  test('drain on an image without --shutdown-timeout (vLLM < 0.18): flag left out, warning, grace period kept', () => {
    const c = chart();
    const pod = buildModelServerPod(c, '', base({ image: 'vllm/vllm-openai:v0.11.0' }));
    expect(pod.container.args).not.toContain('--shutdown-timeout');
    expect(pod.template.spec!.terminationGracePeriodSeconds).toBe(65);
    expect(Warnings.of(c)).toEqual([expect.stringContaining('image: --shutdown-timeout is not passed')]);
  });

  test('unpinned image allowed with a warning under opt-in', () => {
    const c = chart();
    buildModelServerPod(c, '', base({ image: 'vllm/vllm-openai:latest', allowLatestImage: true }));
    expect(Warnings.of(c)).toEqual(expect.arrayContaining([expect.stringMatching(/^\[test\] image: .*not pinned/)]));
  });

  describe('errors', () => {
    const err = (overrides: Partial<ModelServerPodProps>) => () => buildModelServerPod(chart(), 'server', base(overrides));
    test('0 GPUs', () => expect(err({ gpu: { count: 0 } })).toThrow('[test] server.gpu.count: given 0; allowed: a whole number of GPUs >= 1'));
    test('fractional GPUs', () => expect(err({ gpu: { count: 0.5 } })).toThrow('[test] server.gpu.count: given 0.5; allowed: a whole number'));
    test('unknown MIG profile', () => expect(err({ gpu: { count: 1, resource: GpuResource.mig('9g.10gb') } })).toThrow(
      '[test] server.gpu.resource: given "nvidia.com/mig-9g.10gb"; allowed: a MIG profile'));
    test('tensor parallel size differs from GPUs', () => expect(err({ tensorParallelSize: 4 })).toThrow(
      '[test] server.tensorParallelSize: given 4; allowed: the GPUs per pod (gpu.count = 2)'));
    test('shm not smaller than memory', () => expect(err({ shmSize: Memory.gibibytes(32), memory: Memory.gibibytes(32) })).toThrow(
      '[test] server.shmSize: given "32Gi"; allowed: less than the memory limit (32Gi)'));
    test('grace period shorter than the drain', () => expect(err({ terminationGracePeriod: Duration.seconds(30) })).toThrow(
      '[test] server.terminationGracePeriod: given "30s"; allowed: at least preStopDelay + shutdownTimeout + 5s = 15s + 45s + 5s = 65s'));
    test('latest image', () => expect(err({ image: 'vllm/vllm-openai:latest' })).toThrow(
      '[test] server.image: given "vllm/vllm-openai:latest"; allowed: an image pinned to a version tag or a digest'));
    test('untagged image', () => expect(err({ image: 'registry:5000/vllm' })).toThrow('[test] server.image: given "registry:5000/vllm"'));
    test('literal HF token', () => expect(err({ env: [{ name: 'HF_TOKEN', value: 'hf_abc' }] })).toThrow(
      '[test] server.env[HF_TOKEN]: given "<literal token>"; allowed: a Secret reference'));
    test('model load time out of range', () => expect(err({ maxModelLoadTime: Duration.seconds(5) })).toThrow(
      '[test] server.maxModelLoadTime: given "5s"; allowed: a duration from 30 seconds to 24 hours'));
    test('invalid quantity', () => expect(err({ memory: Memory.parse('lots') })).toThrow('[test] server.memory: given "lots"'));
    test('bad cpu', () => expect(err({ cpu: Cpu.parse('x') })).toThrow('[test] server.cpu: given "x"'));
    test('multi-node with TGI', () => expect(err({ engine: ServingEngine.tgi(), multiNode: { role: MultiNodeRole.LEADER, nodes: 2 } })).toThrow(
      '[test] server.engine: given "tgi"; allowed: an engine with multi-node support'));
    test('root under restricted', () => expect(err({ security: { runAsUser: 0 } })).toThrow('[test] server.security.runAsUser: given 0'));
    test('root allowed under baseline', () => expect(err({ security: { runAsUser: 0, level: PodSecurityLevel.BASELINE } })).not.toThrow());
  });
});

describe('pickModelServerOptions', () => {
  test('copies exactly the shared ModelServerOptions fields, nothing else', () => {
    const picked = pickModelServerOptions(base({
      cpu: Cpu.cores(8),
      priorityClassName: 'inference',
      containerName: 'engine',
      offline: true,
    }));
    expect(Object.keys(picked).sort()).toEqual([
      'allowLatestImage', 'cpu', 'emptyDirModelCacheSize', 'env', 'extraArgs', 'hfTokenSecret', 'image', 'maxModelLoadTime', 'memory', 'model',
      'preStopDelay', 'priorityClassName', 'schedulerName', 'security', 'shmSize', 'shutdownTimeout',
      'tensorParallelSize', 'terminationGracePeriod',
    ]);
    expect(picked.image).toBe('vllm/vllm-openai:v0.18.0');
    expect(picked.cpu!.text).toBe('8');
    expect(picked.priorityClassName).toBe('inference');
    expect(picked).not.toHaveProperty('engine');
    expect(picked).not.toHaveProperty('labels');
    expect(picked).not.toHaveProperty('containerName');
  });
});
