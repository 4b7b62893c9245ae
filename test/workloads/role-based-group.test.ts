import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { GpuResource } from '../../lib/core/gpu';
import { k8s } from '../../lib/core/k8s';
import { Cpu, Memory } from '../../lib/core/quantity';
import { ITenant, NodePlacement, TenantQuotaView } from '../../lib/core/tenant';
import { Application } from '../../lib/gitops/application';
import { Autoscaling, PodMetric } from '../../lib/inference/autoscaling';
import { ServingEngine } from '../../lib/serving/engine';
import {
  RbgApiVersion, RbgMode, RoleBasedGroup, RoleBasedGroupProps, RoleRestartPolicy, RoleWorkload,
} from '../../lib/workloads';
import { synth, synthValid } from '../harness';

class FakeTenant extends Construct implements ITenant {
  public readonly tenantName = 'ml-team';
  public readonly namespaceName = 'ml-team';
  public readonly placement: NodePlacement = {
    nodeSelector: { 'gpu-platform.dev/pool': 'gpu-a100' },
    tolerations: [{ key: 'gpu-platform.dev/pool', operator: 'Equal', value: 'gpu-a100', effect: 'NoSchedule' }],
  };
  constructor(scope: Construct, public readonly quota: TenantQuotaView) {
    super(scope, 'tenant');
  }
}

function chart(): Chart {
  return new Chart(Testing.app(), 'test');
}

const RESTRICTED: k8s.SecurityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };

/** A small Pod Security restricted template for roles that do not run a model server. */
function template(image = 'nginxinc/nginx-unprivileged:1.27'): k8s.PodTemplateSpec {
  return {
    spec: {
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{
        name: 'app',
        image,
        ports: [{ name: 'http', containerPort: 8080 }],
        resources: { limits: { cpu: k8s.Quantity.fromString('1'), memory: k8s.Quantity.fromString('1Gi') } },
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      }],
    },
  };
}

function gpuTemplate(gpus: number): k8s.PodTemplateSpec {
  const t = template('vllm/vllm-openai:v0.8.5');
  const c = t.spec!.containers[0];
  return { spec: { ...t.spec!, containers: [{ ...c, resources: { limits: { ...c.resources!.limits, 'nvidia.com/gpu': k8s.Quantity.fromNumber(gpus) } } }] } };
}

const SGLANG = {
  engine: ServingEngine.sglang(),
  image: 'lmsysorg/sglang:v0.5.3.post3',
  routerImage: 'lmsysorg/sglang-router:v0.2.2',
  model: 'Qwen/Qwen3-8B',
};

function seed(scope: Construct, props: { mode?: RbgMode; apiVersion?: RbgApiVersion; tenant?: ITenant } = {}): RoleBasedGroup {
  return RoleBasedGroup.prefillDecode(scope, 'pd', {
    name: 'sglang-pd',
    namespace: props.tenant ? undefined : 'ml-team',
    ...SGLANG,
    prefill: { replicas: 2, gpu: { count: 1 } },
    decode: { replicas: 2, nodes: 2, gpu: { count: 1 } },
    gangScheduling: { kubeScheduling: { scheduleTimeoutSeconds: 120 } },
    ...props,
  });
}

function rbgOf(manifests: any[]): any {
  return manifests.find((m) => m.kind === 'RoleBasedGroup');
}
function role(manifests: any[], name: string): any {
  const r = rbgOf(manifests).spec.roles.find((x: any) => x.name === name);
  expect(r).toBeDefined();
  return r;
}
function find(manifests: any[], kind: string, name: string): any {
  const m = manifests.find((x) => x.kind === kind && x.metadata.name === name);
  expect(m).toBeDefined();
  return m;
}

/** Two roles without dependencies: the RBG controller's own gang (every pod) can fill. */
const INDEPENDENT_ROLES = [
  { name: 'a', template: template(), replicas: 2 },
  { name: 'b', template: gpuTemplate(1), workload: RoleWorkload.LEADER_WORKER_SET, leaderWorkerSet: { size: 2 } },
];

function basic(extra: Partial<RoleBasedGroupProps> = {}): RoleBasedGroupProps {
  return {
    name: 'grp',
    namespace: 'ml-team',
    roles: [
      { name: 'a', template: template() },
      { name: 'b', template: template(), dependencies: ['a'] },
    ],
    ...extra,
  };
}

