import { Chart, Testing } from 'cdk8s';
import { k8s } from '../../lib/core/k8s';
import { LeaderWorkerSet, LwsRestartPolicy, LwsStartupPolicy } from '../../lib/workloads/leader-worker-set';
import { GpuResource } from '../../lib/core/gpu';
import { TenantNamespace } from '../../lib/tenancy/tenant-namespace';
import { synth, synthValid } from '../harness';

function template(role: string): k8s.PodTemplateSpec {
  return {
    metadata: { labels: { 'app.kubernetes.io/name': 'llm', 'app.kubernetes.io/component': role } },
    spec: {
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{
        name: 'server',
        image: 'vllm/vllm-openai:v0.8.5',
        args: ['--tensor-parallel-size', '2'],
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        resources: {
          requests: { 'cpu': k8s.Quantity.fromString('4'), 'memory': k8s.Quantity.fromString('32Gi'), 'nvidia.com/gpu': k8s.Quantity.fromNumber(2) },
          limits: { 'memory': k8s.Quantity.fromString('32Gi'), 'nvidia.com/gpu': k8s.Quantity.fromNumber(2) },
        },
      }],
    },
  };
}

function chart(): Chart {
  return new Chart(Testing.app(), 'test');
}

describe('LeaderWorkerSet', () => {
  test('tenant: namespace, placement of both templates, GPU quota of every group at synth', () => {
    const c = chart();
    const tenant = new TenantNamespace(c, 't', {
      name: 'ml-team', quota: { gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 8 }] },
      nodePool: { nodeLabel: { key: 'gpu-platform.dev/pool', value: 'a100' } },
    });
    const l = new LeaderWorkerSet(c, 'lws', { name: 'm', tenant, size: 2, replicas: 2, workerTemplate: template('w'), leaderTemplate: template('l') });
    const obj = synth(c).find((m) => m.kind === 'LeaderWorkerSet');
    expect(l.namespace).toBe('ml-team');
    expect(obj.spec.leaderWorkerTemplate.leaderTemplate.spec.nodeSelector).toEqual({ 'gpu-platform.dev/pool': 'a100' });
    expect(obj.spec.leaderWorkerTemplate.workerTemplate.spec.nodeSelector).toEqual({ 'gpu-platform.dev/pool': 'a100' });
    new LeaderWorkerSet(c, 'big', { name: 'big', tenant, size: 2, replicas: 1, workerTemplate: template('w') });
    expect(() => synth(c)).toThrow("[test/t] quota: given \"12 x nvidia.com/gpu for its workloads together at their peaks (test/lws: 8, test/big: 4)\"");
  });


  test('full output validates against the LWS CRD and matches the snapshot', () => {
    const c = chart();
    new LeaderWorkerSet(c, 'lws', {
      name: 'llama-70b',
      namespace: 'ml-team',
      replicas: 2,
      size: 4,
      leaderTemplate: template('leader'),
      workerTemplate: template('worker'),
      startupPolicy: LwsStartupPolicy.LEADER_READY,
      subGroupSize: 2,
      rolloutStrategy: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromString('50%'), partition: 0 },
      labels: { team: 'ml' },
      annotations: { 'leaderworkerset.sigs.k8s.io/exclusive-topology': 'topology.kubernetes.io/zone' },
    });
    const out = synthValid(c);
    expect(out).toMatchSnapshot();
  });

  test('defaults: 1 group, RecreateGroupOnPodRestart, LeaderCreated, no leaderTemplate, sync wave 0', () => {
    const c = chart();
    const l = new LeaderWorkerSet(c, 'lws', { name: 'm', namespace: 'ml-team', size: 2, workerTemplate: template('worker') });
    const [obj] = synthValid(c);
    expect(obj.apiVersion).toBe('leaderworkerset.x-k8s.io/v1');
    expect(obj.kind).toBe('LeaderWorkerSet');
    expect(obj.metadata.name).toBe('m');
    expect(obj.metadata.namespace).toBe('ml-team');
    expect(obj.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('0');
    expect(obj.spec.replicas).toBe(1);
    expect(obj.spec.startupPolicy).toBe('LeaderCreated');
    expect(obj.spec.leaderWorkerTemplate.size).toBe(2);
    expect(obj.spec.leaderWorkerTemplate.restartPolicy).toBe('RecreateGroupOnPodRestart');
    expect(obj.spec.leaderWorkerTemplate.leaderTemplate).toBeUndefined();
    expect(obj.spec.rolloutStrategy).toEqual({ type: 'RollingUpdate' });
    expect(l.podCount).toBe(2);
    expect(l.name).toBe('m');
    expect(l.apiObject.name).toBe('m');
  });

  test('quantities survive into the templates (never null)', () => {
    const c = chart();
    new LeaderWorkerSet(c, 'lws', { name: 'm', namespace: 'ml-team', size: 2, workerTemplate: template('worker'), leaderTemplate: template('leader') });
    const [obj] = synthValid(c);
    const res = obj.spec.leaderWorkerTemplate.workerTemplate.spec.containers[0].resources;
    expect(res.limits['nvidia.com/gpu']).toBe(2);
    expect(res.requests.memory).toBe('32Gi');
    expect(obj.spec.leaderWorkerTemplate.leaderTemplate.metadata.labels['app.kubernetes.io/component']).toBe('leader');
  });

  test('restart policy None and rollout budget', () => {
    const c = chart();
    new LeaderWorkerSet(c, 'lws', {
      name: 'm', namespace: 'ml-team', size: 3, workerTemplate: template('worker'), restartPolicy: LwsRestartPolicy.NONE,
      rolloutStrategy: { maxUnavailable: k8s.IntOrString.fromNumber(2) },
    });
    const [obj] = synthValid(c);
    expect(obj.spec.leaderWorkerTemplate.restartPolicy).toBe('None');
    expect(obj.spec.rolloutStrategy.rollingUpdateConfiguration).toEqual({ maxUnavailable: 2 });
  });

  test('omitReplicas leaves spec.replicas to an HPA / KEDA (Argo CD would reset it); podCount still uses replicas', () => {
    const c = chart();
    const l = new LeaderWorkerSet(c, 'lws', { name: 'm', namespace: 'ml-team', size: 2, replicas: 3, omitReplicas: true, workerTemplate: template('worker') });
    new k8s.KubeHorizontalPodAutoscalerV2(c, 'hpa', {
      metadata: { name: 'm', namespace: 'ml-team' },
      spec: {
        scaleTargetRef: { apiVersion: 'leaderworkerset.x-k8s.io/v1', kind: 'LeaderWorkerSet', name: 'm' }, minReplicas: 3, maxReplicas: 6,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      },
    });
    const [obj] = synthValid(c);
    expect(obj.kind).toBe('LeaderWorkerSet');
    expect('replicas' in obj.spec).toBe(false);
    expect(l.replicasOmitted).toBe(true);
    expect(l.podCount).toBe(6);
    const fixed = new LeaderWorkerSet(chart(), 'lws', { name: 'm', namespace: 'ml-team', size: 2, replicas: 3, workerTemplate: template('worker') });
    expect(fixed.replicasOmitted).toBe(false);
    expect(fixed.apiObject.toJson().spec.replicas).toBe(3);
  });

  test('sub-groups: LeaderWorker when size divides, LeaderExcluded when only the workers divide', () => {
    const c = chart();
    new LeaderWorkerSet(c, 'a', { name: 'a', namespace: 'ml-team', size: 4, subGroupSize: 2, workerTemplate: template('w') });
    new LeaderWorkerSet(c, 'b', { name: 'b', namespace: 'ml-team', size: 5, subGroupSize: 2, workerTemplate: template('w') });
    const [a, b] = synthValid(c);
    expect(a.spec.leaderWorkerTemplate.subGroupPolicy).toEqual({ subGroupSize: 2, subGroupPolicyType: 'LeaderWorker' });
    expect(b.spec.leaderWorkerTemplate.subGroupPolicy).toEqual({ subGroupSize: 2, subGroupPolicyType: 'LeaderExcluded' });
  });

  describe('errors', () => {
    test('no namespace and no tenant (never a silent "default")', () => {
      expect(() => new LeaderWorkerSet(chart(), 'lws', { name: 'm', size: 2, workerTemplate: template('w') }))
        .toThrow('[test/lws] namespace: given undefined; allowed: a namespace, or a tenant to take it from');
    });
    test('size < 1', () => {
      expect(() => new LeaderWorkerSet(chart(), 'lws', { name: 'm', namespace: 'ml-team', size: 0, workerTemplate: template('w') }))
        .toThrow('[test/lws] size: given 0; allowed: an integer >= 1');
    });
    test('replicas < 0', () => {
      expect(() => new LeaderWorkerSet(chart(), 'lws', { name: 'm', namespace: 'ml-team', size: 1, replicas: -1, workerTemplate: template('w') }))
        .toThrow('[test/lws] replicas: given -1; allowed: an integer from 0 to 1000000');
    });
    test('name not a DNS label', () => {
      expect(() => new LeaderWorkerSet(chart(), 'lws', { name: 'Bad_Name', namespace: 'ml-team', size: 1, workerTemplate: template('w') }))
        .toThrow(/\[test\/lws\] name: given "Bad_Name"; allowed: a DNS-1123 label of at most 63 characters/);
    });
    test('subGroupSize that divides neither size nor size - 1', () => {
      expect(() => new LeaderWorkerSet(chart(), 'lws', { name: 'm', namespace: 'ml-team', size: 8, subGroupSize: 3, workerTemplate: template('w') }))
        .toThrow('[test/lws] subGroupSize: given 3; allowed: a divisor of size (8) or of size - 1 (7)');
    });
    test('maxSurge that is neither an integer nor a percentage', () => {
      expect(() => new LeaderWorkerSet(chart(), 'lws', {
        name: 'm', namespace: 'ml-team', size: 2, workerTemplate: template('w'), rolloutStrategy: { maxSurge: k8s.IntOrString.fromString('half') },
      })).toThrow('[test/lws] rolloutStrategy.maxSurge: given "half"; allowed: a non-negative integer or a percentage such as "25%"');
    });
  });
});
