import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { Cpu, GpuResource, ITenant, Memory, NodePlacement, TenantQuotaView, TenantUsage } from '../../lib/core';
import { applyPlacement, checkFitsTenant, gpuQuotaFor, PodPart, podDemand, TenantBinding, TenantLimitsView } from '../../lib/core/tenant';
import { k8s } from '../../lib/core/k8s';
import { synth } from '../harness';

class FakeTenant extends Construct implements ITenant {
  public readonly tenantName = 'team-a';
  public readonly namespaceName = 'team-a';
  public readonly placement: NodePlacement = {};
  constructor(scope: Construct, id: string, public readonly quota: TenantQuotaView) {
    super(scope, id);
  }
}

const quota: TenantQuotaView = {
  cpuRequests: Cpu.cores(8), cpuLimits: Cpu.cores(16), memoryRequests: Memory.gibibytes(32), memoryLimits: Memory.gibibytes(64),
  gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 4 }, { resource: GpuResource.mig('1g.10gb'), count: 2 }, { resource: GpuResource.NVIDIA_GPU, count: 2 }],
};

function check(usage: TenantUsage, q: TenantQuotaView = quota): () => any[] {
  const chart = new Chart(Testing.app(), 'chart');
  const tenant = new FakeTenant(chart, 'tenant', q);
  const workload = new Construct(chart, 'llm');
  checkFitsTenant(workload, tenant, () => usage);
  return () => synth(chart);
}

describe('gpuQuotaFor', () => {
  test('sums the entries for a resource, 0 when there are none', () => {
    expect(gpuQuotaFor(quota, GpuResource.NVIDIA_GPU)).toBe(6);
    expect(gpuQuotaFor(quota, GpuResource.mig('1g.10gb'))).toBe(2);
    expect(gpuQuotaFor(quota, GpuResource.mig('3g.40gb'))).toBe(0);
    expect(gpuQuotaFor({}, GpuResource.NVIDIA_GPU)).toBe(0);
  });
});

describe('checkFitsTenant', () => {
  test('a workload within the quota passes', () => {
    expect(check({ description: '2 replicas', gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 6 }], cpuRequests: 8, memoryLimits: 64 * 2 ** 30 })()).toEqual([]);
  });

  test('too many GPUs names the path, the usage and the quota key', () => {
    expect(check({ description: '3 replicas x 4 GPUs', gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 12 }] })).toThrow(
      '[chart/llm] tenant: given "12 x nvidia.com/gpu (3 replicas x 4 GPUs)"; allowed: at most 6 under tenant "team-a" quota requests.nvidia.com/gpu');
  });

  test('a GPU resource the tenant has no quota for allows 0', () => {
    expect(check({ description: 'x', gpus: [{ resource: GpuResource.mig('3g.40gb'), count: 1 }] })).toThrow(
      'allowed: at most 0 under tenant "team-a" quota requests.nvidia.com/mig-3g.40gb');
  });

  test('cpu and memory over the quota are each reported', () => {
    const run = check({ description: 'peak', cpuRequests: 9, cpuLimits: 17, memoryRequests: 33 * 2 ** 30, memoryLimits: 65 * 2 ** 30 });
    expect(run).toThrow('[chart/llm] tenant: given "9 cores of requests.cpu (peak)"; allowed: at most 8 cores under tenant "team-a" quota');
    expect(run).toThrow('[chart/llm] tenant: given "17 cores of limits.cpu (peak)"');
    expect(run).toThrow('[chart/llm] tenant: given "33.00Gi of requests.memory (peak)"; allowed: at most 32.00Gi under tenant "team-a" quota');
    expect(run).toThrow('[chart/llm] tenant: given "65.00Gi of limits.memory (peak)"');
  });

  test('no cpu/memory quota means no cpu/memory limit', () => {
    expect(check({ description: 'x', cpuRequests: 1000, memoryLimits: 2 ** 50 }, {})()).toEqual([]);
  });

  test('the check runs at synth, so usage added after construction counts', () => {
    const chart = new Chart(Testing.app(), 'chart');
    const tenant = new FakeTenant(chart, 'tenant', quota);
    const workload = new Construct(chart, 'llm');
    const usage = { description: 'late', gpus: [] as any[] };
    checkFitsTenant(workload, tenant, () => usage);
    usage.gpus.push({ resource: GpuResource.NVIDIA_GPU, count: 7 });
    expect(() => synth(chart)).toThrow('given "7 x nvidia.com/gpu (late)"');
  });
});

