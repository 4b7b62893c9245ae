import { validate } from '../harness';

const ns = (name: string, annotations: { [k: string]: string } = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, annotations } });
const RESTRICTED = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };

function deployment(spec: any, namespace = 'team'): any {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          ...spec,
          containers: (spec.containers ?? [{}]).map((c: any) => ({ name: 'c', image: 'nginx:1.27', securityContext: RESTRICTED, ...c })),
        },
      },
    },
  };
}
const res = (limits: any, requests?: any) => ({ resources: { limits, ...(requests ? { requests } : {}) } });
const messages = (ms: any[], rule: string) => validate(ms).filter((v) => v.rule === rule).map((v) => v.message);

describe('rule admission', () => {
  const limitRange = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'limits', namespace: 'team' }, spec: { limits: [
    { type: 'Container', max: { memory: '4Gi' }, min: { cpu: '100m' }, default: { cpu: '1', memory: '1Gi' }, defaultRequest: { cpu: '250m', memory: '512Mi' }, maxLimitRequestRatio: { cpu: '4' } },
  ] } };
  test('LimitRange: defaults applied, then min, max and ratio per container', () => {
    expect(messages([ns('team'), limitRange, deployment({ containers: [res({ memory: '8Gi' })] })], 'admission')).toEqual([
      'spec.template.spec container c in namespace team: memory limit 8589934592 is above the LimitRange max 4294967296',
    ]);
    expect(messages([limitRange, deployment({ containers: [res({ cpu: '2' }, { cpu: '50m' })] })], 'admission')).toEqual([
      'spec.template.spec container c in namespace team: cpu request 0.05 is below the LimitRange min 0.1',
      'spec.template.spec container c in namespace team: cpu limit/request ratio 40 is above the LimitRange maxLimitRequestRatio 4',
    ]);
    // A max makes a limit mandatory (LimitRanger: "maximum ... usage per Container ... No limit is specified").
    const gpuRange = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'gpu', namespace: 'team' }, spec: { limits: [{ type: 'Container', max: { 'nvidia.com/gpu': '2' } }] } };
    expect(messages([gpuRange, deployment({ containers: [res({ 'nvidia.com/gpu': 4 })] })], 'admission')).toEqual([
      'spec.template.spec container c in namespace team: nvidia.com/gpu limit 4 is above the LimitRange max 2',
    ]);
    expect(messages([gpuRange, deployment({ containers: [res({ cpu: '1' })] })], 'admission')).toEqual([
      'spec.template.spec container c in namespace team: no nvidia.com/gpu limit, and LimitRange max 2 requires one',
    ]);
    expect(messages([limitRange, deployment({ containers: [{}] })], 'admission')).toEqual([]);
  });

  test('ResourceQuota: one pod above the whole quota can never be admitted (init containers count at their max)', () => {
    const quota = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'team' }, spec: { hard: { 'requests.nvidia.com/gpu': '2', 'limits.memory': '8Gi' } } };
    expect(messages([quota, deployment({ containers: [res({ 'nvidia.com/gpu': 4, 'memory': '1Gi' })] })], 'admission')).toEqual([
      'spec.template.spec: one pod uses requests.nvidia.com/gpu 4, above ResourceQuota q hard 2 in namespace team: it can never be admitted',
    ]);
    expect(messages([quota, deployment({ containers: [res({ memory: '6Gi' })], initContainers: [{ name: 'i', image: 'busybox:1', securityContext: RESTRICTED, ...res({ memory: '1Gi' }) }] })], 'admission')).toEqual([]);
  });

  test('PriorityClass and ServiceAccount must exist when the namespace is in the output', () => {
    const pod = deployment({ priorityClassName: 'inference-high', serviceAccountName: 'runner' });
    expect(messages([ns('team'), pod], 'admission')).toEqual([
      'spec.template.spec.priorityClassName: PriorityClass "inference-high" is not in the output; the Priority admission plugin refuses the pod (create it, e.g. PlatformPriorityClass)',
      'spec.template.spec.serviceAccountName: ServiceAccount team/runner is not in the output; the pods are refused until it exists',
    ]);
    const pc = { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'inference-high' }, value: 1000 };
    const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'runner', namespace: 'team' } };
    expect(messages([ns('team'), pc, sa, pod], 'admission')).toEqual([]);
    // A fragment (no Namespace object): existence is not judged.
    expect(messages([pod], 'admission')).toEqual([]);
    expect(messages([ns('team'), deployment({ priorityClassName: 'system-cluster-critical' })], 'admission')).toEqual([]);
  });
});

describe('rule scheduling', () => {
  const pool = ns('team', {
    'scheduler.alpha.kubernetes.io/node-selector': 'pool=gpu',
    'scheduler.alpha.kubernetes.io/defaultTolerations': JSON.stringify([{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' }]),
  });
  test('a pod on the pool must tolerate its taint', () => {
    expect(messages([pool, deployment({ nodeSelector: { pool: 'gpu' } })], 'scheduling')).toEqual([
      'spec.template.spec.tolerations: the pod selects the pool (pool=gpu) but does not tolerate its taint nvidia.com/gpu=present:NoSchedule; it stays Pending',
    ]);
    expect(messages([pool, deployment({ nodeSelector: { pool: 'gpu' }, tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] })], 'scheduling')).toEqual([]);
  });
  test('a selector that conflicts with the pool, or contradicts its own affinity', () => {
    expect(messages([pool, deployment({ nodeSelector: { pool: 'cpu' } })], 'scheduling')).toEqual([
      'spec.template.spec.nodeSelector: pool=cpu conflicts with the namespace\'s pool pool=gpu (PodNodeSelector refuses the pod)',
    ]);
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } };
    expect(messages([deployment({ nodeSelector: { zone: 'b' }, affinity })], 'scheduling')).toEqual([
      'spec.template.spec: nodeSelector zone=b contradicts every required node affinity term; no node can match',
    ]);
  });
  test('GPUs per pod against the GPUs per node the pod pins', () => {
    expect(messages([deployment({ nodeSelector: { 'nvidia.com/gpu.count': '4' }, containers: [res({ 'nvidia.com/gpu': 8 })] })], 'scheduling')).toEqual([
      'spec.template.spec: 8 GPUs per pod, but the nodes it selects have 4 (nvidia.com/gpu.count); it can never be scheduled',
    ]);
  });
});
