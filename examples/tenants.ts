import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Cpu, GpuResource, Memory, Storage } from '../lib/core';
import { TenantNamespace, TenantSubject } from '../lib/tenancy';

/** The example tenants, for the other examples to place their workloads in. */
export interface ExampleTenants {
  /** `ml-team`: 4 whole GPUs on a dedicated, tainted GPU pool. */
  readonly gpu: TenantNamespace;
  /** `web-team`: CPU only. */
  readonly cpu: TenantNamespace;
  /**
   * `llm-serving`: 48 whole GPUs on an H100 pool, for multi-node and prefill/decode serving. Sized for
   * everything it runs at peak at once: llama-70b 16 + qwen-32b 8 + one canary pod 2 + both prefill/decode
   * groups 12 = 38. (Each workload also checks its own peak against the quota at synth time.)
   */
  readonly gpuLarge: TenantNamespace;
}

/** Where the shared platform components run, so tenants can admit their traffic. */
const INGRESS_NAMESPACE = 'ingress-nginx';
/** The shared Gateway's namespace (its data plane runs there); change it here for your cluster. */
export const GATEWAY_NAMESPACE = 'gateway-system';
const MONITORING_NAMESPACE = 'monitoring';

/** Builds one chart per tenant under `scope` (`tenant-ml-team`, `tenant-web-team`). */
export function buildTenants(scope: Construct): ExampleTenants {
  const gpuChart = new Chart(scope, 'tenant-ml-team');
  const gpu = new TenantNamespace(gpuChart, 'ml-team', {
    name: 'ml-team',
    labels: { 'team': 'ml', 'cost-center': 'research' },
    annotations: { 'gpu-platform.dev/owner': 'ml-platform@example.com' },
    quota: {
      cpuRequests: Cpu.cores(64),
      cpuLimits: Cpu.cores(128),
      memoryRequests: Memory.gibibytes(512),
      memoryLimits: Memory.gibibytes(768),
      gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 4, maxPerContainer: 4 }],
      pods: 100,
      services: 20,
      secrets: 50,
      configMaps: 50,
      persistentVolumeClaims: 20,
      storageRequests: Storage.tebibytes(2),
      storageClasses: [{ storageClassName: 'fast-ssd', storageRequests: Storage.tebibytes(1), persistentVolumeClaims: 10 }],
    },
    containerLimits: {
      defaultCpuLimit: Cpu.cores(2),
      defaultCpuRequest: Cpu.millis(250),
      defaultMemoryLimit: Memory.gibibytes(4),
      defaultMemoryRequest: Memory.gibibytes(1),
      maxMemory: Memory.gibibytes(256),
    },
    pvcLimits: { minStorage: Storage.gibibytes(1), maxStorage: Storage.gibibytes(500) },
    network: {
      ingressFrom: [
        { namespace: INGRESS_NAMESPACE, ports: [8000, 8080], podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
        { namespace: GATEWAY_NAMESPACE, ports: [8000, 8080] },
        // Prometheus scrapes the model servers' metrics ports.
        { namespace: MONITORING_NAMESPACE, ports: [8000, 8080, 9090], podLabels: { 'app.kubernetes.io/name': 'prometheus' } },
        // The web tenant calls the inference endpoints directly (it also allows this egress on its side).
        { namespace: 'web-team', ports: [8000, 8080] },
      ],
      // Model downloads (Hugging Face, object stores) over HTTPS only.
      internetEgress: { ports: [443] },
    },
    admins: [TenantSubject.group('ml-team-admins')],
    developers: [TenantSubject.group('ml-team-developers')],
    viewers: [TenantSubject.group('ml-team-viewers')],
    nodePool: {
      nodeLabel: { key: 'gpu-platform.dev/pool', value: 'gpu-a100' },
      taint: { key: 'nvidia.com/gpu', value: 'present' },
    },
  });

  const cpuChart = new Chart(scope, 'tenant-web-team');
  const cpu = new TenantNamespace(cpuChart, 'web-team', {
    name: 'web-team',
    labels: { team: 'web' },
    quota: {
      cpuRequests: Cpu.cores(16),
      cpuLimits: Cpu.cores(32),
      memoryRequests: Memory.gibibytes(32),
      memoryLimits: Memory.gibibytes(64),
      pods: 50,
      services: 10,
      persistentVolumeClaims: 5,
      storageRequests: Storage.gibibytes(100),
    },
    network: {
      ingressFrom: [
        { namespace: INGRESS_NAMESPACE, ports: [8080], podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
        { namespace: MONITORING_NAMESPACE, ports: [9090], podLabels: { 'app.kubernetes.io/name': 'prometheus' } },
      ],
      // The web tenant calls the ML team's inference endpoints.
      egressToNamespaces: [{ namespace: 'ml-team', ports: [8000, 8080] }],
    },
    admins: [TenantSubject.group('web-team-admins')],
    developers: [TenantSubject.group('web-team-developers'), TenantSubject.user('alice@example.com')],
    viewers: [TenantSubject.group('web-team-viewers')],
  });

  const largeChart = new Chart(scope, 'tenant-llm-serving');
  const gpuLarge = new TenantNamespace(largeChart, 'llm-serving', {
    name: 'llm-serving',
    labels: { 'team': 'llm', 'cost-center': 'production' },
    quota: {
      cpuRequests: Cpu.cores(256),
      cpuLimits: Cpu.cores(512),
      memoryRequests: Memory.gibibytes(2048),
      memoryLimits: Memory.gibibytes(3072),
      gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 48, maxPerContainer: 8 }],
      pods: 100,
      persistentVolumeClaims: 40,
      storageRequests: Storage.tebibytes(8),
    },
    containerLimits: {
      defaultCpuLimit: Cpu.cores(2),
      defaultCpuRequest: Cpu.millis(250),
      defaultMemoryLimit: Memory.gibibytes(4),
      defaultMemoryRequest: Memory.gibibytes(1),
    },
    network: {
      ingressFrom: [
        { namespace: GATEWAY_NAMESPACE, ports: [8000, 8080, 30000] },
        // 29000: the prefill/decode routers' metrics port (sglang-router --prometheus-port).
        { namespace: MONITORING_NAMESPACE, ports: [8000, 8080, 29000, 30000], podLabels: { 'app.kubernetes.io/name': 'prometheus' } },
      ],
      internetEgress: { ports: [443] },
    },
    admins: [TenantSubject.group('llm-serving-admins')],
    developers: [TenantSubject.group('llm-serving-developers')],
    viewers: [TenantSubject.group('llm-serving-viewers')],
    nodePool: {
      nodeLabel: { key: 'gpu-platform.dev/pool', value: 'gpu-h100' },
      taint: { key: 'nvidia.com/gpu', value: 'present' },
    },
  });

  return { gpu, cpu, gpuLarge };
}
