import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Cpu, Memory } from '../lib/core';
import { ServingEngine } from '../lib/serving';
import { PrefillDecodeProps, RbgMode, RoleBasedGroup } from '../lib/workloads';
import { ExampleWorkloadSettings, PROD_WORKLOADS } from './settings';
import { ExampleTenants } from './tenants';

/**
 * The seed scenario: a prefill/decode disaggregated SGLang group in the large GPU tenant (llm-serving), gang-scheduled:
 * router (1), prefill (2 x 1 GPU) and decode (2 instances of a 2-node LeaderWorkerSet, 1 GPU per pod).
 * That is 2 + 2 x 2 = 6 GPUs per group. It appears twice, each in its own chart: once as a RoleBasedGroup
 * resource for the RBG controller (`rbg-sglang-pd`), once expanded natively for clusters without it
 * (`rbg-sglang-pd-native`). Both must fit the tenant's `requests.nvidia.com/gpu` quota (12 to run both).
 * Because the router depends on prefill and decode, both charts carry a PodGroup over prefill + decode
 * (minMember 6) instead of the controller's all-roles podGroupPolicy, which would never fill. The counts are
 * prod's (the default); `settings` sets the prefill and decode replicas per environment.
 */
export function buildRoleBasedGroups(scope: Construct, tenants: ExampleTenants, settings: ExampleWorkloadSettings = PROD_WORKLOADS): void {
  const common = (name: string): PrefillDecodeProps => ({
    name,
    tenant: tenants.gpuLarge,
    partOf: 'llm-serving',
    engine: ServingEngine.sglang(),
    image: 'lmsysorg/sglang:v0.5.3.post3',
    routerImage: 'lmsysorg/sglang-router:v0.2.2',
    model: 'Qwen/Qwen3-8B',
    // Model-server settings (ModelServerOptions) shared by prefill and decode; a role can override cpu / memory.
    cpu: Cpu.cores(8),
    memory: Memory.gibibytes(64),
    prefill: { replicas: settings.rbgPrefillReplicas, gpu: { count: 1 } },
    decode: { replicas: settings.rbgDecodeReplicas, nodes: 2, gpu: { count: 1 } },
    // Prometheus (Prometheus Operator, `release: prometheus`) scrapes the engines and the router's metrics port.
    podMonitor: { labels: { release: 'prometheus' } },
    // The whole first wave (prefill + decode) starts together or not at all.
    gangScheduling: { kubeScheduling: { scheduleTimeoutSeconds: 300 } },
  });

  const controller = new Chart(scope, 'rbg-sglang-pd');
  RoleBasedGroup.prefillDecode(controller, 'sglang-pd', common('sglang-pd'));

  const native = new Chart(scope, 'rbg-sglang-pd-native');
  RoleBasedGroup.prefillDecode(native, 'sglang-pd-native', { ...common('sglang-pd-native'), mode: RbgMode.NATIVE });
}
