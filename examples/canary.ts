import { Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { Cpu, Memory, PodSecurityDefaults } from '../lib/core';
import { k8s } from '../lib/core/k8s';
import {
  AnalysisArg, AnalysisMetric, CanaryAnalysisTemplate, CanaryRollout, CanaryStep, NativeCanary, NativeCanaryProps,
  TrafficRouting, WorkloadRef,
} from '../lib/delivery';
import { Autoscaling, GpuInferenceService } from '../lib/inference';
import { ExampleWorkloadSettings, PROD_WORKLOADS } from './settings';
import { ExampleTenants, GATEWAY_NAMESPACE } from './tenants';

/** In-cluster Prometheus (Prometheus Operator's governing Service). */
const PROMETHEUS = 'http://prometheus-operated.monitoring:9090';
/** The shared Gateway in front of the tenants' services; each tenant's routes name their own hostnames on it. */
const GATEWAY = { name: 'inference', namespace: GATEWAY_NAMESPACE };

/** A small CPU web service's pod spec, Pod Security restricted. */
function webPod(scope: Construct, version: string): k8s.PodSpec {
  const security = PodSecurityDefaults.forWorkload(scope, 'security');
  const dirs = PodSecurityDefaults.writableDirs([{ name: 'tmp', mountPath: '/tmp' }]);
  const cpu = Cpu.millis(250);
  const memory = Memory.mebibytes(256);
  return {
    automountServiceAccountToken: false,
    securityContext: security.pod,
    containers: [{
      name: 'storefront',
      image: `registry.example.com/web/storefront:${version}`,
      ports: [{ name: 'http', containerPort: 8080 }],
      resources: {
        requests: { cpu: cpu.toK8s(), memory: memory.toK8s() },
        limits: { cpu: Cpu.millis(500).toK8s(), memory: memory.toK8s() },
      },
      readinessProbe: { httpGet: { path: '/healthz', port: k8s.IntOrString.fromString('http') }, periodSeconds: 5 },
      securityContext: security.container,
      volumeMounts: dirs.mounts,
    }],
    volumes: dirs.volumes,
  };
}

/**
 * The canaries: the seed's progressive canary of the GPU tenant's inference service (Argo Rollouts,
 * Gateway API, success-rate analysis) and a controller-free canary of a CPU service in the CPU tenant.
 * `settings` sets the storefront's pods and canary weight per environment (default: prod); the chat Rollout
 * follows the chat service's own replica bounds.
 */
export function buildCanaries(scope: Construct, tenants: ExampleTenants, inference: { chat: GpuInferenceService },
  settings: ExampleWorkloadSettings = PROD_WORKLOADS): void {
  // --- llm-serving: Argo Rollouts canary of the chat service through Gateway API ----------------------
  // (Not ml-team: its 4-GPU quota is exactly llama-8b's peak, so a canary pod could never be admitted.)
  // In the chat service's own chart (its Application): the service's HPA scales this Rollout once retargeted,
  // and an HPA in an Application the root syncs before its target's would be Degraded (FailedGetScale) and
  // stop the root (the sync simulation reports it). In one Application the HPA syncs in the Rollout's wave.
  const vllm = inference.chat;
  const ml = Chart.of(vllm);
  const tenant = tenants.gpuLarge;
  if (!vllm.deployment) throw new Error(`[${vllm.node.path}] the vllm example must run as a Deployment for its canary`);

  // Success rate of the canary's pods only: vLLM's OpenAI server groups HTTP statuses as 2xx/5xx, and
  // Rollout pods are named <rollout>-<pod-template-hash>-<suffix>.
  const successRate = new CanaryAnalysisTemplate(ml, 'vllm-success-rate', {
    name: 'vllm-success-rate',
    tenant,
    args: [{ name: 'canary-hash' }, { name: 'namespace', defaultValue: tenant.namespaceName }],
    metrics: [AnalysisMetric.prometheusSuccessRate({
      address: PROMETHEUS,
      selector: `namespace="{{args.namespace}}",pod=~"${vllm.name}-{{args.canary-hash}}-.*"`,
      statusLabel: 'status',
      errorStatusRegex: '5xx',
      minSuccessRate: 0.95,
      failureLimit: 3,
      interval: Duration.minutes(1),
    })],
  });

  const autoscaled = vllm.hpa !== undefined || vllm.scaledObject !== undefined;
  const rollout = new CanaryRollout(ml, 'vllm-canary', {
    name: vllm.name,
    tenant,
    workloadRef: WorkloadRef.deployment(vllm.deployment),
    port: vllm.port,
    steps: [
      CanaryStep.trafficWeight(10), CanaryStep.pauseFor(Duration.minutes(5)),
      CanaryStep.trafficWeight(30), CanaryStep.pauseFor(Duration.minutes(5)),
      CanaryStep.trafficWeight(50), CanaryStep.pauseFor(Duration.minutes(10)),
      CanaryStep.trafficWeight(100),
    ],
    // From the first pause on, for the rest of the rollout.
    backgroundAnalysis: { template: successRate, args: [AnalysisArg.latestPodTemplateHash('canary-hash')], startingStep: 1 },
    trafficRouting: TrafficRouting.gatewayApi({ parentRefs: [GATEWAY], hostnames: ['llm.example.com'] }),
    // The stable shrinks as the canary grows, so the canary never needs a second full set of GPUs.
    dynamicStableScale: true,
    autoscaling: autoscaled ? Autoscaling.external({ minReplicas: vllm.minReplicas, maxReplicas: vllm.maxReplicas }) : undefined,
  });
  // The inference service's autoscaler now scales the Rollout (Argo scales the Deployment to 0).
  if (autoscaled) vllm.retargetAutoscaling(rollout.scaleTargetRef);

  // --- web-team: native canary (no controller), one commit per weight ---------------------------------
  const web = new Chart(scope, 'canary-web-team');
  const storefront: NativeCanaryProps = {
    name: 'storefront',
    tenant: tenants.cpu,
    replicas: settings.storefrontReplicas,
    port: 8080,
    stable: { version: '1.4.0', podSpec: webPod(web, '1.4.0') },
    canary: { version: '1.5.0', podSpec: webPod(web, '1.5.0') },
    // This commit (prod): 1 of 4 pods (25%). Next commits: 50, 100, then NativeCanary.promote(...).
    canaryWeight: settings.storefrontCanaryWeight,
  };
  new NativeCanary(web, 'storefront', storefront);
}
