import { Chart, Testing } from 'cdk8s';
import { buildCanaries } from '../../examples/canary';
import { buildTenants } from '../../examples/tenants';
import { Autoscaling, PodMetric } from '../../lib/inference/autoscaling';
import { GpuInferenceService } from '../../lib/inference/gpu-inference-service';
import { ClientPeer } from '../../lib/inference/options';
import { Warnings } from '../../lib/core/errors';
import { synthValid } from '../harness';

function build(autoscaled: boolean) {
  const app = Testing.app();
  const tenants = buildTenants(app);
  const chart = new Chart(app, 'inference-llm-serving');
  const vllm = new GpuInferenceService(chart, 'vllm', {
    name: 'vllm', tenant: tenants.gpuLarge, image: 'vllm/vllm-openai:v0.18.0', model: 'meta-llama/Llama-3.1-8B-Instruct',
    gpu: { count: 1 }, clients: [ClientPeer.namespace('gateway-system')],
    ...(autoscaled ? { autoscaling: Autoscaling.hpa({ minReplicas: 1, maxReplicas: 2, metrics: [PodMetric.queueLength(5)] }) } : { replicas: 2 }),
  });
  buildCanaries(app, tenants, { chat: vllm });
  return { app, manifests: synthValid(app) };
}

describe('examples/canary.ts', () => {
  test('the seed canary and the native canary pass the harness; the canary charts match the snapshot', () => {
    const { app } = build(false);
    // Nothing here is legal-but-suspicious: the examples build without a warning.
    expect(Warnings.of(app)).toEqual([]);
    // The chat canary lives in the chat service's chart (one Application: its HPA scales the Rollout).
    const charts = app.charts.filter((c) => c.node.id.startsWith('canary-') || c.node.id === 'inference-llm-serving');
    expect(Object.fromEntries(charts.map((c) => [c.node.id, c.toJson()]))).toMatchSnapshot();
  });

  test('seed steps, Gateway API and success-rate analysis on the vllm Deployment', () => {
    const { manifests } = build(false);
    const ro = manifests.find((m) => m.kind === 'Rollout');
    expect(ro.spec.workloadRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'vllm', scaleDown: 'progressively' });
    expect(ro.spec.strategy.canary.steps).toEqual([
      { setWeight: 10 }, { pause: { duration: '5m' } }, { setWeight: 30 }, { pause: { duration: '5m' } },
      { setWeight: 50 }, { pause: { duration: '10m' } }, { setWeight: 100 },
    ]);
    const at = manifests.find((m) => m.kind === 'AnalysisTemplate');
    expect(at.spec.metrics[0]).toMatchObject({ successCondition: 'len(result) > 0 && result[0] >= 0 && result[0] >= 0.95', failureLimit: 3 });
    // The safe analysis: too few requests give the -1 sentinel (Inconclusive), never an empty result (Error).
    expect(at.spec.metrics[0].provider.prometheus.query).toMatch(/>= 20\)\) or on\(\) vector\(-1\)$/);
    expect(manifests.find((m) => m.kind === 'HTTPRoute').spec.rules[0].backendRefs.map((b: any) => b.name)).toEqual(['vllm-stable', 'vllm-canary']);
  });

  test('an autoscaled inference service: its HPA is retargeted to the Rollout, replicas left out', () => {
    const { manifests } = build(true);
    const ro = manifests.find((m) => m.kind === 'Rollout');
    expect(ro.spec.replicas).toBeUndefined();
    const hpa = manifests.find((m) => m.kind === 'HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'vllm' });
  });

  test('native canary: 1 of 4 storefront pods on the canary', () => {
    const { manifests } = build(false);
    const deps = manifests.filter((m) => m.kind === 'Deployment' && m.metadata.namespace === 'web-team');
    expect(deps.map((d) => [d.metadata.name, d.spec.replicas])).toEqual([['storefront-a', 3], ['storefront-b', 1]]);
  });
});
