import { crdsAvailable, RULE_CATALOGUE, RULES, suppressionAnnotation, validate } from '../harness';
import { configMap, deployment, LABELS, NS, podSpec, secureContainer } from './fixtures';

const rulesOf = (ms: any[]) => [...new Set(validate(ms).map((v) => v.rule))];

/** For each rule: a set that breaks it, and a set (as close as possible) that passes every rule. */
const CASES: { [rule: string]: { fails: () => any[]; passes: () => any[]; needsCrds?: boolean } } = {
  'schema': {
    fails: () => [{ ...deployment(), spec: { ...deployment().spec, replicas: 'two' } }],
    passes: () => [deployment()],
  },
  'crd': {
    needsCrds: true,
    fails: () => [{ apiVersion: 'leaderworkerset.x-k8s.io/v1', kind: 'LeaderWorkerSet', metadata: { name: 'big', namespace: NS }, spec: { leaderWorkerTemplate: { size: 'two', workerTemplate: { spec: podSpec() } } } }],
    passes: () => [{ apiVersion: 'leaderworkerset.x-k8s.io/v1', kind: 'LeaderWorkerSet', metadata: { name: 'big', namespace: NS }, spec: { leaderWorkerTemplate: { size: 2, workerTemplate: { spec: podSpec() } } } }],
  },
  'unknown-kind': {
    needsCrds: true,
    fails: () => [{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: NS } }],
    passes: () => [configMap()],
  },
  'metadata': {
    fails: () => [configMap('Bad_Name')],
    passes: () => [configMap('good-name')],
  },
  'pod-spec': {
    fails: () => {
      const d = deployment();
      d.spec.template.spec.containers.push(secureContainer('server'));
      return [d];
    },
    passes: () => {
      const d = deployment();
      d.spec.template.spec.containers.push(secureContainer('sidecar'));
      return [d];
    },
  },
  'pod-security': {
    fails: () => {
      const d = deployment();
      delete d.spec.template.spec.securityContext.seccompProfile;
      delete d.spec.template.spec.containers[0].securityContext.seccompProfile;
      return [d];
    },
    passes: () => [deployment()],
  },
  'selector-match': {
    fails: () => {
      const d = deployment();
      d.spec.selector = { matchLabels: { 'app.kubernetes.io/name': 'other' } };
      return [d];
    },
    passes: () => [deployment()],
  },
  'service-selects-pods': {
    fails: () => [deployment(), { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: NS }, spec: { selector: { app: 'nothing' }, ports: [{ port: 80 }] } }],
    passes: () => [deployment(), { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: NS }, spec: { selector: LABELS, ports: [{ port: 80 }] } }],
  },
  'binding-role-exists': {
    fails: () => [{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'dev', namespace: NS }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'missing' }, subjects: [{ kind: 'Group', name: 'devs', apiGroup: 'rbac.authorization.k8s.io' }] }],
    passes: () => [{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'dev', namespace: NS }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'Group', name: 'devs', apiGroup: 'rbac.authorization.k8s.io' }] }],
  },
  'quota-extended-resources': {
    fails: () => [{ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: NS }, spec: { hard: { 'limits.nvidia.com/gpu': '4' } } }],
    passes: () => [{ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: NS }, spec: { hard: { 'requests.nvidia.com/gpu': '4' } } }],
  },
  'quota-requires-requests': {
    fails: () => {
      const d = deployment();
      delete d.spec.template.spec.containers[0].resources;
      return [{ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: NS }, spec: { hard: { 'requests.cpu': '8' } } }, d];
    },
    passes: () => [{ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: NS }, spec: { hard: { 'requests.cpu': '8' } } }, deployment()],
  },
  'egress-dns': {
    fails: () => [{ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: NS }, spec: { podSelector: {}, policyTypes: ['Egress'] } }],
    passes: () => [
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: NS }, spec: { podSelector: {}, policyTypes: ['Egress'] } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'dns', namespace: NS }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }] } },
    ],
  },
  'unique-objects': {
    fails: () => [configMap('cfg'), configMap('cfg')],
    passes: () => [configMap('cfg'), configMap('cfg', 'team-b')],
  },
  'admission': {
    fails: () => {
      const d = deployment();
      d.spec.template.spec.serviceAccountName = 'missing';
      return [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }, d];
    },
    passes: () => [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }, deployment()],
  },
  'scheduling': {
    fails: () => {
      const d = deployment();
      d.spec.template.spec.nodeSelector = { pool: 'a100' };
      d.spec.template.spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['h100'] }] }] } } };
      return [d];
    },
    passes: () => {
      const d = deployment();
      d.spec.template.spec.nodeSelector = { pool: 'h100' };
      d.spec.template.spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['h100'] }] }] } } };
      return [d];
    },
  },
  'suppression': {
    fails: () => [{ ...configMap(), metadata: { ...configMap().metadata, annotations: { 'gpu-platform.dev/suppress': 'metadata:' } } }],
    passes: () => [{ ...configMap(), metadata: { ...configMap().metadata, annotations: suppressionAnnotation({ metadata: 'the name is owned by another team' }) } }],
  },
};

describe('every rule has a failing and a passing case', () => {
  // `yaml` is a file-level rule (a document that does not parse): covered in cli.test.ts. The sync rules need a
  // GitOps tree of folders: covered in sync.test.ts.
  test('the cases cover the whole catalogue', () => {
    expect(Object.keys(CASES).sort()).toEqual(RULES.filter((r) => r !== 'yaml' && !r.startsWith('sync-')).sort());
  });

  for (const [rule, c] of Object.entries(CASES)) {
    const run = c.needsCrds && !crdsAvailable ? test.skip : test;
    run(`${rule}: fails`, () => {
      expect(rulesOf(c.fails())).toContain(rule);
    });
    run(`${rule}: passes`, () => {
      expect(validate(c.passes())).toEqual([]);
    });
  }
});

describe('catalogue', () => {
  test('every rule has an id, a severity, a description and a one-line fix', () => {
    for (const r of RULE_CATALOGUE) {
      expect(r.id).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(['error', 'warning']).toContain(r.severity);
      expect(r.description.length).toBeGreaterThan(10);
      expect(r.fix).not.toContain('\n');
    }
    expect(new Set(RULES).size).toBe(RULES.length);
  });
});

describe('schema: API versions a 1.27 API server does not serve', () => {
  test('a removed version is reported with the release that removed it', () => {
    const old = { ...deployment(), apiVersion: 'extensions/v1beta1' };
    const cron = { apiVersion: 'batch/v1beta1', kind: 'CronJob', metadata: { name: 'c', namespace: NS }, spec: {} };
    expect(validate([old, cron]).filter((v) => v.rule === 'schema').map((v) => v.message)).toEqual([
      'apiVersion "extensions/v1beta1" is not served since Kubernetes 1.22 (1.27 rejects it; use the GA version)',
      'apiVersion "batch/v1beta1" is not served since Kubernetes 1.25 (1.27 rejects it; use the GA version)',
    ]);
  });
});