describe('RoleBasedGroup: controller mode, v1alpha1', () => {
  test('the SGLang prefill/decode seed validates against the CRD and matches the snapshot', () => {
    const c = chart();
    seed(c);
    expect(synthValid(c)).toMatchSnapshot();
  });

  test('emits workloads.x-k8s.io/v1alpha1 with every role, replicas and workload kind', () => {
    const c = chart();
    seed(c);
    const out = synthValid(c);
    const obj = rbgOf(out);
    expect(obj.apiVersion).toBe('workloads.x-k8s.io/v1alpha1');
    expect(obj.metadata).toMatchObject({ name: 'sglang-pd', namespace: 'ml-team' });
    expect(obj.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('0');
    expect(obj.spec.roles.map((r: any) => [r.name, r.replicas, r.workload.kind])).toEqual([
      ['router', 1, 'Deployment'], ['prefill', 2, 'StatefulSet'], ['decode', 2, 'LeaderWorkerSet'],
    ]);
    expect(role(out, 'router').dependencies).toEqual(['prefill', 'decode']);
  });

  test('LWS role: size, worker template without ports or probes, leader patch adds them', () => {
    const c = chart();
    seed(c);
    const decode = role(synthValid(c), 'decode');
    expect(decode.leaderWorkerSet.size).toBe(2);
    const worker = decode.template.spec.containers[0];
    expect(worker.ports).toBeUndefined();
    expect(worker.readinessProbe).toBeUndefined();
    expect(worker.args).toEqual(expect.arrayContaining(['--disaggregation-mode', 'decode', '--nnodes', '$(LWS_GROUP_SIZE)', '--node-rank', '$(LWS_WORKER_INDEX)']));
    const leader = decode.leaderWorkerSet.patchLeaderTemplate.spec.containers[0];
    expect(leader.name).toBe('server');
    expect(leader.ports).toEqual([{ name: 'http', containerPort: 30000, protocol: 'TCP' }]);
    expect(leader.readinessProbe.httpGet.path).toBe('/health');
  });

  test('SGLang preset args: prefill bootstrap port, router lists every prefill and decode instance', () => {
    const c = chart();
    seed(c);
    const out = synthValid(c);
    expect(role(out, 'prefill').template.spec.containers[0].args).toEqual(expect.arrayContaining([
      '--disaggregation-mode', 'prefill', '--disaggregation-bootstrap-port', '8998', '--disaggregation-transfer-backend', 'nixl',
    ]));
    expect(role(out, 'prefill').servicePorts).toEqual([{ name: 'http', port: 30000 }, { name: 'bootstrap', port: 8998 }]);
    const router = role(out, 'router').template.spec.containers[0];
    expect(router.command).toEqual(['python3', '-m', 'sglang_router.launch_router']);
    expect(router.args).toEqual([
      '--pd-disaggregation',
      '--prefill', 'http://sglang-pd-prefill-0.s-sglang-pd-prefill:30000', '8998',
      '--prefill', 'http://sglang-pd-prefill-1.s-sglang-pd-prefill:30000', '8998',
      '--decode', 'http://sglang-pd-decode-0.sglang-pd-decode:30000',
      '--decode', 'http://sglang-pd-decode-1.sglang-pd-decode:30000',
      '--host', '0.0.0.0', '--port', '8000', '--prometheus-host', '0.0.0.0', '--prometheus-port', '29000',
    ]);
    expect(router.resources.limits['nvidia.com/gpu']).toBeUndefined();
  });

  test('vLLM preset: NixlConnector on both sides and the vLLM router', () => {
    const c = chart();
    RoleBasedGroup.prefillDecode(c, 'pd', {
      name: 'vllm-pd', namespace: 'ml-team', engine: ServingEngine.vllm(), image: 'vllm/vllm-openai:v0.11.0',
      routerImage: 'ghcr.io/vllm-project/router:v0.1.0', model: 'Qwen/Qwen3-8B',
      prefill: { gpu: { count: 1 } }, decode: { gpu: { count: 2 } },
    });
    const out = synthValid(c);
    expect(out).toMatchSnapshot();
    for (const r of ['prefill', 'decode']) {
      expect(role(out, r).template.spec.containers[0].args).toEqual(expect.arrayContaining([
        '--kv-transfer-config', '{"kv_connector":"NixlConnector","kv_role":"kv_both"}',
      ]));
    }
    const router = role(out, 'router').template.spec.containers[0];
    expect(router.command).toEqual(['vllm-router']);
    expect(router.args.slice(0, 5)).toEqual([
      '--vllm-pd-disaggregation', '--prefill', 'http://vllm-pd-prefill-0.s-vllm-pd-prefill:8000', '--decode', 'http://vllm-pd-decode-0.s-vllm-pd-decode:8000',
    ]);
  });

  test('preset: the shared ModelServerOptions reach prefill and decode; roles override cpu / memory and add args after the group\'s', () => {
    const c = chart();
    RoleBasedGroup.prefillDecode(c, 'pd', {
      name: 'sglang-pd', namespace: 'ml-team', ...SGLANG,
      cpu: Cpu.cores(8), memory: Memory.gibibytes(64), shmSize: Memory.gibibytes(16),
      extraArgs: ['--mem-fraction-static', '0.85'],
      env: [{ name: 'NCCL_DEBUG', value: 'WARN' }],
      hfTokenSecret: { name: 'hf', key: 'token' },
      security: { runAsUser: 2000, runAsGroup: 2000 },
      modelCache: { claimName: 'model-cache', readOnly: true },
      offline: true,
      prefill: { gpu: { count: 1 }, extraArgs: ['--chunked-prefill-size', '8192'] },
      decode: { gpu: { count: 1 }, memory: Memory.gibibytes(96) },
    });
    const out = synthValid(c);
    const server = (r: string) => role(out, r).template.spec.containers[0];
    const prefill = server('prefill');
    const decode = server('decode');
    expect(prefill.resources.limits).toMatchObject({ cpu: '8', memory: '64Gi' });
    expect(decode.resources.limits).toMatchObject({ cpu: '8', memory: '96Gi' });
    // Preset args first, then the group's, then the role's.
    expect(prefill.args.slice(-4)).toEqual(['--mem-fraction-static', '0.85', '--chunked-prefill-size', '8192']);
    expect(decode.args.slice(-2)).toEqual(['--mem-fraction-static', '0.85']);
    for (const pod of [prefill, decode]) {
      expect(pod.env).toEqual(expect.arrayContaining([
        { name: 'NCCL_DEBUG', value: 'WARN' },
        { name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf', key: 'token' } } },
        { name: 'HF_HUB_OFFLINE', value: '1' },
      ]));
    }
    for (const r of ['prefill', 'decode', 'router']) expect(role(out, r).template.spec.securityContext.runAsUser).toBe(2000);
    const volumes = role(out, 'decode').template.spec.volumes;
    expect(volumes).toEqual(expect.arrayContaining([expect.objectContaining({ persistentVolumeClaim: { claimName: 'model-cache', readOnly: true } })]));
    expect(volumes.find((v: any) => v.name === 'dshm').emptyDir.sizeLimit).toBe('16Gi');
    // The router shares only the security settings: no token, no cache, its own small size.
    const router = server('router');
    expect(router.env.some((e: any) => e.name === 'HF_TOKEN' || e.name === 'NCCL_DEBUG')).toBe(false);
    expect(router.resources.limits).toMatchObject({ cpu: '2', memory: '4Gi' });
  });

  test('kube gang scheduling without dependencies: podGroupPolicy, and every pod carries the current scheduler-plugins label and schedulerName', () => {
    const c = chart();
    const g = new RoleBasedGroup(c, 'g', basic({ roles: INDEPENDENT_ROLES, gangScheduling: { kubeScheduling: { scheduleTimeoutSeconds: 120 } } }));
    const out = synthValid(c);
    const obj = rbgOf(out);
    expect(obj.spec.podGroupPolicy).toEqual({ kubeScheduling: { scheduleTimeoutSeconds: 120 } });
    for (const r of obj.spec.roles) {
      expect(r.template.metadata.labels['scheduling.x-k8s.io/pod-group']).toBe('grp');
      expect(r.template.spec.schedulerName).toBe('scheduler-plugins-scheduler');
    }
    // The controller creates the PodGroup (minMember = every pod); the construct emits none.
    expect(out.some((m) => m.kind === 'PodGroup')).toBe(false);
    expect(g.podGroup).toBeUndefined();
    expect(g.gangPodCount).toBe(g.podCount);
  });

  test('Volcano gang scheduling without dependencies: queue, priority, schedulerName volcano and the group-name annotation', () => {
    const c = chart();
    new RoleBasedGroup(c, 'g', basic({ roles: INDEPENDENT_ROLES, gangScheduling: { volcanoScheduling: { queue: 'gpu', priorityClassName: 'inference' } } }));
    const out = synthValid(c);
    const obj = rbgOf(out);
    expect(obj.spec.podGroupPolicy).toEqual({ volcanoScheduling: { queue: 'gpu', priorityClassName: 'inference' } });
    for (const r of obj.spec.roles) {
      expect(r.template.spec.schedulerName).toBe('volcano');
      expect(r.template.metadata.annotations['scheduling.k8s.io/group-name']).toBe('grp');
    }
    expect(out.some((m) => m.kind === 'PodGroup')).toBe(false);
  });

  test('router Service: ClusterIP, selects the construct\'s own labels on the router template', () => {
    const c = chart();
    seed(c);
    const out = synthValid(c);
    const svc = find(out, 'Service', 'sglang-pd');
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.selector).toEqual({
      'app.kubernetes.io/name': 'sglang-pd', 'app.kubernetes.io/instance': 'sglang-pd', 'app.kubernetes.io/component': 'router',
    });
    expect(svc.spec.ports).toEqual([{ name: 'http', port: 8000, targetPort: 'http', protocol: 'TCP' }]);
    expect(Object.keys(svc.spec.selector).some((k) => k.includes('rolebasedgroup') || k.includes('rbg.'))).toBe(false);
    const labels = role(out, 'router').template.metadata.labels;
    for (const [k, v] of Object.entries(svc.spec.selector)) expect(labels[k]).toBe(v);
  });

  test('per-role autoscaling: scalingAdapter enabled, HPA targets the RoleBasedGroupScalingAdapter <rbg>-<role>', () => {
    const c = chart();
    new RoleBasedGroup(c, 'g', basic({
      roles: [{
        name: 'a', template: template(),
        autoscaling: Autoscaling.hpa({ maxReplicas: 4, cpuUtilization: 70 }),
      }],
    }));
    const out = synthValid(c);
    expect(role(out, 'a').scalingAdapter).toEqual({ enable: true });
    const hpa = find(out, 'HorizontalPodAutoscaler', 'grp-a');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'workloads.x-k8s.io/v1alpha1', kind: 'RoleBasedGroupScalingAdapter', name: 'grp-a' });
    expect(hpa.spec.minReplicas).toBe(1);
    expect(hpa.spec.maxReplicas).toBe(4);
  });

  test('ignoreDifferences: the autoscaled roles\' replicas inside the RoleBasedGroup, matched by role name', () => {
    const hpa = Autoscaling.hpa({ maxReplicas: 4, cpuUtilization: 70 });
    const roles = [
      { name: 'a', template: template(), autoscaling: hpa },
      { name: 'b', template: template(), dependencies: ['a'] },
      { name: 'c', template: template(), replicas: 2, autoscaling: hpa },
    ];
    for (const apiVersion of [RbgApiVersion.V1ALPHA1, RbgApiVersion.V1ALPHA2]) {
      const c = chart();
      const g = new RoleBasedGroup(c, 'g', basic({ apiVersion, roles }));
      const out = synthValid(c);
      // The controller's scaling adapter writes these counts; they stay in Git as the starting point.
      expect(role(out, 'c').replicas).toBe(2);
      expect(g.ignoreDifferences).toEqual([{
        group: 'workloads.x-k8s.io', kind: 'RoleBasedGroup', name: 'grp', namespace: 'ml-team',
        jqPathExpressions: ['.spec.roles[] | select(.name == "a") | .replicas', '.spec.roles[] | select(.name == "c") | .replicas'],
      }]);
    }
    expect(new RoleBasedGroup(chart(), 'g', basic()).ignoreDifferences).toEqual([]);
  });

  test('an Argo CD Application deploying the group ignores those fields and respects them on sync', () => {
    const c = chart();
    new RoleBasedGroup(c, 'g', basic({
      roles: [{ name: 'a', template: template(), autoscaling: Autoscaling.hpa({ maxReplicas: 4, cpuUtilization: 70 }) }],
    }));
    const app = new Application(new Chart(c.node.root as Construct, 'argo'), 'app', {
      name: 'grp', repoUrl: 'https://github.com/example/gitops.git', path: 'dist/grp', contents: [c],
    });
    const spec = synth(app.node.scope as Chart).find((m) => m.kind === 'Application').spec;
    expect(spec.ignoreDifferences).toEqual([{
      group: 'workloads.x-k8s.io', kind: 'RoleBasedGroup', name: 'grp', namespace: 'ml-team',
      jqPathExpressions: ['.spec.roles[] | select(.name == "a") | .replicas'],
    }]);
    expect(spec.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
  });

  test('per-role autoscaling on an engine metric: resolved against the role server\'s engine, the shared HPA behavior', () => {
    const c = chart();
    new RoleBasedGroup(c, 'g', basic({
      roles: [{
        name: 'a', replicas: 2, server: { ...SGLANG, labels: {}, gpu: { count: 1 } },
        autoscaling: Autoscaling.hpa({ maxReplicas: 4, metrics: [PodMetric.queueLength(5)] }),
      }],
    }));
    const hpa = find(synthValid(c), 'HorizontalPodAutoscaler', 'grp-a');
    expect(hpa.spec.minReplicas).toBe(2);
    expect(hpa.spec.metrics).toEqual([{ type: 'Pods', pods: { metric: { name: 'sglang_num_queue_reqs' }, target: { type: 'AverageValue', averageValue: 5 } } }]);
    expect(hpa.spec.behavior).toEqual({
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] },
      scaleDown: { stabilizationWindowSeconds: 600, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 300 }] },
    });
  });

  test('Autoscaling.external: scaling adapter on, replicas ignored, no autoscaler object', () => {
    const c = chart();
    const g = new RoleBasedGroup(c, 'g', basic({ roles: [{ name: 'a', template: template(), autoscaling: Autoscaling.external({ maxReplicas: 3 }) }] }));
    const out = synthValid(c);
    expect(role(out, 'a').scalingAdapter).toEqual({ enable: true });
    expect(out.filter((m) => m.kind === 'HorizontalPodAutoscaler' || m.kind === 'ScaledObject')).toEqual([]);
    expect(g.ignoreDifferences).toHaveLength(1);
  });

  test('per-role autoscaling with KEDA: a ScaledObject with a Prometheus trigger', () => {
    const c = chart();
    new RoleBasedGroup(c, 'g', basic({
      roles: [{
        name: 'a', template: template(), replicas: 2,
        autoscaling: Autoscaling.keda({ maxReplicas: 6, serverAddress: 'http://prometheus.monitoring:9090', metric: PodMetric.named('sglang:num_queue_reqs', 10) }),
      }],
    }));
    const out = synthValid(c);
    const so = find(out, 'ScaledObject', 'grp-a');
    expect(so.apiVersion).toBe('keda.sh/v1alpha1');
    expect(so.spec.scaleTargetRef).toEqual({ apiVersion: 'workloads.x-k8s.io/v1alpha1', kind: 'RoleBasedGroupScalingAdapter', name: 'grp-a' });
    expect(so.spec.minReplicaCount).toBe(2);
    // The one renderer (as GpuInferenceService's): the query sums the series over the role's StatefulSet pods.
    expect(so.spec.triggers[0]).toEqual({
      type: 'prometheus', name: 'sglang-num-queue-reqs', metricType: 'AverageValue',
      metadata: { serverAddress: 'http://prometheus.monitoring:9090', query: 'sum(sglang:num_queue_reqs{namespace="ml-team",pod=~"grp-a-[0-9]+"})', threshold: '10' },
    });
    expect(so.spec).toMatchObject({ pollingInterval: 15, cooldownPeriod: 600, advanced: { horizontalPodAutoscalerConfig: { name: 'grp-a' } } });
  });

  test('role fields: restartPolicy, rolloutStrategy, servicePorts, engineRuntimes, labels, minReadySeconds', () => {
    const c = chart();
    new RoleBasedGroup(c, 'g', basic({
      roles: [{
        name: 'a', template: template(), replicas: 3,
        restartPolicy: RoleRestartPolicy.RECREATE_ROLE_INSTANCE_ON_POD_RESTART,
        rolloutStrategy: { maxUnavailable: k8s.IntOrString.fromString('50%'), maxSurge: k8s.IntOrString.fromNumber(1), partition: 1 },
        servicePorts: [{ name: 'http', port: 8080 }],
        engineRuntimes: [{ profileName: 'sglang-pd-runtime', containers: [{ name: 'patio-runtime', args: ['--instance-info={"data":{"port":8080}}'], securityContext: RESTRICTED }] }],
        labels: { tier: 'gpu' },
        minReadySeconds: 10,
      }],
    }));
    const a = role(synthValid(c), 'a');
    expect(a.restartPolicy).toBe('RecreateRoleInstanceOnPodRestart');
    expect(a.rolloutStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '50%', maxSurge: 1, partition: 1 } });
    expect(a.servicePorts).toEqual([{ name: 'http', port: 8080 }]);
    expect(a.engineRuntimes).toEqual([{ profileName: 'sglang-pd-runtime', containers: [expect.objectContaining({ name: 'patio-runtime', args: ['--instance-info={"data":{"port":8080}}'] })] }]);
    expect(a.labels).toEqual({ tier: 'gpu' });
    expect(a.template.metadata.labels.tier).toBe('gpu');
    expect(a.minReadySeconds).toBe(10);
  });

  test('templateRef: the shared template goes to roleTemplates, the role label travels in templatePatch', () => {
    const c = chart();
    new RoleBasedGroup(c, 'g', {
      name: 'grp', namespace: 'ml-team',
      roleTemplates: [{ name: 'base', template: template() }],
      roles: [
        { name: 'a', templateRef: 'base', templatePatch: { containers: [{ name: 'app', args: ['--role', 'a'] }] } },
        { name: 'b', templateRef: 'base' },
      ],
    });
    const out = synthValid(c);
    const obj = rbgOf(out);
    expect(obj.spec.roleTemplates[0].name).toBe('base');
    expect(obj.spec.roleTemplates[0].template.metadata.labels['app.kubernetes.io/component']).toBeUndefined();
    const a = role(out, 'a');
    expect(a.template).toBeUndefined();
    expect(a.templateRef).toEqual({ name: 'base' });
    expect(a.templatePatch.metadata.labels['app.kubernetes.io/component']).toBe('a');
    expect(a.templatePatch.spec.containers[0]).toMatchObject({ name: 'app', args: ['--role', 'a'] });
    expect(role(out, 'b').templatePatch.metadata.labels['app.kubernetes.io/component']).toBe('b');
  });

  test('LWS role with a raw template and user leader/worker patches', () => {
    const c = chart();
    new RoleBasedGroup(c, 'g', basic({
      roles: [{
        name: 'tp', template: gpuTemplate(1), workload: RoleWorkload.LEADER_WORKER_SET,
        leaderWorkerSet: { size: 3, leaderPatch: { labels: { leader: 'true' }, containers: [{ name: 'app', env: [{ name: 'ROLE', value: 'leader' }] }] } },
      }],
    }));
    const tp = role(synthValid(c), 'tp');
    expect(tp.workload).toEqual({ apiVersion: 'leaderworkerset.x-k8s.io/v1', kind: 'LeaderWorkerSet' });
    expect(tp.leaderWorkerSet.size).toBe(3);
    expect(tp.leaderWorkerSet.patchLeaderTemplate.metadata).toEqual({ labels: { leader: 'true' } });
    expect(tp.leaderWorkerSet.patchLeaderTemplate.spec.containers[0]).toMatchObject({ name: 'app', env: [{ name: 'ROLE', value: 'leader' }] });
  });
});

