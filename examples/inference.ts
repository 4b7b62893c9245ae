import { Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { Cpu, Memory, Storage } from '../lib/core';
import {
  AntiAffinity, Autoscaling, ClientPeer, GpuInferenceService, MetricsMonitor, ModelCache, PodMetric, PrometheusAdapterRules,
} from '../lib/inference';
import { ServingEngine } from '../lib/serving';
import { INFERENCE_PRIORITY_CLASS } from './prerequisites';
import { ExampleWorkloadSettings, PROD_WORKLOADS } from './settings';
import { ExampleTenants } from './tenants';

/** The Prometheus Operator's `release` label the Prometheus CR selects monitors by. */
const MONITOR_LABELS = { release: 'prometheus' };

/** The inference services other examples build on. */
export interface ExampleInference {
  /** `llama-8b` in ml-team: HPA on queue length (prod: 2 GPUs per pod, 1-2 replicas). */
  readonly vllm: GpuInferenceService;
  /** `qwen-32b` in llm-serving: the chat service the canary example rolls out. */
  readonly chat: GpuInferenceService;
}

/**
 * The inference examples: a vLLM service in the GPU tenant (2 GPUs per pod, HPA on queue length, a shared
 * model cache), a chat service and a multi-node (LeaderWorkerSet) service in the large GPU tenant, and the
 * Prometheus Adapter rules that serve the HPAs' custom metric. `settings` sets the vLLM image tag, the GPUs
 * per pod and the replica bounds per environment (default: prod).
 */
export function buildInference(scope: Construct, tenants: ExampleTenants, settings: ExampleWorkloadSettings = PROD_WORKLOADS): ExampleInference {
  const vllmImage = `vllm/vllm-openai:${settings.vllmImageTag}`;
  // --- ml-team: 4 GPUs of quota; prod peaks at 2 replicas x 2 GPUs, no rollout surge --------------------
  const ml = new Chart(scope, 'inference-ml-team');
  const vllm = new GpuInferenceService(ml, 'llama-8b', {
    name: 'llama-8b',
    tenant: tenants.gpu,
    image: vllmImage,
    model: 'meta-llama/Llama-3.1-8B-Instruct',
    engine: ServingEngine.vllm(),
    gpu: { count: settings.llamaGpus, product: 'NVIDIA-A100-SXM4-80GB' },
    cpu: Cpu.cores(8),
    memory: Memory.gibibytes(64),
    shmSize: Memory.gibibytes(8),
    extraArgs: ['--max-model-len', '16384', '--enable-prefix-caching'],
    hfTokenSecret: { name: 'hf-token', key: 'token' },
    // One download, shared by every replica (a ReadWriteMany class: EFS, Filestore, NFS).
    modelCache: ModelCache.sharedClaim({ size: Storage.gibibytes(200), storageClassName: 'shared-rwx' }),
    maxModelLoadTime: Duration.minutes(20),
    autoscaling: Autoscaling.hpa({ minReplicas: settings.llamaMinReplicas, maxReplicas: settings.llamaMaxReplicas, metrics: [PodMetric.queueLength(5)] }),
    antiAffinity: AntiAffinity.SOFT,
    clients: [
      ClientPeer.namespace('gateway-system'),
      ClientPeer.podsInNamespace('ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx' }),
      ClientPeer.namespace('web-team'),
    ],
    monitor: MetricsMonitor.serviceMonitor({ labels: MONITOR_LABELS }),
    // Created by the platform (examples/prerequisites.ts), so admission finds it.
    priorityClassName: INFERENCE_PRIORITY_CLASS,
  });

  // --- llm-serving: a chat model with headroom for a canary (ml-team's 4 GPUs are all taken by llama-8b) --
  const large = new Chart(scope, 'inference-llm-serving');
  const chat = new GpuInferenceService(large, 'qwen-32b', {
    name: 'qwen-32b',
    tenant: tenants.gpuLarge,
    image: vllmImage,
    model: 'Qwen/Qwen3-32B',
    gpu: { count: settings.chatGpus, product: 'NVIDIA-H100-80GB-HBM3' },
    cpu: Cpu.cores(8),
    memory: Memory.gibibytes(96),
    shmSize: Memory.gibibytes(8),
    hfTokenSecret: { name: 'hf-token' },
    modelCache: ModelCache.sharedClaim({ size: Storage.gibibytes(200), storageClassName: 'shared-rwx' }),
    autoscaling: Autoscaling.hpa({ minReplicas: settings.chatMinReplicas, maxReplicas: settings.chatMaxReplicas, metrics: [PodMetric.queueLength(5)] }),
    clients: [ClientPeer.namespace('gateway-system')],
    monitor: MetricsMonitor.serviceMonitor({ labels: MONITOR_LABELS }),
  });

  // --- llm-serving: a 70B model across 2 nodes x 8 GPUs (pipeline parallel 2, tensor parallel 8) -------
  new GpuInferenceService(large, 'llama-70b', {
    name: 'llama-70b',
    tenant: tenants.gpuLarge,
    image: vllmImage,
    model: 'meta-llama/Llama-3.1-70B-Instruct',
    gpu: { count: 8, product: 'NVIDIA-H100-80GB-HBM3' },
    nodesPerReplica: 2,
    replicas: 1,
    cpu: Cpu.cores(32),
    memory: Memory.gibibytes(256),
    shmSize: Memory.gibibytes(32),
    hfTokenSecret: { name: 'hf-token' },
    // Every pod of a group loads the same weights: a shared ReadWriteMany cache.
    modelCache: ModelCache.sharedClaim({ size: Storage.gibibytes(500), storageClassName: 'shared-rwx' }),
    maxModelLoadTime: Duration.minutes(45),
    clients: [ClientPeer.namespace('gateway-system')],
    monitor: MetricsMonitor.podMonitor({ labels: MONITOR_LABELS }),
  });

  // --- monitoring: the adapter rules for every HPA custom metric in the app ------------------------------
  const monitoring = new Chart(scope, 'monitoring-adapter-rules');
  new PrometheusAdapterRules(monitoring, 'adapter-rules', { namespace: 'monitoring' });

  return { vllm, chat };
}