describe('applyPlacement', () => {
  const spec: k8s.PodSpec = {
    containers: [{ name: 'c', image: 'i' }],
    nodeSelector: { zone: 'a' },
    tolerations: [{ key: 'existing', operator: 'Exists' }],
  };

  test('no placement returns the spec unchanged', () => {
    expect(applyPlacement(spec, undefined)).toBe(spec);
  });

  test('merges node selector and tolerations, adds preferred node affinity', () => {
    const placed = applyPlacement(spec, {
      nodeSelector: { pool: 'gpu' },
      tolerations: [{ key: 'gpu-platform.dev/tenant', operator: 'Equal', value: 'team-a', effect: 'NoSchedule' }],
      preferredNodeLabels: { 'nvidia.com/gpu.product': 'H100' },
    });
    expect(placed.nodeSelector).toEqual({ zone: 'a', pool: 'gpu' });
    expect(placed.tolerations).toEqual([{ key: 'existing', operator: 'Exists' }, { key: 'gpu-platform.dev/tenant', operator: 'Equal', value: 'team-a', effect: 'NoSchedule' }]);
    expect(placed.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution).toEqual([
      { weight: 100, preference: { matchExpressions: [{ key: 'nvidia.com/gpu.product', operator: 'In', values: ['H100'] }] } },
    ]);
    expect(placed.containers).toBe(spec.containers);
    expect(spec.nodeSelector).toEqual({ zone: 'a' }); // the input is not mutated
  });

  test('keeps existing affinity and leaves empty fields unset', () => {
    const withAffinity: k8s.PodSpec = {
      containers: [],
      affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'a', operator: 'Exists' }] } }] } },
    };
    const placed = applyPlacement(withAffinity, { preferredNodeLabels: { pool: 'gpu' } });
    expect(placed.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(2);
    const empty = applyPlacement({ containers: [] }, {});
    expect(empty.nodeSelector).toBeUndefined();
    expect(empty.tolerations).toBeUndefined();
    expect(empty.affinity).toBeUndefined();
  });

  test('a placed pod synthesizes cleanly', () => {
    const chart = new Chart(Testing.app(), 'chart');
    new k8s.KubePod(chart, 'p', { metadata: { name: 'p', namespace: 'team-a' }, spec: applyPlacement({ containers: [{ name: 'c', image: 'i' }] }, { nodeSelector: { pool: 'gpu' } }) });
    expect(synth(chart)[0].spec).toEqual({ containers: [{ name: 'c', image: 'i' }], nodeSelector: { pool: 'gpu' } });
  });
});