describe('RoleBasedGroup: controller mode, gang scheduling with dependencies', () => {
  // The controller's PodGroup would count every role (7 pods) while it creates the router only after prefill
  // and decode are Ready: a deadlock. The construct emits its own PodGroup over the roles without dependencies.
  test('no podGroupPolicy; a PodGroup <group>-pg with minMember = the pods of the roles without dependencies', () => {
    const c = chart();
    const g = seed(c);
    const out = synthValid(c);
    expect(rbgOf(out).spec.podGroupPolicy).toBeUndefined();
    const pg = find(out, 'PodGroup', 'sglang-pd-pg');
    expect(pg.apiVersion).toBe('scheduling.x-k8s.io/v1alpha1');
    expect(pg.metadata.namespace).toBe('ml-team');
    // 2 prefill pods + 2 decode instances x 2 pods; not the router.
    expect(pg.spec).toEqual({ minMember: 6, scheduleTimeoutSeconds: 120 });
    // Synced before the RoleBasedGroup, so the members never wait for a missing group.
    expect(pg.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-5');
    expect(g.podGroup?.name).toBe('sglang-pd-pg');
    expect(g.gangPodCount).toBe(6);
    expect(g.podCount).toBe(7);
    expect(out.filter((m) => m.kind === 'PodGroup')).toHaveLength(1);
  });

  test('membership on the roles without dependencies only (LWS: the template the leader patch builds on)', () => {
    const c = chart();
    seed(c);
    const out = synthValid(c);
    for (const name of ['prefill', 'decode']) {
      const t = role(out, name).template;
      expect(t.metadata.labels['scheduling.x-k8s.io/pod-group']).toBe('sglang-pd-pg');
      expect(t.spec.schedulerName).toBe('scheduler-plugins-scheduler');
    }
    // The decode leader is template + patchLeaderTemplate: the patch must not drop the membership.
    const leaderPatch = role(out, 'decode').leaderWorkerSet.patchLeaderTemplate;
    expect(leaderPatch.metadata?.labels?.['scheduling.x-k8s.io/pod-group']).toBeUndefined();
    expect(leaderPatch.spec.schedulerName).toBeUndefined();
    const router = role(out, 'router').template;
    expect(router.metadata.labels['scheduling.x-k8s.io/pod-group']).toBeUndefined();
    expect(router.spec.schedulerName).toBeUndefined();
  });

  test('Volcano: a scheduling.volcano.sh PodGroup, the group-name annotation and schedulerName on the first role only', () => {
    const c = chart();
    new RoleBasedGroup(c, 'g', basic({ gangScheduling: { volcanoScheduling: { queue: 'gpu', priorityClassName: 'inference' } } }));
    const out = synthValid(c);
    expect(rbgOf(out).spec.podGroupPolicy).toBeUndefined();
    expect(find(out, 'PodGroup', 'grp-pg')).toMatchObject({
      apiVersion: 'scheduling.volcano.sh/v1beta1', spec: { minMember: 1, queue: 'gpu', priorityClassName: 'inference' },
    });
    const a = role(out, 'a').template;
    expect(a.metadata.annotations['scheduling.k8s.io/group-name']).toBe('grp-pg');
    expect(a.spec.schedulerName).toBe('volcano');
    const b = role(out, 'b').template;
    expect(b.metadata.annotations?.['scheduling.k8s.io/group-name']).toBeUndefined();
    expect(b.spec.schedulerName).toBeUndefined();
  });

  test('templateRef: the shared template carries no membership; the first role gets it through its templatePatch', () => {
    const c = chart();
    new RoleBasedGroup(c, 'g', {
      name: 'grp', namespace: 'ml-team',
      gangScheduling: { kubeScheduling: {} },
      roleTemplates: [{ name: 'base', template: template() }],
      roles: [
        { name: 'a', templateRef: 'base', replicas: 3 },
        { name: 'b', templateRef: 'base', dependencies: ['a'] },
      ],
    });
    const out = synthValid(c);
    const shared = rbgOf(out).spec.roleTemplates[0].template;
    expect(shared.metadata.labels['scheduling.x-k8s.io/pod-group']).toBeUndefined();
    expect(shared.spec.schedulerName).toBeUndefined();
    const a = role(out, 'a').templatePatch;
    expect(a.metadata.labels).toMatchObject({ 'app.kubernetes.io/component': 'a', 'scheduling.x-k8s.io/pod-group': 'grp-pg' });
    expect(a.spec).toEqual({ schedulerName: 'scheduler-plugins-scheduler' });
    const b = role(out, 'b').templatePatch;
    expect(b.metadata.labels['scheduling.x-k8s.io/pod-group']).toBeUndefined();
    expect(b.spec).toBeUndefined();
    expect(find(out, 'PodGroup', 'grp-pg').spec.minMember).toBe(3);
  });

  test('v1alpha2: no group-gang-scheduling annotations, the same PodGroup and membership in the patterns', () => {
    const c = chart();
    seed(c, { apiVersion: RbgApiVersion.V1ALPHA2 });
    const out = synthValid(c);
    const obj = rbgOf(out);
    expect(Object.keys(obj.metadata.annotations).filter((k) => k.includes('gang-scheduling'))).toEqual([]);
    expect(find(out, 'PodGroup', 'sglang-pd-pg').spec.minMember).toBe(6);
    expect(role(out, 'prefill').standalonePattern.template.metadata.labels['scheduling.x-k8s.io/pod-group']).toBe('sglang-pd-pg');
    expect(role(out, 'decode').leaderWorkerPattern.template.spec.schedulerName).toBe('scheduler-plugins-scheduler');
    expect(role(out, 'router').standalonePattern.template.spec.schedulerName).toBeUndefined();
  });
});

describe('RoleBasedGroup: controller mode, v1alpha2', () => {
  test('standalone and leader-worker patterns validate against the v1alpha2 schema and match the snapshot', () => {
    const c = chart();
    seed(c, { apiVersion: RbgApiVersion.V1ALPHA2 });
    const out = synthValid(c);
    expect(out).toMatchSnapshot();
    const obj = rbgOf(out);
    expect(obj.apiVersion).toBe('workloads.x-k8s.io/v1alpha2');
    expect(obj.spec.podGroupPolicy).toBeUndefined();
    const prefill = role(out, 'prefill');
    expect(prefill.standalonePattern.template.spec.containers[0].name).toBe('server');
    expect(prefill.workload).toBeUndefined();
    const router = role(out, 'router');
    expect(router.annotations['rbg.workloads.x-k8s.io/role-workload-type']).toBe('apps/v1/Deployment');
    const decode = role(out, 'decode');
    expect(decode.leaderWorkerPattern.size).toBe(2);
    expect(decode.leaderWorkerPattern.leaderTemplatePatch.spec.containers[0].ports[0].containerPort).toBe(30000);
  });

  test('gang scheduling without dependencies becomes the group-gang-scheduling annotations', () => {
    const c = chart();
    new RoleBasedGroup(c, 'g', basic({
      apiVersion: RbgApiVersion.V1ALPHA2, roles: INDEPENDENT_ROLES, gangScheduling: { kubeScheduling: { scheduleTimeoutSeconds: 120 } },
    }));
    const out = synthValid(c);
    expect(rbgOf(out).metadata.annotations).toMatchObject({
      'rbg.workloads.x-k8s.io/group-gang-scheduling': 'true',
      'rbg.workloads.x-k8s.io/group-gang-scheduling-timeout': '120',
    });
    expect(role(out, 'a').standalonePattern.template.metadata.labels['scheduling.x-k8s.io/pod-group']).toBe('grp');
    expect(out.some((m) => m.kind === 'PodGroup')).toBe(false);
  });

  test('role fields in v1alpha2: rolloutStrategy, servicePorts, engineRuntimes, dependencies validate against the schema', () => {
    const c = chart();
    new RoleBasedGroup(c, 'g', basic({
      apiVersion: RbgApiVersion.V1ALPHA2,
      roles: [
        { name: 'a', template: template() },
        {
          name: 'b', template: template(), replicas: 2, dependencies: ['a'],
          rolloutStrategy: { maxUnavailable: k8s.IntOrString.fromString('50%'), partition: 1 },
          servicePorts: [{ name: 'http', port: 8080 }],
          engineRuntimes: [{ profileName: 'patio', injectContainers: ['patio-runtime'] }],
        },
      ],
    }));
    const b = role(synthValid(c), 'b');
    expect(b.dependencies).toEqual(['a']);
    expect(b.rolloutStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '50%', partition: 1 } });
    expect(b.servicePorts).toEqual([{ name: 'http', port: 8080 }]);
    expect(b.engineRuntimes).toEqual([{ profileName: 'patio', injectContainers: ['patio-runtime'] }]);
  });

  test('HPA targets the v1alpha2 scaling adapter, restart policy goes to restartPolicyConfig', () => {
    const c = chart();
    new RoleBasedGroup(c, 'g', basic({
      apiVersion: RbgApiVersion.V1ALPHA2,
      roles: [{
        name: 'a', template: gpuTemplate(1), workload: RoleWorkload.LEADER_WORKER_SET, leaderWorkerSet: { size: 2 },
        restartPolicy: RoleRestartPolicy.NONE,
        autoscaling: Autoscaling.hpa({ maxReplicas: 2, cpuUtilization: 70 }),
      }],
    }));
    const out = synthValid(c);
    expect(role(out, 'a').leaderWorkerPattern.restartPolicyConfig).toEqual({ type: 'None' });
    expect(find(out, 'HorizontalPodAutoscaler', 'grp-a').spec.scaleTargetRef.apiVersion).toBe('workloads.x-k8s.io/v1alpha2');
  });
});

