import { Chart, Testing } from 'cdk8s';
import { k8s } from '../../lib/core/k8s';
import { Storage } from '../../lib/core/quantity';
import { PodSecurityLevel } from '../../lib/core/security';
import { MultiNodeRole, ServingEngine } from '../../lib/serving/engine';
import { buildModelServerPod, ModelServerPodProps } from '../../lib/serving/model-server-pod';
import { HOME_DIR } from '../../lib/serving/runtime-contract';
import { synthValid } from '../harness';

const LABELS = { 'app.kubernetes.io/name': 'llm', 'app.kubernetes.io/instance': 'llm' };

function props(overrides: Partial<ModelServerPodProps>): ModelServerPodProps {
  return { image: 'vllm/vllm-openai:v0.18.0', model: 'Qwen/Qwen3-8B', engine: ServingEngine.vllm(), labels: LABELS, gpu: { count: 1 }, ...overrides };
}

function build(overrides: Partial<ModelServerPodProps>) {
  const c = new Chart(Testing.app(), 'test');
  const pod = buildModelServerPod(c, 'server', props(overrides));
  new k8s.KubeDeployment(c, 'd', { metadata: { name: 'llm', namespace: 'ml' }, spec: { selector: { matchLabels: LABELS }, template: pod.template } });
  const [d] = synthValid(c);
  return { pod, manifest: d.spec.template.spec };
}

