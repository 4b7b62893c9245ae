import { ApiObject, Chart, Testing } from 'cdk8s';
import Ajv from 'ajv';
import { celMethod, CelScalar, isCelError, listType, run } from '@bufbuild/cel';
import { GpuResource } from '../../lib/core';
import { NodeTaintEffect, TenantAdmissionPolicies, TenantNamespace, TenantNamespaceProps } from '../../lib/tenancy';
import { expectValid, synth } from '../harness';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const SCHEMA = require('./fixtures/admissionregistration-v1-vap.schema.json');

const VAP_KINDS = ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'];

const GPU_POOL: Partial<TenantNamespaceProps> = {
  quota: { gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 8 }] },
  nodePool: { nodeLabel: { key: 'gpu-platform.dev/pool', value: 'a100' }, taint: { key: 'gpu-platform.dev/pool', value: 'a100', effect: NodeTaintEffect.NO_SCHEDULE } },
};

const POLICIES: TenantAdmissionPolicies = {
  allowedSecrets: ['hf-token'],
  allowedServiceAccounts: ['default', 'llama'],
  allowedRegistries: ['registry.example.com/', 'docker.io/vllm/'],
  maxGpusPerPod: 4,
};

function tenant(extra: Partial<TenantNamespaceProps> = {}, chart = new Chart(Testing.app(), 'test')) {
  const t = new TenantNamespace(chart, 'tenant', { name: 'ml-team', ...GPU_POOL, admissionPolicies: POLICIES, ...extra });
  return { chart, t };
}

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema(SCHEMA);
const schemaErrors = (m: any) => {
  const v = ajv.getSchema(`admissionregistration-v1-vap#/definitions/${m.kind}`)!;
  return v(m) ? [] : (v.errors ?? []).map((e) => `${m.kind}/${m.metadata?.name}${e.instancePath}: ${e.message}`);
};

// Kubernetes' CEL lists library (k8s.io/apiserver/pkg/cel/library/lists.go) adds `<list<int>>.sum()`;
// the CEL interpreter here has only the standard library, so the test adds the same method.
const SUM = celMethod('sum', listType(CelScalar.INT), [], CelScalar.INT, function (this: any) {
  let total = 0n;
  for (const v of this) total += BigInt(v);
  return total;
});

/** Evaluates a policy's validations against a pod like the API server: variables first, then every validation. */
function admit(policy: any, pod: any): string[] {
  const variables: { [k: string]: any } = {};
  for (const v of policy.spec.variables ?? []) {
    const r = run(v.expression, { object: pod, variables }, { funcs: [SUM] });
    if (isCelError(r)) throw new Error(`variable ${v.name}: ${r.message}`);
    variables[v.name] = r;
  }
  const denied: string[] = [];
  for (const val of policy.spec.validations) {
    const r = run(val.expression, { object: pod, variables }, { funcs: [SUM] });
    // failurePolicy Fail: an evaluation error denies too, so the tests treat it as a denial and name it.
    if (isCelError(r)) denied.push(`error: ${r.message}`);
    else if (r !== true) {
      // messageExpression wins over message when it evaluates to a string, as in the API server.
      const m = val.messageExpression ? run(val.messageExpression, { object: pod, variables }, { funcs: [SUM] }) : undefined;
      denied.push(typeof m === 'string' ? m : val.message);
    }
  }
  return denied;
}