describe('RoleBasedGroup: native mode', () => {
  test('the seed expands into workloads, headless Services and a PodGroup, and matches the snapshot', () => {
    const c = chart();
    seed(c, { mode: RbgMode.NATIVE });
    const out = synthValid(c);
    expect(out).toMatchSnapshot();
    expect(out.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([
      'PodGroup/sglang-pd',
      'Deployment/sglang-pd-router', 'Service/s-sglang-pd-router',
      'StatefulSet/sglang-pd-prefill', 'Service/s-sglang-pd-prefill',
      'LeaderWorkerSet/sglang-pd-decode', 'Service/s-sglang-pd-decode',
      'Service/sglang-pd',
    ]);
    expect(out.some((m) => m.kind === 'RoleBasedGroup')).toBe(false);
  });

  test('PodGroup minMember is the total pod count when no role has dependencies', () => {
    const c = chart();
    const g = new RoleBasedGroup(c, 'g', basic({
      mode: RbgMode.NATIVE,
      gangScheduling: { kubeScheduling: {} },
      roles: [
        { name: 'a', template: gpuTemplate(1), replicas: 2 },
        { name: 'b', template: gpuTemplate(1), replicas: 3, workload: RoleWorkload.LEADER_WORKER_SET, leaderWorkerSet: { size: 2 } },
      ],
    }));
    const out = synthValid(c);
    expect(find(out, 'PodGroup', 'grp').spec).toEqual({ minMember: 8, scheduleTimeoutSeconds: 60 });
    expect(g.podCount).toBe(8);
    expect(g.gangPodCount).toBe(8);
  });

  test('with dependencies the gang covers the first sync wave: 2 prefill + 2 x 2 decode, not the router that starts after them', () => {
    const c = chart();
    const g = seed(c, { mode: RbgMode.NATIVE });
    const out = synthValid(c);
    const pg = find(out, 'PodGroup', 'sglang-pd');
    expect(pg.apiVersion).toBe('scheduling.x-k8s.io/v1alpha1');
    expect(pg.spec).toEqual({ minMember: 6, scheduleTimeoutSeconds: 120 });
    expect(g.podCount).toBe(7);
    expect(g.gangPodCount).toBe(6);
    const router = find(out, 'Deployment', 'sglang-pd-router').spec.template;
    expect(router.metadata.labels['scheduling.x-k8s.io/pod-group']).toBeUndefined();
    expect(router.spec.schedulerName).toBeUndefined();
  });

  test('dependencies become sync waves: WORKLOAD + depth in the DAG', () => {
    const c = chart();
    new RoleBasedGroup(c, 'g', {
      name: 'grp', namespace: 'ml-team', mode: RbgMode.NATIVE,
      roles: [
        { name: 'c', template: template(), dependencies: ['b', 'a'] },
        { name: 'a', template: template() },
        { name: 'b', template: template(), dependencies: ['a'] },
      ],
    });
    const out = synthValid(c);
    const wave = (kind: string, name: string) => find(out, kind, name).metadata.annotations['argocd.argoproj.io/sync-wave'];
    expect(wave('StatefulSet', 'grp-a')).toBe('0');
    expect(wave('StatefulSet', 'grp-b')).toBe('1');
    expect(wave('StatefulSet', 'grp-c')).toBe('2');
    expect(wave('Service', 's-grp-c')).toBe('2');
  });

  test('StatefulSet: controller names, headless Service, Parallel pod management, own selector labels', () => {
    const c = chart();
    seed(c, { mode: RbgMode.NATIVE });
    const out = synthValid(c);
    const sts = find(out, 'StatefulSet', 'sglang-pd-prefill');
    expect(sts.spec.serviceName).toBe('s-sglang-pd-prefill');
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(sts.spec.replicas).toBe(2);
    expect(sts.spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'sglang-pd', 'app.kubernetes.io/instance': 'sglang-pd', 'app.kubernetes.io/component': 'prefill',
    });
    expect(sts.spec.template.metadata.labels['scheduling.x-k8s.io/pod-group']).toBe('sglang-pd');
    const svc = find(out, 'Service', 's-sglang-pd-prefill');
    expect(svc.spec.clusterIP).toBe('None');
    expect(svc.spec.publishNotReadyAddresses).toBe(true);
    expect(svc.spec.selector).toEqual(sts.spec.selector.matchLabels);
  });

  test('LeaderWorkerSet role: leader and worker templates from the engine, restart policy mapped', () => {
    const c = chart();
    seed(c, { mode: RbgMode.NATIVE });
    const lws = find(synthValid(c), 'LeaderWorkerSet', 'sglang-pd-decode');
    expect(lws.spec.replicas).toBe(2);
    expect(lws.spec.leaderWorkerTemplate.size).toBe(2);
    expect(lws.spec.leaderWorkerTemplate.restartPolicy).toBe('RecreateGroupOnPodRestart');
    expect(lws.spec.leaderWorkerTemplate.leaderTemplate.spec.containers[0].ports[0].containerPort).toBe(30000);
    expect(lws.spec.leaderWorkerTemplate.workerTemplate.spec.containers[0].ports).toBeUndefined();
    expect(lws.spec.leaderWorkerTemplate.workerTemplate.spec.schedulerName).toBe('scheduler-plugins-scheduler');
  });

  test('templateRef resolves into the workload template, with the patch applied', () => {
    const c = chart();
    new RoleBasedGroup(c, 'g', {
      name: 'grp', namespace: 'ml-team', mode: RbgMode.NATIVE,
      roleTemplates: [{ name: 'base', template: template() }],
      roles: [{ name: 'a', templateRef: 'base', templatePatch: { containers: [{ name: 'app', args: ['--role', 'a'] }] } }],
    });
    const sts = find(synthValid(c), 'StatefulSet', 'grp-a');
    expect(sts.spec.template.spec.containers[0].args).toEqual(['--role', 'a']);
    expect(sts.spec.template.metadata.labels['app.kubernetes.io/component']).toBe('a');
  });

  test('every Service selects the pods of its own role and no other role\'s', () => {
    const c = chart();
    seed(c, { mode: RbgMode.NATIVE });
    const out = synthValid(c);
    const templatesOf = (m: any): any[] => (m.kind === 'LeaderWorkerSet'
      ? [m.spec.leaderWorkerTemplate.leaderTemplate, m.spec.leaderWorkerTemplate.workerTemplate]
      : [m.spec.template]).filter((t: any) => t !== undefined);
    const selects = (selector: any, t: any) => Object.entries(selector).every(([k, v]) => t.metadata.labels[k] === v);
    const workloads = out.filter((m) => ['Deployment', 'StatefulSet', 'LeaderWorkerSet'].includes(m.kind));
    expect(workloads).toHaveLength(3);
    const expected: { [svc: string]: string } = {
      's-sglang-pd-router': 'sglang-pd-router', 's-sglang-pd-prefill': 'sglang-pd-prefill', 's-sglang-pd-decode': 'sglang-pd-decode',
      'sglang-pd': 'sglang-pd-router',
    };
    for (const [svcName, workloadName] of Object.entries(expected)) {
      const selector = find(out, 'Service', svcName).spec.selector;
      for (const w of workloads) {
        for (const t of templatesOf(w)) expect([svcName, w.metadata.name, selects(selector, t)]).toEqual([svcName, w.metadata.name, w.metadata.name === workloadName]);
      }
    }
  });

  test('rolloutStrategy and servicePorts map onto the native StatefulSet, Deployment, LeaderWorkerSet and headless Services', () => {
    const c = chart();
    const ru = { maxUnavailable: k8s.IntOrString.fromNumber(1), maxSurge: k8s.IntOrString.fromString('25%'), partition: 1 };
    new RoleBasedGroup(c, 'g', basic({
      mode: RbgMode.NATIVE,
      roles: [
        { name: 'sts', template: template(), rolloutStrategy: { partition: 1, maxUnavailable: k8s.IntOrString.fromNumber(1) }, servicePorts: [{ name: 'http', port: 8080 }] },
        { name: 'dep', template: template(), workload: RoleWorkload.DEPLOYMENT, rolloutStrategy: { maxSurge: k8s.IntOrString.fromString('25%'), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
        { name: 'lws', template: gpuTemplate(1), workload: RoleWorkload.LEADER_WORKER_SET, leaderWorkerSet: { size: 2 }, rolloutStrategy: ru },
      ],
    }));
    const out = synthValid(c);
    expect(find(out, 'StatefulSet', 'grp-sts').spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 1, maxUnavailable: 1 } });
    expect(find(out, 'Deployment', 'grp-dep').spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } });
    expect(find(out, 'LeaderWorkerSet', 'grp-lws').spec.rolloutStrategy).toEqual({
      type: 'RollingUpdate', rollingUpdateConfiguration: { maxUnavailable: 1, maxSurge: '25%', partition: 1 },
    });
    expect(find(out, 'Service', 's-grp-sts').spec.ports).toEqual([{ name: 'http', port: 8080 }]);
    expect(find(out, 'Service', 's-grp-dep').spec.ports).toBeUndefined();
  });

  /** A native group with an HPA role, a Deployment role with an HPA, a KEDA-scaled LWS role and a fixed role. */
  function autoscaledGroup(c: Chart): RoleBasedGroup {
    const hpa = Autoscaling.hpa({ maxReplicas: 4, cpuUtilization: 70 });
    return new RoleBasedGroup(c, 'g', basic({
      mode: RbgMode.NATIVE,
      roles: [
        { name: 'sts', template: template(), replicas: 2, autoscaling: hpa },
        { name: 'dep', template: template(), workload: RoleWorkload.DEPLOYMENT, replicas: 2, autoscaling: hpa },
        { name: 'lws', template: gpuTemplate(1), workload: RoleWorkload.LEADER_WORKER_SET, leaderWorkerSet: { size: 2 }, replicas: 2,
          autoscaling: Autoscaling.keda({ maxReplicas: 3, serverAddress: 'http://prometheus.monitoring:9090', metric: PodMetric.named('q', 5), query: 'q' }) },
        { name: 'fixed', template: template(), replicas: 3 },
      ],
    }));
  }

  test('autoscaled roles leave spec.replicas to their HPA / ScaledObject (Argo CD would reset it); fixed roles keep it', () => {
    const c = chart();
    const g = autoscaledGroup(c);
    const out = synthValid(c);
    expect(find(out, 'StatefulSet', 'grp-sts').spec.replicas).toBeUndefined();
    expect(find(out, 'Deployment', 'grp-dep').spec.replicas).toBeUndefined();
    expect(find(out, 'LeaderWorkerSet', 'grp-lws').spec.replicas).toBeUndefined();
    expect(find(out, 'StatefulSet', 'grp-fixed').spec.replicas).toBe(3);
    expect(find(out, 'HorizontalPodAutoscaler', 'grp-sts').spec.minReplicas).toBe(2);
    expect(find(out, 'ScaledObject', 'grp-lws').spec).toMatchObject({ scaleTargetRef: { apiVersion: 'leaderworkerset.x-k8s.io/v1', kind: 'LeaderWorkerSet', name: 'grp-lws' }, minReplicaCount: 2 });
    expect(g.leaderWorkerSets.lws.replicasOmitted).toBe(true);
    expect(g.podCount).toBe(2 + 2 + 2 * 2 + 3);
  });

  test('ignoreDifferences: /spec/replicas of each autoscaled role\'s workload, nothing for fixed roles', () => {
    const c = chart();
    const g = autoscaledGroup(c);
    synthValid(c);
    const entry = (group: string, kind: string, name: string) => ({ group, kind, name, namespace: 'ml-team', jsonPointers: ['/spec/replicas'] });
    expect(g.ignoreDifferences).toEqual([
      entry('apps', 'StatefulSet', 'grp-sts'),
      entry('apps', 'Deployment', 'grp-dep'),
      entry('leaderworkerset.x-k8s.io', 'LeaderWorkerSet', 'grp-lws'),
    ]);
    const fixed = new RoleBasedGroup(chart(), 'g', basic({ mode: RbgMode.NATIVE }));
    expect(fixed.ignoreDifferences).toEqual([]);
  });

  test('Volcano: a scheduling.volcano.sh PodGroup; autoscaling targets the workload itself', () => {
    const c = chart();
    new RoleBasedGroup(c, 'g', basic({
      mode: RbgMode.NATIVE,
      gangScheduling: { volcanoScheduling: { queue: 'gpu' } },
      roles: [
        { name: 'a', template: template(), workload: RoleWorkload.DEPLOYMENT, replicas: 2,
          autoscaling: Autoscaling.hpa({ maxReplicas: 5, cpuUtilization: 70 }) },
      ],
    }));
    const out = synthValid(c);
    expect(find(out, 'PodGroup', 'grp')).toMatchObject({ apiVersion: 'scheduling.volcano.sh/v1beta1', spec: { minMember: 2, queue: 'gpu' } });
    expect(find(out, 'HorizontalPodAutoscaler', 'grp-a').spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'grp-a' });
    const dep = find(out, 'Deployment', 'grp-a');
    expect(dep.spec.template.spec.schedulerName).toBe('volcano');
    expect(dep.spec.template.metadata.annotations['scheduling.k8s.io/group-name']).toBe('grp');
  });
});