describe('tenant total: workloads that fit alone but not together', () => {
  function tenantWith(usages: TenantUsage[], q: TenantQuotaView = quota): { chart: Chart; workloads: Construct[] } {
    const chart = new Chart(Testing.app(), 'chart');
    const tenant = new FakeTenant(chart, 'tenant', q);
    const workloads = usages.map((u, i) => {
      const w = new Construct(chart, `w${i}`);
      checkFitsTenant(w, tenant, () => u);
      return w;
    });
    return { chart, workloads };
  }

  test('GPUs: the tenant reports the sum, with each workload\'s share', () => {
    const { chart } = tenantWith([
      { description: 'a', gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 4 }] },
      { description: 'b', gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 3 }] },
    ]);
    expect(() => synth(chart)).toThrow('[chart/tenant] quota: given "7 x nvidia.com/gpu for its workloads together at their peaks (chart/w0: 4, chart/w1: 3)"; '
      + 'allowed: at most 6 under tenant "team-a" quota requests.nvidia.com/gpu; each workload fits alone, so lower their peaks or raise the quota');
  });

  test('CPU and memory are summed too; a total within the quota passes', () => {
    const { chart } = tenantWith([
      { description: 'a', cpuRequests: 5, memoryRequests: 10 * 2 ** 30 },
      { description: 'b', cpuRequests: 4, memoryRequests: 10 * 2 ** 30 },
    ]);
    expect(() => synth(chart)).toThrow(/\[chart\/tenant\] quota: given "9 cores of requests.cpu for its workloads together at their peaks \(chart\/w0: 5 cores, chart\/w1: 4 cores\)"/);
    const fits = tenantWith([{ description: 'a', cpuRequests: 4 }, { description: 'b', cpuRequests: 4, gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 6 }] }]);
    expect(() => synth(fits.chart)).not.toThrow();
  });

  test('a workload over the quota alone is reported by its own rule only', () => {
    const { chart } = tenantWith([
      { description: 'a', gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 8 }] },
      { description: 'b', gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 1 }] },
    ]);
    let message = '';
    try { synth(chart); } catch (e) { message = (e as Error).message; }
    expect(message).toContain('[chart/w0] tenant: given "8 x nvidia.com/gpu (a)"');
    expect(message).not.toContain('quota: given');
  });

  test('a workload covered by another (a Rollout\'s workloadRef Deployment) is counted once', () => {
    const chart = new Chart(Testing.app(), 'chart');
    const tenant = new FakeTenant(chart, 'tenant', quota);
    const service = new Construct(chart, 'service');
    const deployment = new Construct(service, 'deployment');
    checkFitsTenant(service, tenant, () => ({ description: 'service', gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 4 }] }));
    const rollout = new Construct(chart, 'rollout');
    checkFitsTenant(rollout, tenant, () => ({ description: 'rollout', gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 6 }] }), { covers: () => [deployment] });
    expect(() => synth(chart)).not.toThrow();
  });
});

