import { Testing } from 'cdk8s';
import { buildInference } from '../../examples/inference';
import { buildPrerequisites } from '../../examples/prerequisites';
import { buildTenants } from '../../examples/tenants';
import { Warnings } from '../../lib/core/errors';
import { synthValid } from '../harness';

describe('examples/inference', () => {
  test('the inference examples pass the harness inside their tenants', () => {
    const app = Testing.app();
    // The platform's PriorityClass (llama-8b's inference-high): without it the admission rule refuses the pods.
    buildPrerequisites(app);
    const tenants = buildTenants(app);
    const { vllm } = buildInference(app, tenants);
    const ms = synthValid(app);
    expect(vllm.deployment).toBeDefined();
    expect(vllm.customMetrics.map((m) => m.metricName)).toEqual(['vllm_num_requests_waiting']);
    const kinds = ms.filter((m) => m.metadata?.namespace === 'ml-team' && m.metadata?.labels?.['app.kubernetes.io/name'] === 'llama-8b').map((m) => m.kind).sort();
    // No PodDisruptionBudget: the HPA may scale llama-8b to 1 replica, which no budget can protect (a warning says so).
    expect(kinds).toEqual(['Deployment', 'HorizontalPodAutoscaler', 'NetworkPolicy', 'NetworkPolicy', 'PersistentVolumeClaim', 'Service', 'ServiceAccount', 'ServiceMonitor']);
    const drain = 'podDisruptionBudget: none created, since the service can run 1 replica';
    expect(Warnings.of(app)).toEqual([
      expect.stringMatching(new RegExp(`^\\[inference-ml-team/llama-8b\\] ${drain}`)),
      expect.stringMatching(new RegExp(`^\\[inference-llm-serving/llama-70b\\] ${drain}`)),
    ]);
    expect(ms.find((m) => m.kind === 'LeaderWorkerSet')?.spec.leaderWorkerTemplate.size).toBe(2);
    const cm = ms.find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'prometheus-adapter-rules');
    expect(cm.data['config.yaml']).toContain('vllm_num_requests_waiting');
  });
});
