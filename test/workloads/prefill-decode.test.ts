import { Chart, Testing } from 'cdk8s';
import { GpuResource } from '../../lib/core/gpu';
import { PodSecurityLevel } from '../../lib/core/security';
import { ServingEngine } from '../../lib/serving/engine';
import { TenantNamespace } from '../../lib/tenancy';
import { KvTransfer, PrefillDecodeProps, RbgMode, RoleBasedGroup } from '../../lib/workloads';
import { synthValid } from '../harness';

const SGLANG: PrefillDecodeProps = {
  name: 'pd',
  namespace: 'llm',
  engine: ServingEngine.sglang(),
  image: 'lmsysorg/sglang:v0.5.3.post3',
  routerImage: 'lmsysorg/sglang-router:v0.2.2',
  model: 'Qwen/Qwen3-8B',
  prefill: { gpu: { count: 1 } },
  decode: { gpu: { count: 1 } },
};

function chart(): Chart {
  return new Chart(Testing.app(), 'test');
}

const container = (manifests: any[], name: string) => manifests.find((m) => m.metadata?.name === name && m.spec?.template).spec.template.spec.containers[0];

describe('prefill/decode preset', () => {
  test('default KV transfer is NIXL: no RDMA device, no added capability, restricted', () => {
    const c = chart();
    RoleBasedGroup.prefillDecode(c, 'pd', { ...SGLANG, mode: RbgMode.NATIVE });
    const m = synthValid(c);
    for (const role of ['pd-prefill', 'pd-decode']) {
      const ctr = container(m, role);
      expect(ctr.args).toEqual(expect.arrayContaining(['--disaggregation-transfer-backend', 'nixl']));
      expect(ctr.securityContext.capabilities).toEqual({ drop: ['ALL'] });
      expect(Object.keys(ctr.resources.limits).sort()).toEqual(['cpu', 'ephemeral-storage', 'memory', 'nvidia.com/gpu']);
    }
    expect(container(m, 'pd-prefill').args).toEqual(expect.arrayContaining(['--disaggregation-bootstrap-port', '8998']));
  });

  test('NIXL over RDMA / Mooncake: RDMA device resource, IPC_LOCK, ib device, with the privileged opt-in', () => {
    const c = chart();
    const ns = new TenantNamespace(c, 'ns', { name: 'llm', podSecurity: { enforce: PodSecurityLevel.PRIVILEGED }, quota: { gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 8 }] } });
    RoleBasedGroup.prefillDecode(c, 'pd', {
      ...SGLANG, namespace: undefined, tenant: ns, mode: RbgMode.NATIVE, security: { level: PodSecurityLevel.PRIVILEGED },
      kvTransfer: KvTransfer.mooncake({ resourceName: 'rdma/hca', ibDevice: 'mlx5_0' }),
    });
    const m = synthValid(c);
    for (const role of ['pd-prefill', 'pd-decode']) {
      const ctr = container(m, role);
      expect(ctr.args).toEqual(expect.arrayContaining(['--disaggregation-transfer-backend', 'mooncake', '--disaggregation-ib-device', 'mlx5_0']));
      expect(ctr.securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['IPC_LOCK'] });
      expect(ctr.resources.limits['rdma/hca']).toBe(1);
      expect(ctr.resources.requests['rdma/hca']).toBe(1);
    }
    // The router needs none of it.
    expect(container(m, 'pd-router').resources.limits['rdma/hca']).toBeUndefined();
    const nixl = RoleBasedGroup.prefillDecode(chart(), 'pd', {
      ...SGLANG, security: { level: PodSecurityLevel.PRIVILEGED }, kvTransfer: KvTransfer.nixl({ rdma: { resourceName: 'rdma/rdma_shared_device_a' } }),
    });
    expect(nixl).toBeDefined();
  });

  test('vLLM: NixlConnector on both sides', () => {
    const c = chart();
    RoleBasedGroup.prefillDecode(c, 'pd', { ...SGLANG, engine: ServingEngine.vllm(), image: 'vllm/vllm-openai:v0.18.0', routerImage: 'ghcr.io/vllm-project/router:v0.1.0', mode: RbgMode.NATIVE });
    const m = synthValid(c);
    expect(container(m, 'pd-prefill').args).toEqual(expect.arrayContaining(['--kv-transfer-config', '{"kv_connector":"NixlConnector","kv_role":"kv_both"}']));
  });

  test('router: CPU only, off the tenant GPU pool, loads no model, metrics port published and scraped', () => {
    const c = chart();
    const ns = new TenantNamespace(c, 'ns', {
      name: 'llm',
      quota: { gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 8 }] },
      nodePool: { nodeLabel: { key: 'pool', value: 'gpu' }, taint: { key: 'nvidia.com/gpu', value: 'present' } },
    });
    const g = RoleBasedGroup.prefillDecode(c, 'pd', { ...SGLANG, namespace: undefined, tenant: ns, mode: RbgMode.NATIVE, podMonitor: { labels: { release: 'prometheus' } } });
    const m = synthValid(c);
    const router = m.find((x) => x.kind === 'Deployment' && x.metadata.name === 'pd-router').spec.template.spec;
    expect(router.nodeSelector).toBeUndefined();
    expect(router.tolerations).toBeUndefined();
    expect(router.containers[0].env.map((e: any) => e.name)).not.toContain('HF_HOME');
    expect(router.containers[0].ports.map((p: any) => p.name)).toEqual(['http', 'metrics']);
    const prefill = m.find((x) => x.kind === 'StatefulSet' && x.metadata.name === 'pd-prefill').spec.template.spec;
    expect(prefill.nodeSelector).toEqual({ pool: 'gpu' });
    // GPU toleration (Exists) covers the pool's Equal one: listed once.
    expect(prefill.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    const monitors = m.filter((x) => x.kind === 'PodMonitor');
    expect(monitors.map((x) => [x.metadata.name, x.spec.podMetricsEndpoints[0].port])).toEqual([['pd-engines', 'http'], ['pd-router', 'metrics']]);
    expect(monitors[1].spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/instance': 'pd' }, matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In', values: ['router'] }] });
    expect(g.podMonitors).toHaveLength(2);
  });

  describe('errors', () => {
    test('RDMA without the privileged opt-in says how to opt in', () => {
      expect(() => RoleBasedGroup.prefillDecode(chart(), 'pd', { ...SGLANG, kvTransfer: KvTransfer.mooncake({ resourceName: 'rdma/hca' }) })).toThrow(
        '[test/pd] security.level: given "restricted"; allowed: "privileged" for KV transfer over RDMA (mooncake needs IPC_LOCK, which restricted and baseline forbid): an explicit opt-in: security: { level: PodSecurityLevel.PRIVILEGED } on the group and podSecurity: { enforce: PodSecurityLevel.PRIVILEGED } on its TenantNamespace');
    });
    test('RDMA in a tenant that does not enforce privileged', () => {
      const c = chart();
      const ns = new TenantNamespace(c, 'ns', { name: 'llm' });
      expect(() => RoleBasedGroup.prefillDecode(c, 'pd', {
        ...SGLANG, namespace: undefined, tenant: ns, security: { level: PodSecurityLevel.PRIVILEGED }, kvTransfer: KvTransfer.nixl({ rdma: { resourceName: 'rdma/hca' } }),
      })).toThrow('[test/pd] tenant: given "llm (Pod Security enforce \\"restricted\\")"; allowed: a tenant whose namespace enforces "privileged"');
    });
    test('Mooncake with vLLM', () => {
      expect(() => RoleBasedGroup.prefillDecode(chart(), 'pd', {
        ...SGLANG, engine: ServingEngine.vllm(), image: 'vllm/vllm-openai:v0.18.0', kvTransfer: KvTransfer.mooncake({ resourceName: 'rdma/hca' }),
      })).toThrow('[test/pd] kvTransfer: given "KvTransfer.mooncake()"; allowed: KvTransfer.nixl() with vLLM');
    });
    test('bad RDMA resource name', () => {
      expect(() => RoleBasedGroup.prefillDecode(chart(), 'pd', {
        ...SGLANG, security: { level: PodSecurityLevel.PRIVILEGED }, kvTransfer: KvTransfer.mooncake({ resourceName: 'hca' }),
      })).toThrow('[test/pd] kvTransfer.rdma.resourceName: given "hca"; allowed: an extended resource name such as "rdma/hca"');
    });
    test('bad InfiniBand device', () => {
      expect(() => RoleBasedGroup.prefillDecode(chart(), 'pd', {
        ...SGLANG, security: { level: PodSecurityLevel.PRIVILEGED }, kvTransfer: KvTransfer.mooncake({ resourceName: 'rdma/hca', ibDevice: 'mlx5 0' }),
      })).toThrow('[test/pd] kvTransfer.rdma.ibDevice: given "mlx5 0"');
    });
    test('a capability restricted forbids, added to a model-server pod', () => {
      const { buildModelServerPod } = require('../../lib/serving/model-server-pod');
      expect(() => buildModelServerPod(chart(), 's', {
        image: 'vllm/vllm-openai:v0.18.0', model: 'm', engine: ServingEngine.vllm(), labels: { a: 'b' }, addCapabilities: ['IPC_LOCK'],
      })).toThrow('[test] s.addCapabilities[0]: given "IPC_LOCK"; allowed: a capability Pod Security "restricted" allows (NET_BIND_SERVICE); IPC_LOCK needs an explicit opt-in');
    });
  });
});