const env = (spec: any): { [k: string]: string } => Object.fromEntries(spec.containers[0].env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
const dirs = (spec: any): { [k: string]: string } => Object.fromEntries(spec.volumes.filter((v: any) => v.emptyDir).map((v: any) => [v.name, v.emptyDir.sizeLimit]));
const mounts = (spec: any): string[] => spec.containers[0].volumeMounts.map((m: any) => m.mountPath);
const MiB = (q: string) => Number(/^(\d+)Mi$/.exec(q)![1]);

/** Every contract: non-root UID without passwd entry works, every written path is a bounded emptyDir, requested as ephemeral-storage. */
function expectContract(spec: any, expectedDirs: { [k: string]: string }) {
  const e = env(spec);
  // getpass.getuser() reads USER/LOGNAME before pwd.getpwuid(), which fails for a UID without a passwd entry.
  expect(e.HOME).toBe(HOME_DIR);
  expect(e.USER).toBe('serving');
  expect(e.LOGNAME).toBe('serving');
  expect(dirs(spec)).toMatchObject(expectedDirs);
  for (const v of spec.volumes.filter((x: any) => x.emptyDir)) expect(v.emptyDir.sizeLimit).toBeDefined();
  const c = spec.containers[0];
  expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
  // The request covers every disk-backed emptyDir plus 1Gi for logs; request = limit.
  const diskMiB = spec.volumes.filter((v: any) => v.emptyDir && v.emptyDir.medium !== 'Memory')
    .reduce((a: number, v: any) => a + Storage.parse(v.emptyDir.sizeLimit).bytes / 2 ** 20, 0);
  expect(MiB(c.resources.requests['ephemeral-storage'])).toBe(diskMiB + 1024);
  expect(c.resources.limits['ephemeral-storage']).toBe(c.resources.requests['ephemeral-storage']);
}

describe('engine runtime contracts', () => {
  test('vLLM: getpass env, torch/triton/vLLM caches under a bounded HOME, model download dir, Ray script through bash', () => {
    const { manifest } = build({});
    expectContract(manifest, { 'tmp': '8Gi', 'home': '16Gi', 'model-download': '64Gi' });
    const e = env(manifest);
    expect(e.TORCHINDUCTOR_CACHE_DIR).toBe(`${HOME_DIR}/.cache/torchinductor`);
    expect(e.XDG_CACHE_HOME).toBe(`${HOME_DIR}/.cache`);
    expect(e.TRITON_CACHE_DIR).toBe(`${HOME_DIR}/.triton/cache`);
    expect(e.HF_HOME).toBe('/var/cache/models');
    expect(manifest.containers[0].command).toEqual(['vllm', 'serve']);
    expect(ServingEngine.vllm()._runtime().sources.join(' ')).toContain('vllm-project/vllm docker/Dockerfile');
    const leader = buildModelServerPod(new Chart(Testing.app(), 't'), '', props({ multiNode: { role: MultiNodeRole.LEADER, nodes: 2 } }));
    expect(leader.container.args![0]).toMatch(/^bash \/vllm-workspace\/examples\/online_serving\/multi-node-serving.sh leader /);
    const worker = buildModelServerPod(new Chart(Testing.app(), 't'), '', props({ multiNode: { role: MultiNodeRole.WORKER, nodes: 2 } }));
    expect(worker.container.args![0]).toMatch(/^bash \/vllm-workspace\/examples\/online_serving\/multi-node-serving.sh worker /);
  });

  test('vLLM with a model cache volume: no download dir, HF_HOME on the cache, smaller ephemeral request', () => {
    const { manifest, pod } = build({ modelCache: { claimName: 'cache' } });
    expect(dirs(manifest)['model-download']).toBeUndefined();
    expect(env(manifest).HF_HOME).toBe('/models');
    expect(pod.ephemeralStorage.text).toBe(`${(8 + 16 + 1) * 1024}Mi`);
  });

  test('a writable model cache volume is checked at pod start (RWX volumes may ignore fsGroup); read-only or none: no check', () => {
    const { manifest } = build({ modelCache: { claimName: 'cache' } });
    const init = manifest.initContainers[0];
    expect(init.name).toBe('check-model-cache');
    expect(init.command[2]).toContain('touch "$f"');
    expect(init.command[2]).toContain('$$(id -u)');
    expect(init.command[2]).toContain('model cache /models is not writable');
    expect(init.securityContext).toEqual(manifest.containers[0].securityContext);
    expect(init.volumeMounts).toEqual([{ name: 'model-cache', mountPath: '/models' }]);
    expect(build({ modelCache: { claimName: 'cache', readOnly: true } }).manifest.initContainers).toBeUndefined();
    expect(build({}).manifest.initContainers).toBeUndefined();
  });

  test('emptyDirModelCacheSize sizes the download dir', () => {
    const { manifest } = build({ emptyDirModelCacheSize: Storage.gibibytes(200) });
    expect(dirs(manifest)['model-download']).toBe('200Gi');
  });

  test('SGLang: getpass env, flashinfer workspace under HOME, bounded caches with an ephemeral-storage request', () => {
    const { manifest } = build({ engine: ServingEngine.sglang(), image: 'lmsysorg/sglang:v0.5.3.post3' });
    expectContract(manifest, { 'tmp': '8Gi', 'home': '16Gi', 'model-download': '64Gi' });
    expect(env(manifest).FLASHINFER_WORKSPACE_BASE).toBe(HOME_DIR);
    expect(env(manifest).TORCHINDUCTOR_CACHE_DIR).toBe(`${HOME_DIR}/.cache/torchinductor`);
  });

  test('TGI: the stock image runs only as UID 0 (Python under /root); a non-root rebuild is an explicit option', () => {
    expect(() => build({ engine: ServingEngine.tgi(), image: 'ghcr.io/huggingface/text-generation-inference:3.3.7' })).toThrow(
      /\[test\] server.security.runAsUser: given 1000; allowed: 0 with security.level PodSecurityLevel.BASELINE .*\/root\/.local\/share\/uv\/python/);
    // As root (baseline): the harness would check restricted without a baseline Namespace, so read the pod directly.
    const root = buildModelServerPod(new Chart(Testing.app(), 't'), '', props({
      engine: ServingEngine.tgi(), image: 'ghcr.io/huggingface/text-generation-inference:3.3.7', security: { level: PodSecurityLevel.BASELINE, runAsUser: 0 },
    }));
    expect(root.container.command).toBeUndefined();
    expect(root.container.args).toEqual(expect.arrayContaining(['--port', '8080', '--graceful-termination-timeout', '45']));
    const { manifest } = build({ engine: ServingEngine.tgi({ nonRootImage: true }), image: 'registry.example.com/tgi-nonroot:3.3.7' });
    expectContract(manifest, { 'tmp': '4Gi', 'home': '8Gi', 'model-download': '64Gi' });
    expect(manifest.securityContext.runAsUser).toBe(1000);
  });

  test('SGLang router: loads no model (no HF env, no download dir), small bounded dirs, metrics on its own port', () => {
    const engine = ServingEngine._sglangRouter(8000, 29000, ['--pd-disaggregation']);
    const { manifest } = build({ engine, image: 'lmsysorg/sglang-router:v0.2.2', gpu: undefined });
    expectContract(manifest, { tmp: '256Mi', home: '256Mi' });
    const e = env(manifest);
    expect(e.HF_HOME).toBeUndefined();
    expect(dirs(manifest)['model-download']).toBeUndefined();
    expect(manifest.containers[0].command).toEqual(['python3', '-m', 'sglang_router.launch_router']);
    expect(manifest.containers[0].ports).toEqual([{ name: 'http', containerPort: 8000, protocol: 'TCP' }, { name: 'metrics', containerPort: 29000, protocol: 'TCP' }]);
  });

  test('generic: the model must be passed, or the server declared model-free', () => {
    expect(() => build({ engine: ServingEngine.generic({ name: 'custom', port: 8080 }), image: 'example.com/srv:1.0' })).toThrow(
      '[test] server.engine: given "ServingEngine.generic({ name: \\"custom\\" }) whose command and args never use {model}"; allowed: args that pass the model');
    const ok = build({ engine: ServingEngine.generic({ name: 'custom', port: 8080, args: ['--model', '{model}'] }), image: 'example.com/srv:1.0' });
    expectContract(ok.manifest, { 'tmp': '2Gi', 'home': '4Gi', 'model-download': '64Gi' });
    expect(ok.manifest.containers[0].args).toEqual(['--model', 'Qwen/Qwen3-8B']);
    const proxy = build({ engine: ServingEngine.generic({ name: 'proxy', port: 8080, loadsModel: false }), image: 'example.com/proxy:1.0', gpu: undefined });
    expect(env(proxy.manifest).HF_HOME).toBeUndefined();
  });

  test('every mount is a volume the pod declares (nothing writes the read-only root)', () => {
    const { manifest } = build({});
    expect(mounts(manifest)).toEqual(['/tmp', HOME_DIR, '/var/cache/models', '/dev/shm']);
  });
});