describe('RoleBasedGroup: tenant', () => {
  test('namespace and placement come from the tenant', () => {
    const c = chart();
    const tenant = new FakeTenant(c, { gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 6 }] });
    seed(c, { tenant });
    const out = synthValid(c);
    const obj = rbgOf(out);
    expect(obj.metadata.namespace).toBe('ml-team');
    expect(obj.metadata.labels['gpu-platform.dev/tenant']).toBe('ml-team');
    for (const r of obj.spec.roles) {
      // The CPU-only router stays off the tenant's GPU pool; the engines go on it.
      if (r.name === 'router') {
        expect(r.template.spec.nodeSelector).toBeUndefined();
        expect(r.template.spec.tolerations).toBeUndefined();
        continue;
      }
      expect(r.template.spec.nodeSelector).toEqual({ 'gpu-platform.dev/pool': 'gpu-a100' });
      expect(r.template.spec.tolerations).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'gpu-platform.dev/pool' })]));
      // No toleration twice (the template is finished twice: base, then patched).
      const keys = r.template.spec.tolerations.map((t: any) => JSON.stringify(t));
      expect(new Set(keys).size).toBe(keys.length);
    }
  });

  test('GPU quota: replicas x group size x GPUs summed over roles must fit (6 GPUs do not fit 4)', () => {
    const c = chart();
    const tenant = new FakeTenant(c, { gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 4 }] });
    seed(c, { tenant });
    expect(() => synth(c)).toThrow('[test/pd] tenant: given "6 x nvidia.com/gpu (RoleBasedGroup sglang-pd at max replicas; router: 1 x 1 pod(s) x 0 GPU, prefill: 2 x 1 pod(s) x 1 GPU, decode: 2 x 2 pod(s) x 1 GPU)"; allowed: at most 4 under tenant "ml-team" quota requests.nvidia.com/gpu');
  });

  test('GPU quota counts max replicas of autoscaled roles', () => {
    const c = chart();
    const tenant = new FakeTenant(c, { gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 4 }] });
    new RoleBasedGroup(c, 'g', {
      name: 'grp', tenant,
      roles: [{ name: 'a', template: gpuTemplate(2), autoscaling: Autoscaling.hpa({ maxReplicas: 3, cpuUtilization: 70 }) }],
    });
    expect(() => synth(c)).toThrow(/tenant: given "6 x nvidia.com\/gpu/);
  });
});