describe('podDemand: the one pod-demand calculator', () => {
  test('containers summed, init containers as the max, a missing request is the limit, GPUs the max of request and limit', () => {
    const d = podDemand({
      containers: [
        { name: 'a', resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi', 'nvidia.com/gpu': 2 } } },
        { name: 'b', resources: { limits: { cpu: '2', memory: '4Gi' } } },
      ],
      initContainers: [{ name: 'i', resources: { limits: { cpu: '8', memory: '1Gi' } } }],
    });
    expect(d).toEqual({ gpus: { 'nvidia.com/gpu': 2 }, cpuRequests: 8, cpuLimits: 8, memoryRequests: 5 * 2 ** 30, memoryLimits: 6 * 2 ** 30 });
  });
  test('extra GPU resource names count too', () => {
    expect(podDemand({ containers: [{ resources: { limits: { 'habana.ai/gaudi': 1 } } }] }, ['habana.ai/gaudi']).gpus).toEqual({ 'habana.ai/gaudi': 1 });
  });
});

describe('TenantBinding', () => {
  const tenant = () => new FakeTenant(new Chart(Testing.app(), 'c'), 'tenant', quota);
  test('the namespace comes from the tenant, or is given', () => {
    const t = tenant();
    expect(TenantBinding.bind(new Construct(t.node.scope!, 'w'), { tenant: t }).namespace).toBe('team-a');
    expect(TenantBinding.bind(new Construct(t.node.scope!, 'v'), { namespace: 'apps' }).namespace).toBe('apps');
  });
  test('never a silent "default": no namespace and no tenant is an error', () => {
    expect(() => TenantBinding.bind(new Construct(new Chart(Testing.app(), 'c'), 'w'), {}))
      .toThrow('[c/w] namespace: given undefined; allowed: a namespace, or a tenant to take it from');
  });
  test('a namespace other than the tenant\'s is an error', () => {
    const t = tenant();
    expect(() => TenantBinding.bind(new Construct(t.node.scope!, 'w'), { tenant: t, namespace: 'other' }))
      .toThrow('[c/w] namespace: given "other"; allowed: the tenant\'s namespace "team-a" (or leave namespace out)');
  });
  test('a tenant label other than the tenant\'s name is an error', () => {
    const t = tenant();
    expect(() => TenantBinding.bind(new Construct(t.node.scope!, 'w'), { tenant: t, tenantLabel: 'team-b' }))
      .toThrow('[c/w] identity.tenant: given "team-b"; allowed: the tenant\'s name "team-a" (or leave it out)');
  });
});

describe('LimitRange admission at synth', () => {
  class LimitedTenant extends FakeTenant {
    public readonly limits: TenantLimitsView = {
      defaultCpuLimit: Cpu.cores(1), defaultCpuRequest: Cpu.millis(100), defaultMemoryLimit: Memory.mebibytes(512), defaultMemoryRequest: Memory.mebibytes(128),
      minCpu: Cpu.millis(100), maxMemory: Memory.gibibytes(32), podMaxCpu: Cpu.cores(8),
      maxGpusPerContainer: [{ resource: GpuResource.NVIDIA_GPU, count: 2 }],
    };
  }
  const big: TenantQuotaView = { gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 64 }] };
  function admit(spec: any, resourceProps?: PodPart['resourceProps']): () => any[] {
    const chart = new Chart(Testing.app(), 'chart');
    const tenant = new LimitedTenant(chart, 'tenant', big);
    const workload = new Construct(chart, 'llm');
    TenantBinding.bind(workload, { tenant }).checkPods(() => ({ description: '1 pod', parts: [{ pods: 1, spec, prop: 'template', resourceProps }] }));
    return () => synth(chart);
  }
  const c = (name: string, requests: any, limits: any) => ({ name, image: 'x', resources: { requests, limits } });

  test('a pod within the limits, defaults filling what it leaves out, passes', () => {
    expect(admit({ containers: [c('server', { cpu: '2' }, { cpu: '4', memory: '16Gi', 'nvidia.com/gpu': 2 }), { name: 'side', image: 'y' }] })()).toHaveLength(0);
  });
  test('a GPU limit above the per-container max names the prop the user set and the tenant limit', () => {
    expect(admit({ containers: [c('server', {}, { 'nvidia.com/gpu': 4 })] }, { server: { gpu: 'gpu.count' } }))
      .toThrow('[chart/llm] gpu.count: given "4 x nvidia.com/gpu"; allowed: at most 2 per container, quota.gpus maxPerContainer (tenant "team-a" LimitRange); the API server would reject the pod');
  });
  test('memory above the max', () => {
    expect(admit({ containers: [c('server', {}, { memory: '64Gi' })] }, { server: { memory: 'memory' } }))
      .toThrow('[chart/llm] memory: given "64Gi memory limit"; allowed: at most 32Gi, the per-container maximum containerLimits.maxMemory (tenant "team-a" LimitRange)');
  });
  test('CPU below the min, in a container of a template (named by the prop and the container)', () => {
    expect(admit({ containers: [c('app', { cpu: '50m' }, { cpu: '1' })] }))
      .toThrow('[chart/llm] template (container app): given "50m cpu request"; allowed: at least 100m, the per-container minimum containerLimits.minCpu');
  });
  test('a request above the default limit a container without a limit gets', () => {
    expect(admit({ containers: [c('app', { memory: '1Gi' }, {})] }))
      .toThrow('template (container app): given "1Gi memory request"; allowed: at most the memory limit the LimitRange gives containers without one (0.5Gi)');
  });
  test('the pod maximum caps the sum of the limits', () => {
    expect(admit({ containers: [c('a', {}, { cpu: '6' }), c('b', {}, { cpu: '4' })] }))
      .toThrow('[chart/llm] template: given "10 cpu limits summed over the pod"; allowed: at most 8 per pod, podLimits.maxCpu');
  });
});
