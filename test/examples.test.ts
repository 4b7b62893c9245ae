import * as path from 'path';
import { Testing } from 'cdk8s';
import { buildInference } from '../examples/inference';
import { buildExamples } from '../examples/main';
import { EXAMPLE_ENVIRONMENTS } from '../examples/platform';
import { DEV_WORKLOADS, PROD_WORKLOADS } from '../examples/settings';
import { buildTenants } from '../examples/tenants';
import { expectValid, loadManifestsFromDir } from './harness';
import { tempDir } from './support/tmp';

/** kustomization.yaml files are build instructions for kustomize, not cluster objects. */
const objects = (dir: string) => loadManifestsFromDir(dir).filter((m) => m.kind !== 'Kustomization');

describe('examples', () => {
  const outdir = tempDir('examples-');
  beforeAll(() => buildExamples(outdir).synth());

  // Each environment is one cluster: validated on its own (dev, staging and prod reuse namespaces and names).
  test.each(EXAMPLE_ENVIRONMENTS.map((e) => e.name))('every manifest written for %s passes the harness', (env) => {
    const manifests = objects(path.join(outdir, env));
    expect(manifests.length).toBeGreaterThan(50);
    expectValid(manifests);
  });

  test('the Config Management Plugin folder passes the harness', () => {
    const manifests = objects(path.join(outdir, 'argocd-cmp'));
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual(['ConfigMap/argocd-cmd-params-cm', 'ConfigMap/cmp-cdk8s', 'Deployment/argocd-repo-server']);
    expectValid(manifests);
  });

  test('the builders default to prod\'s workload settings; dev asks for fewer GPUs', () => {
    expect(EXAMPLE_ENVIRONMENTS.find((e) => e.name === 'prod')!.workloads).toBe(PROD_WORKLOADS);
    const app = Testing.app();
    const { vllm, chat } = buildInference(app, buildTenants(app));
    expect([vllm.pod.gpuCount, vllm.minReplicas, vllm.maxReplicas]).toEqual([PROD_WORKLOADS.llamaGpus, PROD_WORKLOADS.llamaMinReplicas, PROD_WORKLOADS.llamaMaxReplicas]);
    expect([chat.pod.gpuCount, chat.minReplicas, chat.maxReplicas]).toEqual([PROD_WORKLOADS.chatGpus, PROD_WORKLOADS.chatMinReplicas, PROD_WORKLOADS.chatMaxReplicas]);
    expect(vllm.podTemplate.spec!.containers[0].image).toBe(`vllm/vllm-openai:${PROD_WORKLOADS.vllmImageTag}`);
    // GPUs at peak of the services the settings size.
    const peakGpus = (w: typeof PROD_WORKLOADS) => w.llamaGpus * w.llamaMaxReplicas + w.chatGpus * w.chatMaxReplicas
      + (w.rbgPrefillReplicas + 2 * w.rbgDecodeReplicas) * 2;
    expect(peakGpus(DEV_WORKLOADS)).toBeLessThan(peakGpus(PROD_WORKLOADS));
  });

  test('the platform story: three tenants, GPU inference, a prefill/decode group, a canary, adapter rules, Argo CD', () => {
    const manifests = objects(path.join(outdir, 'prod'));
    const kinds = new Set(manifests.map((m) => m.kind));
    expect(manifests.filter((m) => m.kind === 'Namespace')).toHaveLength(3);
    for (const k of ['Application', 'AppProject', 'ResourceQuota', 'NetworkPolicy', 'Deployment', 'LeaderWorkerSet', 'RoleBasedGroup', 'Rollout']) {
      expect({ kind: k, present: kinds.has(k) }).toEqual({ kind: k, present: true });
    }
    expect(manifests.some((m) => m.kind === 'ConfigMap' && /adapter/.test(m.metadata.name))).toBe(true);
    expect(manifests.filter((m) => m.kind === 'AppProject').map((p) => p.metadata.name).sort())
      .toEqual(['prod-llm-serving', 'prod-ml-team', 'prod-platform', 'prod-web-team']);
  });
});