describe('RoleBasedGroup: the tenant binding (CPU and memory quota, LimitRange)', () => {
  test('CPU and memory count against the quota too, not only GPUs', () => {
    const c = chart();
    const tenant = new FakeTenant(c, { cpuLimits: Cpu.cores(4), gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 8 }] });
    new RoleBasedGroup(c, 'g', { name: 'grp', tenant, roles: [{ name: 'a', replicas: 2, server: { ...SGLANG, labels: {}, gpu: { count: 1 }, cpu: Cpu.cores(4) } }] });
    expect(() => synth(c)).toThrow('[test/g] tenant: given "8 cores of limits.cpu (RoleBasedGroup grp at max replicas; a: 2 x 1 pod(s) x 1 GPU)"; allowed: at most 4 cores under tenant "ml-team" quota');
  });

  test('a server role over the tenant\'s LimitRange names the role\'s prop', () => {
    const c = chart();
    const tenant = new FakeTenant(c, { gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 8 }] });
    (tenant as { limits?: unknown }).limits = { maxMemory: Memory.gibibytes(16) };
    new RoleBasedGroup(c, 'g', { name: 'grp', tenant, roles: [{ name: 'a', server: { ...SGLANG, labels: {}, gpu: { count: 1 }, memory: Memory.gibibytes(64) } }] });
    expect(() => synth(c)).toThrow('[test/g] roles[0].server.memory: given "64Gi memory limit"; allowed: at most 16Gi, the per-container maximum containerLimits.maxMemory (tenant "ml-team" LimitRange)');
  });
});

