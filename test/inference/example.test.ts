import { Testing } from 'cdk8s';
import { buildInference } from '../../examples/inference';
import { buildPrerequisites } from '../../examples/prerequisites';
import { buildTenants } from '../../examples/tenants';
import { synthValid } from '../harness';

beforeAll(() => {
  jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
});

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
    expect(vllm.node.metadata.some((m) => m.type === 'warning' && String(m.data).includes('podDisruptionBudget: none created'))).toBe(true);
    expect(ms.find((m) => m.kind === 'LeaderWorkerSet')?.spec.leaderWorkerTemplate.size).toBe(2);
    const cm = ms.find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'prometheus-adapter-rules');
    expect(cm.data['config.yaml']).toContain('vllm_num_requests_waiting');
  });
});