/** A pod as the API server sees it at validation (ServiceAccount defaulted, quantities as strings). */
function pod(spec: any = {}): any {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ml-team' },
    spec: {
      serviceAccountName: 'default',
      nodeSelector: { 'gpu-platform.dev/pool': 'a100' },
      tolerations: [
        { key: 'gpu-platform.dev/pool', operator: 'Equal', value: 'a100', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      containers: [{ name: 'vllm', image: 'docker.io/vllm/vllm-openai:v0.18.0', resources: { limits: { 'nvidia.com/gpu': '2', cpu: '4' } } }],
      ...spec,
    },
  };
}

describe('TenantNamespace admissionPolicies (ValidatingAdmissionPolicy, admissionregistration.k8s.io/v1)', () => {
  test('off by default: no admission objects', () => {
    const { chart, t } = tenant({ admissionPolicies: undefined });
    expect(t.admissionObjects).toEqual([]);
    expect(synth(chart).filter((m) => VAP_KINDS.includes(m.kind))).toEqual([]);
  });

  test('a policy and a binding per concern, valid against the admissionregistration v1 schema; the rest passes the harness', () => {
    const { chart } = tenant();
    const all = synth(chart);
    const vap = all.filter((m) => VAP_KINDS.includes(m.kind));
    expect(vap.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([
      'ValidatingAdmissionPolicy/tenant-ml-team-pods', 'ValidatingAdmissionPolicyBinding/tenant-ml-team-pods',
      'ValidatingAdmissionPolicy/tenant-ml-team-volumes', 'ValidatingAdmissionPolicyBinding/tenant-ml-team-volumes',
    ]);
    expect(vap.flatMap(schemaErrors)).toEqual([]);
    for (const m of vap) {
      expect(m.metadata.namespace).toBeUndefined(); // cluster-scoped
      expect(m.metadata.annotations['argocd.argoproj.io/sync-wave']).toBeDefined();
    }
    const binding = vap.find((m) => m.kind === 'ValidatingAdmissionPolicyBinding' && m.metadata.name === 'tenant-ml-team-pods');
    expect(binding.spec).toEqual({
      policyName: 'tenant-ml-team-pods', validationActions: ['Deny'],
      matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ml-team' } } },
    });
    const policy = vap.find((m) => m.kind === 'ValidatingAdmissionPolicy' && m.metadata.name === 'tenant-ml-team-pods');
    expect(policy.spec.failurePolicy).toBe('Fail');
    expect(policy.spec.matchConstraints.resourceRules).toEqual([
      { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] },
      { apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['pods/ephemeralcontainers'] },
    ]);
    expectValid(all.filter((m) => !VAP_KINDS.includes(m.kind)));
    expect(synth(chart)).toMatchSnapshot();
  });

  test('the schema check catches what the API server would reject', () => {
    expect(schemaErrors({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'x' }, spec: { policyName: 'x', validationActions: ['Block'] } }))
      .toEqual(['ValidatingAdmissionPolicyBinding/x/spec/validationActions/0: must be equal to one of the allowed values']);
    expect(schemaErrors({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'x' }, spec: { validations: [{ expr: 'true' }] } }).length).toBeGreaterThan(0);
  });

  describe('the pod policy\'s CEL, evaluated with @bufbuild/cel against allowed and denied pods', () => {
    const { chart } = tenant();
    const policy = synth(chart).find((m) => m.kind === 'ValidatingAdmissionPolicy' && m.metadata.name === 'tenant-ml-team-pods');
    const deniedBy = (spec: any) => admit(policy, pod(spec));

    test('allowed: the listed Secret in a volume, env and envFrom; an allowed ServiceAccount; allowed registries; 4 GPUs over two containers', () => {
      expect(deniedBy({})).toEqual([]);
      expect(deniedBy({
        serviceAccountName: 'llama',
        volumes: [{ name: 'tok', secret: { secretName: 'hf-token' } }, { name: 'tmp', emptyDir: {} }, { name: 'p', projected: { sources: [{ secret: { name: 'hf-token' } }, { serviceAccountToken: { path: 't' } }] } }],
        initContainers: [{ name: 'init', image: 'registry.example.com/tools/fetch:1', envFrom: [{ secretRef: { name: 'hf-token' } }], resources: { limits: { 'nvidia.com/gpu': '4' } } }],
        containers: [
          { name: 'a', image: 'docker.io/vllm/vllm-openai:v0.18.0', env: [{ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf-token', key: 'token' } } }, { name: 'X', value: '1' }], resources: { limits: { 'nvidia.com/gpu': '2' } } },
          { name: 'b', image: 'registry.example.com/sidecar:1', resources: { limits: { 'nvidia.com/gpu': '2' } } },
          { name: 'c', image: 'registry.example.com/cpu-only:1' },
        ],
      })).toEqual([]);
    });

    test.each([
      ['a Secret volume not listed', { volumes: [{ name: 'v', secret: { secretName: 'db-password' } }] }, 'may mount only the Secrets'],
      ['a projected Secret not listed', { volumes: [{ name: 'v', projected: { sources: [{ secret: { name: 'db-password' } }] } }] }, 'may mount only the Secrets'],
      ['env from a Secret not listed', { containers: [{ name: 'a', image: 'docker.io/vllm/x:1', env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'db-password', key: 'k' } } }] }] }, 'may read only the Secrets'],
      ['envFrom a Secret not listed, in an init container', { initContainers: [{ name: 'i', image: 'docker.io/vllm/x:1', envFrom: [{ secretRef: { name: 'db-password' } }] }] }, 'may read only the Secrets'],
      ['envFrom a Secret not listed, in an ephemeral container', { ephemeralContainers: [{ name: 'dbg', image: 'docker.io/vllm/x:1', envFrom: [{ secretRef: { name: 'db-password' } }] }] }, 'may read only the Secrets'],
      ['another ServiceAccount', { serviceAccountName: 'ci-deployer' }, 'ServiceAccount ci-deployer is not one pods of this namespace may run as'],
      ['an image from elsewhere', { containers: [{ name: 'a', image: 'evil.example.org/miner:1' }] }, 'images must come from'],
      ['a look-alike registry host', { containers: [{ name: 'a', image: 'registry.example.com.evil.io/x:1' }] }, 'images must come from'],
      ['a Docker Hub short name not listed', { containers: [{ name: 'a', image: 'vllm/vllm-openai:v0.18.0' }] }, 'images must come from'],
      ['5 GPUs over two containers', { containers: [
        { name: 'a', image: 'docker.io/vllm/x:1', resources: { limits: { 'nvidia.com/gpu': '3' } } },
        { name: 'b', image: 'docker.io/vllm/x:1', resources: { limits: { 'nvidia.com/gpu': '2' } } },
      ] }, 'at most 4 nvidia.com/gpu'],
      ['an init container with 8 GPUs', { initContainers: [{ name: 'i', image: 'docker.io/vllm/x:1', resources: { limits: { 'nvidia.com/gpu': '8' } } }] }, 'at most 4 nvidia.com/gpu'],
      ['no node selector', { nodeSelector: undefined }, "must select the tenant's node pool"],
      ['another pool', { nodeSelector: { 'gpu-platform.dev/pool': 'h100' } }, "must select the tenant's node pool"],
      ['a toleration of another pool\'s taint', { tolerations: [{ key: 'other-team/pool', operator: 'Exists' }] }, 'may tolerate only'],
      ['a toleration of every taint', { tolerations: [{ operator: 'Exists' }] }, 'may tolerate only'],
    ])('denied: %s', (_what, spec, message) => {
      const denied = deniedBy(spec);
      expect(denied).toHaveLength(1);
      expect(denied[0]).toContain(message);
    });

    test('the GPU ceiling counts every GPU resource of the quota', () => {
      const { chart: c } = tenant({ quota: { gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 8 }, { resource: GpuResource.mig('1g.10gb'), count: 8 }] } });
      const p = synth(c).find((m) => m.kind === 'ValidatingAdmissionPolicy' && m.metadata.name === 'tenant-ml-team-pods');
      const mig = (n: string) => pod({ containers: [{ name: 'a', image: 'docker.io/vllm/x:1', resources: { limits: { 'nvidia.com/mig-1g.10gb': n } } }] });
      expect(admit(p, mig('4'))).toEqual([]);
      expect(admit(p, mig('5'))).toEqual(['a pod of this namespace may use at most 4 nvidia.com/mig-1g.10gb']);
    });

    test('without a node pool, placement is not checked; without registries, any image passes', () => {
      const { chart: c } = tenant({ nodePool: undefined, admissionPolicies: { allowedSecrets: ['hf-token'] } });
      const p = synth(c).find((m) => m.kind === 'ValidatingAdmissionPolicy' && m.metadata.name === 'tenant-ml-team-pods');
      expect(p.spec.validations).toHaveLength(3);
      expect(admit(p, pod({ nodeSelector: undefined, tolerations: [{ operator: 'Exists' }], containers: [{ name: 'a', image: 'anything:1' }] }))).toEqual([]);
      expect(admit(p, pod({ serviceAccountName: 'llama' }))).toEqual([expect.stringContaining('ServiceAccount llama')]);
    });
  });

  test('the PVC policy refuses binding a PersistentVolume by name', () => {
    const { chart } = tenant();
    const policy = synth(chart).find((m) => m.kind === 'ValidatingAdmissionPolicy' && m.metadata.name === 'tenant-ml-team-volumes');
    const pvc = (spec: any) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' }, spec: { accessModes: ['ReadWriteOnce'], ...spec } });
    expect(admit(policy, pvc({ storageClassName: 'fast' }))).toEqual([]);
    expect(admit(policy, pvc({ volumeName: 'pv-of-another-tenant' }))).toEqual([expect.stringContaining('may not name a PersistentVolume')]);
  });

  test('synth check: a workload of the app that the policy would refuse is reported with the prop to change', () => {
    const { chart } = tenant();
    new ApiObject(chart, 'dep', {
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name: 'web', namespace: 'ml-team' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            serviceAccountName: 'web', nodeSelector: { 'gpu-platform.dev/pool': 'a100' },
            containers: [{ name: 'web', image: 'quay.io/web:1', envFrom: [{ secretRef: { name: 'db' } }] }],
          },
        },
      },
    });
    expect(() => synth(chart)).toThrow(/admissionPolicies\.allowedServiceAccounts: given \["default","llama"\]; allowed: a list that includes "web", which Deployment\/web runs as/);
    expect(() => synth(chart)).toThrow(/admissionPolicies\.allowedSecrets: given \["hf-token"\]; allowed: a list that includes "db", which Deployment\/web uses/);
    expect(() => synth(chart)).toThrow(/admissionPolicies\.allowedRegistries: given .*; allowed: a prefix of "quay.io\/web:1"/);
  });

  describe('errors', () => {
    test.each([
      [{ allowedSecrets: ['Not_A_Name'] }, 'admissionPolicies.allowedSecrets[0]'],
      [{ allowedSecrets: ['a', 'a'] }, 'admissionPolicies.allowedSecrets: given ["a","a"]; allowed: each name once'],
      [{ allowedServiceAccounts: [] }, 'admissionPolicies.allowedServiceAccounts: given []; allowed: at least one ServiceAccount'],
      [{ allowedRegistries: ['registry.example.com'] }, 'admissionPolicies.allowedRegistries[0]: given "registry.example.com"; allowed: an image prefix ending in "/"'],
      [{ allowedRegistries: ['https://registry.example.com/'] }, 'admissionPolicies.allowedRegistries[0]'],
      [{ allowedRegistries: [] }, 'admissionPolicies.allowedRegistries: given []; allowed: a non-empty list'],
      [{ maxGpusPerPod: 1.5 }, 'admissionPolicies.maxGpusPerPod: given 1.5'],
    ])('%j', (policies, message) => {
      expect(() => tenant({ admissionPolicies: policies as TenantAdmissionPolicies })).toThrow(message);
    });

    test('toleration keys only with a hard node pool', () => {
      expect(() => tenant({ nodePool: undefined, admissionPolicies: { allowedTolerationKeys: ['x.example.com/t'] } }))
        .toThrow('admissionPolicies.allowedTolerationKeys: given ["x.example.com/t"]; allowed: toleration keys only with a hard nodePool');
    });
  });
});