describe('RoleBasedGroup: errors', () => {
  test('no namespace and no tenant (never a silent "default")', () => {
    expect(() => new RoleBasedGroup(chart(), 'g', basic({ namespace: undefined })))
      .toThrow('[test/g] namespace: given undefined; allowed: a namespace, or a tenant to take it from');
  });
  test('duplicate role names', () => {
    expect(() => new RoleBasedGroup(chart(), 'g', basic({ roles: [{ name: 'a', template: template() }, { name: 'a', template: template() }] })))
      .toThrow('[test/g] roles[1].name: given "a"; allowed: a role name not used by another role of this group');
  });
  test('dependency on an unknown role', () => {
    expect(() => new RoleBasedGroup(chart(), 'g', basic({ roles: [{ name: 'a', template: template(), dependencies: ['x'] }, { name: 'b', template: template() }] })))
      .toThrow('[test/g] roles[0].dependencies[0]: given "x"; allowed: the name of another role of this group: "b"');
  });
  test('dependency cycle names the cycle', () => {
    expect(() => new RoleBasedGroup(chart(), 'g', basic({
      roles: [{ name: 'a', template: template(), dependencies: ['b'] }, { name: 'b', template: template(), dependencies: ['a'] }],
    }))).toThrow('[test/g] roles[0].dependencies: given "a -> b -> a"; allowed: dependencies without a cycle (a role cannot wait for itself, directly or through others)');
  });
  test('a role depending on itself is a cycle', () => {
    expect(() => new RoleBasedGroup(chart(), 'g', basic({ roles: [{ name: 'a', template: template(), dependencies: ['a'] }] })))
      .toThrow('roles[0].dependencies: given "a -> a"');
  });
  test('LWS size < 1', () => {
    expect(() => new RoleBasedGroup(chart(), 'g', basic({
      roles: [{ name: 'a', template: template(), workload: RoleWorkload.LEADER_WORKER_SET, leaderWorkerSet: { size: 0 } }],
    }))).toThrow('[test/g] roles[0].leaderWorkerSet.size: given 0; allowed: an integer >= 1');
  });
  test('LWS role without leaderWorkerSet', () => {
    expect(() => new RoleBasedGroup(chart(), 'g', basic({ roles: [{ name: 'a', template: template(), workload: RoleWorkload.LEADER_WORKER_SET }] })))
      .toThrow('[test/g] roles[0].leaderWorkerSet: given undefined; allowed: leaderWorkerSet.size for a LeaderWorkerSet role');
  });
  test('templateRef together with a template', () => {
    expect(() => new RoleBasedGroup(chart(), 'g', basic({
      roleTemplates: [{ name: 'base', template: template() }],
      roles: [{ name: 'a', template: template(), templateRef: 'base' }],
    }))).toThrow('[test/g] roles[0].templateRef: given "base"; allowed: templateRef alone: not together with template (the schema makes them mutually exclusive)');
  });
  test('templateRef on an LWS role in v1alpha1', () => {
    expect(() => new RoleBasedGroup(chart(), 'g', basic({
      roleTemplates: [{ name: 'base', template: template() }],
      roles: [{ name: 'a', templateRef: 'base', workload: RoleWorkload.LEADER_WORKER_SET, leaderWorkerSet: { size: 2 } }],
    }))).toThrow('[test/g] roles[0].templateRef: given "base"; allowed: templateRef is not supported for LeaderWorkerSet roles in v1alpha1');
  });
  test('templateRef to an unknown template', () => {
    expect(() => new RoleBasedGroup(chart(), 'g', basic({ roles: [{ name: 'a', templateRef: 'nope' }] })))
      .toThrow('[test/g] roles[0].templateRef: given "nope"; allowed: the name of a roleTemplates entry: none defined');
  });
  test('no template at all', () => {
    expect(() => new RoleBasedGroup(chart(), 'g', basic({ roles: [{ name: 'a' }] })))
      .toThrow('[test/g] roles[0]: given "no template"; allowed: exactly one of server, template and templateRef');
  });
  test('a restart policy the schema rejects', () => {
    expect(() => new RoleBasedGroup(chart(), 'g', basic({ roles: [{ name: 'a', template: template(), restartPolicy: RoleRestartPolicy.of('RecreateRBGOnPodRestart') }] })))
      .toThrow('[test/g] roles[0].restartPolicy: given "RecreateRBGOnPodRestart"; allowed: one of "None", "RecreateRoleInstanceOnPodRestart" (RecreateRBGOnPodRestart was removed from the schema after controller v0.6)');
  });
  test('a workload name over 63 characters after <rbg>-<role>', () => {
    const longRole = 'r'.repeat(40);
    expect(() => new RoleBasedGroup(chart(), 'g', basic({ name: 'g'.repeat(30), roles: [{ name: longRole, template: template() }] })))
      .toThrow(`[test/g] roles[0].name: given "${longRole}"; allowed: a role name short enough that "${'g'.repeat(30)}-${longRole}" (71 characters) fits a DNS label of at most 63 characters`);
  });
  test('the headless Service name s-<rbg>-<role> must fit too', () => {
    expect(() => new RoleBasedGroup(chart(), 'g', basic({ name: 'g'.repeat(30), roles: [{ name: 'r'.repeat(31), template: template() }] })))
      .toThrow(/roles\[0\]\.name: given "r{31}"; allowed: a role name short enough that "s-g{30}-r{31}" \(64 characters\)/);
  });
  test('gang scheduling with both kube and Volcano', () => {
    expect(() => new RoleBasedGroup(chart(), 'g', basic({ gangScheduling: { kubeScheduling: {}, volcanoScheduling: {} } })))
      .toThrow('[test/g] gangScheduling: given {"kubeScheduling":"set","volcanoScheduling":"set"}; allowed: exactly one of kubeScheduling (scheduler-plugins) and volcanoScheduling: a pod has one scheduler');
  });
  test('replicas < 0', () => {
    expect(() => new RoleBasedGroup(chart(), 'g', basic({ roles: [{ name: 'a', template: template(), replicas: -1 }] })))
      .toThrow('[test/g] roles[0].replicas: given -1; allowed: an integer from 0 to 2147483647');
  });
  test('engineRuntimes in native mode (nothing would inject them)', () => {
    expect(() => new RoleBasedGroup(chart(), 'g', basic({
      mode: RbgMode.NATIVE, roles: [{ name: 'a', template: template(), engineRuntimes: [{ profileName: 'patio' }] }],
    }))).toThrow('[test/g] roles[0].engineRuntimes: given ["patio"]; allowed: no engineRuntimes in native mode (the RBG controller injects them): add the containers to the template, or use RbgMode.CONTROLLER');
  });
  test('autoscaling on an engine metric for a template role (no engine to resolve it)', () => {
    expect(() => new RoleBasedGroup(chart(), 'g', basic({
      roles: [{ name: 'a', template: template(), autoscaling: Autoscaling.hpa({ maxReplicas: 2, metrics: [PodMetric.queueLength(5)] }) }],
    }))).toThrow('[test/g] roles[0].autoscaling.metrics[0]: given "PodMetric.queueLength(5)"; allowed: PodMetric.named(series, target) for pods without a known engine');
  });
  test('autoscaling below the role replicas', () => {
    expect(() => new RoleBasedGroup(chart(), 'g', basic({
      roles: [{ name: 'a', template: template(), replicas: 3, autoscaling: Autoscaling.hpa({ maxReplicas: 2, cpuUtilization: 70 }) }],
    }))).toThrow('[test/g] roles[0].autoscaling.minReplicas: given 3; allowed: at most maxReplicas (2)');
  });
  test('router on an unknown role', () => {
    expect(() => new RoleBasedGroup(chart(), 'g', basic({ router: { role: 'x' } })))
      .toThrow('[test/g] router.role: given "x"; allowed: the name of a role: "a", "b"');
  });
  test('prefill/decode preset with an engine without disaggregation', () => {
    expect(() => RoleBasedGroup.prefillDecode(chart(), 'pd', {
      name: 'pd', ...SGLANG, engine: ServingEngine.tgi(), prefill: { gpu: { count: 1 } }, decode: { gpu: { count: 1 } },
    })).toThrow('[test/pd] engine: given "tgi"; allowed: ServingEngine.sglang() or ServingEngine.vllm() (engines with prefill/decode disaggregation)');
  });
  test('prefill/decode preset with a generic engine named like a preset: refused, its name is no preset', () => {
    const engine = ServingEngine.generic({ name: 'sglang', port: 30000, args: ['--model-path', '{model}'] });
    expect(() => RoleBasedGroup.prefillDecode(chart(), 'pd', {
      name: 'pd', ...SGLANG, engine, prefill: { gpu: { count: 1 } }, decode: { gpu: { count: 1 } },
    })).toThrow('[test/pd] engine: given "ServingEngine.generic({ name: \\"sglang\\" })"; allowed: ServingEngine.sglang() or ServingEngine.vllm()');
  });
  test('a server role error names the role prop path', () => {
    expect(() => new RoleBasedGroup(chart(), 'g', basic({
      roles: [{ name: 'a', server: { ...SGLANG, labels: {}, gpu: { count: 1 }, memory: Memory.gibibytes(4), shmSize: Memory.gibibytes(8), cpu: Cpu.cores(1) } }],
    }))).toThrow(/\[test\/g\] roles\[0\]\.server\.shmSize: given "8Gi"/);
  });
});
