import { App, Chart, Duration, Testing } from 'cdk8s';
import { GpuResource } from '../../lib/core/gpu';
import { Cpu, Memory, Storage } from '../../lib/core/quantity';
import { Autoscaling, PodMetric } from '../../lib/inference/autoscaling';
import { GpuInferenceService, GpuInferenceServiceProps, MODEL_HUB_EGRESS_EXCEPT, ROLE_LABEL } from '../../lib/inference/gpu-inference-service';
import { AntiAffinity, ClientPeer, MetricsMonitor, ModelCache, RolloutStrategy, ServingWorkloadKind } from '../../lib/inference/options';
import { ServingEngine } from '../../lib/serving/engine';
import { cidrContains, parseCidr, ParsedCidr } from '../../lib/tenancy/cidr';
import { TenantNamespace, TenantNamespaceProps } from '../../lib/tenancy/tenant-namespace';
import { Warnings } from '../../lib/core/errors';
import { crdsAvailable, synth, synthValid, validate } from '../harness';
import { FakeTenant } from './fake-tenant';

const IMAGE = 'vllm/vllm-openai:v0.18.0';
const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';

function setup(): { app: App; chart: Chart } {
  const app = Testing.app();
  return { app, chart: new Chart(app, 'inference') };
}

function props(overrides: Partial<GpuInferenceServiceProps> = {}): GpuInferenceServiceProps {
  return {
    name: 'llama',
    namespace: 'ml',
    image: IMAGE,
    model: MODEL,
    gpu: { count: 2 },
    clients: [ClientPeer.namespace('gateway')],
    ...overrides,
  };
}

function make(overrides: Partial<GpuInferenceServiceProps> = {}): { app: App; chart: Chart; svc: GpuInferenceService; manifests: any[] } {
  const { app, chart } = setup();
  const svc = new GpuInferenceService(chart, 'svc', props(overrides));
  const manifests = synthValid(app);
  return { app, chart, svc, manifests };
}

const find = (ms: any[], kind: string, name?: string) => ms.find((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
const podSpec = (ms: any[]) => (find(ms, 'Deployment') ?? find(ms, 'StatefulSet')).spec.template.spec;
const container = (ms: any[]) => podSpec(ms).containers[0];
/** The harness violations of a copy of the manifests where `mutate` changed one object. */
const violationsAfter = (ms: any[], kind: string, mutate: (m: any) => void) => {
  const copy = JSON.parse(JSON.stringify(ms));
  mutate(find(copy, kind));
  return validate(copy);
};
const cidr = (text: string): ParsedCidr => parseCidr(text) as ParsedCidr;

/** A real TenantNamespace like the example ml-team: 4 GPUs, a tainted pool, default deny, 443 to the internet. */
function tenantNamespace(chart: Chart, overrides: Partial<TenantNamespaceProps> = {}): TenantNamespace {
  return new TenantNamespace(chart, 'tenant', {
    name: 'ml-team',
    quota: {
      cpuRequests: Cpu.cores(64), cpuLimits: Cpu.cores(128), memoryRequests: Memory.gibibytes(512), memoryLimits: Memory.gibibytes(768),
      gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 4 }],
    },
    network: {
      ingressFrom: [
        { namespace: 'gateway-system', ports: [8000] },
        { namespace: 'monitoring', ports: [8000], podLabels: { 'app.kubernetes.io/name': 'prometheus' } },
      ],
      internetEgress: { ports: [443] },
    },
    nodePool: { nodeLabel: { key: 'gpu-platform.dev/pool', value: 'gpu-a100' }, taint: { key: 'nvidia.com/gpu', value: 'present' } },
    ...overrides,
  });
}

describe('GpuInferenceService', () => {
  test('full output: vLLM, HPA, shared cache, ServiceMonitor, tenant (snapshot)', () => {
    const { app, chart } = setup();
    const tenant = new FakeTenant(chart, 'tenant');
    new GpuInferenceService(chart, 'svc', props({
      namespace: undefined,
      tenant,
      hfTokenSecret: { name: 'hf-token' },
      modelCache: ModelCache.sharedClaim({ size: Storage.gibibytes(200), storageClassName: 'efs' }),
      autoscaling: Autoscaling.hpa({ minReplicas: 1, maxReplicas: 2, metrics: [PodMetric.queueLength(5)] }),
      monitor: MetricsMonitor.serviceMonitor({ labels: { release: 'prometheus' } }),
      priorityClassName: 'inference-high',
    }));
    expect(synthValid(app)).toMatchSnapshot();
  });

  test('defaults: Deployment, Service, SA, NetworkPolicies; fixed replicas; no PDB at 1 replica', () => {
    const { svc, manifests } = make();
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
      'Deployment/llama', 'NetworkPolicy/llama-egress', 'NetworkPolicy/llama-ingress', 'Service/llama', 'ServiceAccount/llama',
    ]);
    expect(find(manifests, 'Deployment').spec.replicas).toBe(1);
    expect(svc.deployment).toBeDefined();
    expect(svc.statefulSet).toBeUndefined();
    expect(svc.deploymentName).toBe('llama');
    expect(svc.workloadRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'llama' });
    for (const m of manifests) expect(m.metadata.namespace).toBe('ml');
  });

  test('selector labels come from the name, never the construct id', () => {
    const { svc, manifests } = make();
    expect(svc.selectorLabels).toEqual({ 'app.kubernetes.io/name': 'llama', 'app.kubernetes.io/instance': 'llama', 'app.kubernetes.io/component': 'server' });
    expect(find(manifests, 'Deployment').spec.selector.matchLabels).toEqual(svc.selectorLabels);
    expect(JSON.stringify(manifests)).not.toContain('cdk8s.io/metadata.addr');
  });

  test('1. GPU typed: limits = requests, product/memory affinity, toleration, runtime class', () => {
    const { manifests } = make({ gpu: { count: 2, product: 'NVIDIA-H100-80GB-HBM3', minMemoryMiB: 81559, runtimeClassName: 'nvidia' } });
    const c = container(manifests);
    expect(c.resources.limits['nvidia.com/gpu']).toBe(2);
    expect(c.resources.requests).toEqual(c.resources.limits);
    const spec = podSpec(manifests);
    expect(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toEqual([
      { key: 'nvidia.com/gpu.product', operator: 'In', values: ['NVIDIA-H100-80GB-HBM3'] },
      { key: 'nvidia.com/gpu.memory', operator: 'Gt', values: ['81558'] },
    ]);
    expect(spec.tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
    expect(spec.runtimeClassName).toBe('nvidia');
  });

  test('1. MIG profile and time-sliced GPUs', () => {
    const mig = make({ gpu: { count: 1, resource: GpuResource.mig('3g.40gb') } });
    expect(container(mig.manifests).resources.limits['nvidia.com/mig-3g.40gb']).toBe(1);
    const shared = make({ gpu: { count: 1, resource: GpuResource.timeSliced(true) } });
    expect(container(shared.manifests).resources.limits['nvidia.com/gpu.shared']).toBe(1);
  });

  test('2. engine presets set args, port and probe paths', () => {
    const v = container(make().manifests);
    expect(v.command).toEqual(['vllm', 'serve']);
    expect(v.args.slice(0, 5)).toEqual([MODEL, '--port', '8000', '--tensor-parallel-size', '2']);
    const s = make({ engine: ServingEngine.sglang() });
    expect(container(s.manifests).args).toEqual(expect.arrayContaining(['--model-path', MODEL, '--tp', '2']));
    expect(find(s.manifests, 'Service').spec.ports[0]).toMatchObject({ name: 'http', port: 30000, targetPort: 'http' });
    const t = make({ engine: ServingEngine.tgi({ nonRootImage: true }), extraArgs: ['--max-input-tokens', '4096'] });
    expect(container(t.manifests).args).toEqual(expect.arrayContaining(['--model-id', MODEL, '--num-shard', '2', '--max-input-tokens', '4096']));
  });

  test('3. model cache: shared RWX claim with HF_HOME, HF token from a Secret', () => {
    const { manifests } = make({ modelCache: ModelCache.sharedClaim({ size: Storage.gibibytes(100) }), hfTokenSecret: { name: 'hf', key: 'hf_token' } });
    const pvc = find(manifests, 'PersistentVolumeClaim');
    expect(pvc.metadata.name).toBe('llama-model-cache');
    expect(pvc.spec.accessModes).toEqual(['ReadWriteMany']);
    expect(pvc.spec.resources.requests.storage).toBe('100Gi');
    const c = container(manifests);
    expect(c.env).toContainEqual({ name: 'HF_HOME', value: '/models' });
    expect(c.env).toContainEqual({ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf', key: 'hf_token' } } });
    expect(podSpec(manifests).volumes).toContainEqual({ name: 'model-cache', persistentVolumeClaim: { claimName: 'llama-model-cache' } });
  });

  test('3. per-replica cache: StatefulSet with volumeClaimTemplates and its headless Service', () => {
    const { app, chart } = setup();
    const svc = new GpuInferenceService(chart, 'svc', props({ modelCache: ModelCache.perReplica({ size: Storage.gibibytes(100), storageClassName: 'fast' }) }));
    // The StatefulSet's volumeClaimTemplates supply the "model-cache" volume and validate against the 1.27 schema.
    const manifests = synthValid(app);
    expect(violationsAfter(manifests, 'StatefulSet', (m) => { m.spec.volumeClaimTemplates[0].spec.accessMode = 'ReadWriteOnce'; }).length).toBeGreaterThan(0);
    const sts = find(manifests, 'StatefulSet');
    expect(svc.deployment).toBeUndefined();
    expect(svc.statefulSet).toBeDefined();
    expect(sts.spec.volumeClaimTemplates[0]).toMatchObject({ metadata: { name: 'model-cache' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast' } });
    expect(sts.spec.serviceName).toBe('llama-headless');
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(find(manifests, 'Service', 'llama-headless').spec.clusterIP).toBe('None');
    expect(sts.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'model-cache', mountPath: '/models' });
    expect(sts.spec.template.spec.volumes.find((v: any) => v.name === 'model-cache')).toBeUndefined();
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('100Gi');
    // No progress deadline on a StatefulSet; the startup probe bounds each pod's load instead.
    expect(sts.spec.progressDeadlineSeconds).toBeUndefined();
  });

  test('3. existing claim, read-only, offline', () => {
    const { manifests } = make({ modelCache: ModelCache.existingClaim('weights', { readOnly: true, mountPath: '/weights' }), modelDownload: false });
    const c = container(manifests);
    expect(c.volumeMounts).toContainEqual({ name: 'model-cache', mountPath: '/weights', readOnly: true });
    expect(c.env).toContainEqual({ name: 'HF_HUB_OFFLINE', value: '1' });
    expect(find(manifests, 'PersistentVolumeClaim')).toBeUndefined();
  });

  test('4. /dev/shm is a sized Memory emptyDir', () => {
    const { manifests } = make({ shmSize: Memory.gibibytes(16), memory: Memory.gibibytes(64) });
    expect(podSpec(manifests).volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '16Gi' } });
    expect(container(manifests).volumeMounts).toContainEqual({ name: 'dshm', mountPath: '/dev/shm' });
  });

  test('5. probes from one load-time prop', () => {
    const { manifests } = make({ maxModelLoadTime: Duration.hours(1) });
    const c = container(manifests);
    expect(c.startupProbe.failureThreshold * c.startupProbe.periodSeconds).toBeGreaterThanOrEqual(3600);
    expect(c.readinessProbe.timeoutSeconds).toBeGreaterThanOrEqual(5);
    expect(c.livenessProbe.timeoutSeconds).toBeGreaterThanOrEqual(5);
    expect(find(manifests, 'Deployment').spec.progressDeadlineSeconds).toBe(3600 + 600);
  });

  test('6. GPU-safe rollout: surge 0 / unavailable 1 by default, Recreate option', () => {
    const d = find(make().manifests, 'Deployment');
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
    expect(d.spec.progressDeadlineSeconds).toBe(1800 + 600);
    const r = find(make({ rollout: RolloutStrategy.recreate() }).manifests, 'Deployment');
    expect(r.spec.strategy).toEqual({ type: 'Recreate' });
  });

  test('7. graceful drain: preStop and grace period', () => {
    const { manifests } = make({ preStopDelay: Duration.seconds(10), shutdownTimeout: Duration.seconds(120) });
    expect(container(manifests).lifecycle.preStop.exec.command).toEqual(['sleep', '10']);
    expect(container(manifests).args).toEqual(expect.arrayContaining(['--shutdown-timeout', '120']));
    expect(podSpec(manifests).terminationGracePeriodSeconds).toBe(135);
  });

  test('8. spreading: hostname and zone TSC ScheduleAnyway; soft and hard anti-affinity', () => {
    const spec = podSpec(make().manifests);
    expect(spec.topologySpreadConstraints.map((t: any) => [t.topologyKey, t.whenUnsatisfiable, t.maxSkew])).toEqual([
      ['kubernetes.io/hostname', 'ScheduleAnyway', 1], ['topology.kubernetes.io/zone', 'ScheduleAnyway', 1],
    ]);
    expect(spec.topologySpreadConstraints[0].matchLabelKeys).toEqual(['pod-template-hash']);
    const soft = podSpec(make({ antiAffinity: AntiAffinity.SOFT }).manifests);
    expect(soft.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight).toBe(100);
    const hard = podSpec(make({ antiAffinity: AntiAffinity.HARD, spread: false }).manifests);
    expect(hard.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('kubernetes.io/hostname');
    expect(hard.topologySpreadConstraints).toBeUndefined();
  });

  test('9. HPA: CPU and per-pod custom metrics with AverageValue, slow scale-down, no replicas in Git', () => {
    const { svc, manifests } = make({
      autoscaling: Autoscaling.hpa({ maxReplicas: 4, cpuUtilization: 80, metrics: [PodMetric.queueLength(5), PodMetric.kvCacheUsage(0.8)] }),
    });
    const hpa = find(manifests, 'HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'llama' });
    expect(hpa.spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
      { type: 'Pods', pods: { metric: { name: 'vllm_num_requests_waiting' }, target: { type: 'AverageValue', averageValue: 5 } } },
      { type: 'Pods', pods: { metric: { name: 'vllm_kv_cache_usage_perc' }, target: { type: 'AverageValue', averageValue: '800m' } } },
    ]);
    expect(hpa.spec.behavior.scaleDown).toEqual({ stabilizationWindowSeconds: 600, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 300 }] });
    expect(hpa.spec.behavior.scaleUp.policies).toEqual([{ type: 'Pods', value: 2, periodSeconds: 60 }]);
    expect(find(manifests, 'Deployment').spec.replicas).toBeUndefined();
    expect(svc.customMetrics).toEqual([
      { seriesName: 'vllm:num_requests_waiting', metricName: 'vllm_num_requests_waiting' },
      { seriesName: 'vllm:kv_cache_usage_perc', metricName: 'vllm_kv_cache_usage_perc' },
    ]);
  });

  test('9. KEDA ScaledObject with a Prometheus trigger, scale to zero allowed', () => {
    const { svc, manifests } = make({
      autoscaling: Autoscaling.keda({ minReplicas: 0, maxReplicas: 3, serverAddress: 'http://prometheus.monitoring:9090' }),
    });
    const so = find(manifests, 'ScaledObject');
    expect(so.spec).toMatchObject({ minReplicaCount: 0, maxReplicaCount: 3, scaleTargetRef: { kind: 'Deployment', name: 'llama' } });
    expect(so.spec.triggers[0]).toEqual({
      type: 'prometheus', name: 'vllm-num-requests-waiting', metricType: 'AverageValue',
      metadata: { serverAddress: 'http://prometheus.monitoring:9090', query: 'sum(vllm:num_requests_waiting{namespace="ml",pod=~"llama-[a-z0-9]+-[a-z0-9]+"})', threshold: '5' },
    });
    expect(find(manifests, 'HorizontalPodAutoscaler')).toBeUndefined();
    expect(svc.customMetrics).toEqual([]);
    expect(svc.node.metadata.some((m) => String(m.data).includes('scales to zero'))).toBe(true);
    // The HPA KEDA manages scales down slowly too.
    const behavior = so.spec.advanced.horizontalPodAutoscalerConfig.behavior;
    expect(behavior.scaleDown).toEqual({ stabilizationWindowSeconds: 600, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 300 }] });
    expect(so.spec.cooldownPeriod).toBe(600);
    // synthValid checked it against the keda.sh CRD; the check is live (a misspelt field fails it).
    if (crdsAvailable) expect(violationsAfter(manifests, 'ScaledObject', (m) => { m.spec.maxReplicas = 3; }).map((v) => v.rule)).toContain('crd');
  });

  test('9. the autoscaler can be retargeted (CanaryRollout workloadRef)', () => {
    const { app, chart } = setup();
    const svc = new GpuInferenceService(chart, 'svc', props({ autoscaling: Autoscaling.hpa({ maxReplicas: 2, metrics: [PodMetric.queueLength(3)] }) }));
    svc.retargetAutoscaling({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'llama' });
    expect(find(synth(app), 'HorizontalPodAutoscaler').spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'llama' });
  });

  describe('ignoreDifferences (collected by the Argo CD Application)', () => {
    const hpa = Autoscaling.hpa({ maxReplicas: 2, metrics: [PodMetric.queueLength(3)] });

    test('an external autoscaler: no object of ours, the count still left out and ignored', () => {
      const { svc, manifests } = make({ autoscaling: Autoscaling.external({ minReplicas: 1, maxReplicas: 3 }) });
      expect(manifests.filter((m) => m.kind === 'HorizontalPodAutoscaler' || m.kind === 'ScaledObject')).toEqual([]);
      expect(find(manifests, 'Deployment').spec.replicas).toBeUndefined();
      expect([svc.minReplicas, svc.maxReplicas, svc.customMetrics]).toEqual([1, 3, []]);
      expect(svc.ignoreDifferences).toEqual([{ group: 'apps', kind: 'Deployment', name: 'llama', namespace: 'ml', jsonPointers: ['/spec/replicas'] }]);
    });

    test('an HPA owns the Deployment\'s /spec/replicas', () => {
      const { svc, manifests } = make({ autoscaling: hpa });
      expect(find(manifests, 'Deployment').spec.replicas).toBeUndefined();
      expect(svc.ignoreDifferences).toEqual([{ group: 'apps', kind: 'Deployment', name: 'llama', namespace: 'ml', jsonPointers: ['/spec/replicas'] }]);
    });

    test('KEDA on a StatefulSet: the StatefulSet\'s /spec/replicas', () => {
      const { svc } = make({
        modelCache: ModelCache.perReplica({ size: Storage.gibibytes(100) }),
        autoscaling: Autoscaling.keda({ minReplicas: 0, maxReplicas: 3, serverAddress: 'http://prometheus.monitoring:9090' }),
      });
      expect([svc.statefulSet, svc.deployment, svc.leaderWorkerSet].map((w) => w !== undefined)).toEqual([true, false, false]);
      expect(svc.ignoreDifferences).toEqual([{ group: 'apps', kind: 'StatefulSet', name: 'llama', namespace: 'ml', jsonPointers: ['/spec/replicas'] }]);
    });

    test('multi-node under an HPA: the LeaderWorkerSet\'s /spec/replicas', () => {
      const { svc, manifests } = make({
        nodesPerReplica: 2, gpu: { count: 8 }, memory: Memory.gibibytes(512), modelCache: ModelCache.existingClaim('weights'), autoscaling: hpa,
      });
      expect(find(manifests, 'LeaderWorkerSet').spec.replicas).toBeUndefined();
      expect(svc.ignoreDifferences).toEqual([{
        group: 'leaderworkerset.x-k8s.io', kind: 'LeaderWorkerSet', name: 'llama', namespace: 'ml', jsonPointers: ['/spec/replicas'],
      }]);
    });

    test('fixed replicas: nothing to ignore', () => {
      expect(make({ replicas: 2 }).svc.ignoreDifferences).toEqual([]);
      expect(make({ nodesPerReplica: 2, gpu: { count: 8 }, memory: Memory.gibibytes(512), modelCache: ModelCache.existingClaim('weights') }).svc.ignoreDifferences).toEqual([]);
    });

    test('retargeted to a Rollout: the Deployment entry stays (Argo Rollouts scales the Deployment to 0)', () => {
      const { chart } = setup();
      const svc = new GpuInferenceService(chart, 'svc', props({ autoscaling: hpa }));
      svc.retargetAutoscaling({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'llama' });
      expect(svc.ignoreDifferences).toEqual([{ group: 'apps', kind: 'Deployment', name: 'llama', namespace: 'ml', jsonPointers: ['/spec/replicas'] }]);
    });
  });

  test('10. PDB maxUnavailable 1 from 2 replicas', () => {
    const pdb = find(make({ replicas: 2 }).manifests, 'PodDisruptionBudget');
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: expect.any(Object) }, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    expect(find(make({ replicas: 1 }).manifests, 'PodDisruptionBudget')).toBeUndefined();
    expect(find(make({ replicas: 2, podDisruptionBudget: false }).manifests, 'PodDisruptionBudget')).toBeUndefined();
    // An HPA floor of 2 keeps one pod serving through a drain.
    expect(find(make({ autoscaling: Autoscaling.hpa({ minReplicas: 2, maxReplicas: 4, metrics: [PodMetric.queueLength(5)] }) }).manifests, 'PodDisruptionBudget')).toBeDefined();
  });

  test('10b. no PDB that pretends to protect one replica: a warning with the way out, an error when asked for', () => {
    const warned = (svc: GpuInferenceService) => Warnings.of(svc).join('\n');
    const hpa1 = make({ autoscaling: Autoscaling.hpa({ minReplicas: 1, maxReplicas: 4, metrics: [PodMetric.queueLength(5)] }) });
    expect(find(hpa1.manifests, 'PodDisruptionBudget')).toBeUndefined();
    expect(warned(hpa1.svc)).toContain('podDisruptionBudget: none created, since the service can run 1 replica and a node drain then takes it down; set replicas (or autoscaling.minReplicas) to 2 or more');
    expect(warned(make({ replicas: 1, podDisruptionBudget: false }).svc)).not.toContain('podDisruptionBudget');
    expect(() => make({ replicas: 1, podDisruptionBudget: true }))
      .toThrow('podDisruptionBudget: given true; allowed: false, or a service of at least 2 replicas: with 1 no budget keeps a pod serving during a node drain');
  });

  test('11. NetworkPolicies: declared clients on http, monitoring on metrics, DNS and 443 egress', () => {
    const { manifests } = make({ clients: [ClientPeer.pods({ app: 'router' }), ClientPeer.podsInNamespace('gw', { app: 'envoy' })] });
    const ing = find(manifests, 'NetworkPolicy', 'llama-ingress');
    expect(ing.spec.policyTypes).toEqual(['Ingress']);
    expect(ing.spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { app: 'router' } } }, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gw' } }, podSelector: { matchLabels: { app: 'envoy' } } }], ports: [{ protocol: 'TCP', port: 8000 }] },
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ protocol: 'TCP', port: 8000 }] },
    ]);
    const eg = find(manifests, 'NetworkPolicy', 'llama-egress');
    expect(eg.spec.egress[0].ports).toEqual([{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }]);
    expect(eg.spec.egress[1]).toEqual({
      to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.0.0/16', '100.100.100.200/32', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } }],
      ports: [{ protocol: 'TCP', port: 443 }],
    });
    const offline = find(make({ modelDownload: false }).manifests, 'NetworkPolicy', 'llama-egress');
    expect(offline.spec.egress).toHaveLength(1);
  });

  test('11. no clients declared: warning', () => {
    const { svc } = make({ clients: undefined });
    expect(Warnings.of(svc)).toContain('[inference/svc] clients: none declared, so the NetworkPolicy admits no client on the serving port');
  });

  test('12. security: restricted, configurable UID, SA without token, priority and scheduler', () => {
    const { manifests } = make({ security: { runAsUser: 2000 }, priorityClassName: 'high', schedulerName: 'volcano' });
    const spec = podSpec(manifests);
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 2000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.serviceAccountName).toBe('llama');
    expect(spec.priorityClassName).toBe('high');
    expect(spec.schedulerName).toBe('volcano');
    expect(find(manifests, 'ServiceAccount').automountServiceAccountToken).toBe(false);
    expect(container(manifests).volumeMounts.map((m: any) => m.mountPath)).toEqual(['/tmp', '/home/serving', '/var/cache/models', '/dev/shm']);
  });

  test('ServiceMonitor and PodMonitor', () => {
    const smon = find(make({ monitor: MetricsMonitor.serviceMonitor({ interval: Duration.seconds(30) }) }).manifests, 'ServiceMonitor');
    expect(smon.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
    const pm = make({ monitor: MetricsMonitor.podMonitor() });
    const pmon = find(pm.manifests, 'PodMonitor');
    expect(pmon.spec.podMetricsEndpoints).toEqual([{ port: 'http', path: '/metrics', interval: '15s' }]);
    expect(pmon.spec.selector.matchLabels).toEqual(pm.svc.selectorLabels);
    // Both passed the monitoring.coreos.com CRDs in synthValid; the check is live.
    if (crdsAvailable) expect(violationsAfter(pm.manifests, 'PodMonitor', (m) => { m.spec.endpoints = []; }).map((v) => v.rule)).toContain('crd');
    const sm = make({ monitor: MetricsMonitor.serviceMonitor() });
    if (crdsAvailable) expect(violationsAfter(sm.manifests, 'ServiceMonitor', (m) => { m.spec.endpoints[0].targetPort = 'metrics'; m.spec.endpoints[0].prot = 1; }).map((v) => v.rule)).toContain('crd');
  });

  test('multi-node PodMonitor selects the leaders (workers expose no port)', () => {
    const { svc, manifests } = make({
      nodesPerReplica: 2, gpu: { count: 8 }, memory: Memory.gibibytes(512), modelCache: ModelCache.existingClaim('weights'),
      monitor: MetricsMonitor.podMonitor(),
    });
    expect(find(manifests, 'PodMonitor').spec.selector.matchLabels).toEqual({ ...svc.selectorLabels, [ROLE_LABEL]: 'leader' });
  });

  test('13. multi-node: LeaderWorkerSet, leader Service, shm everywhere, group size = pipeline parallel', () => {
    const { svc, manifests } = make({
      nodesPerReplica: 2,
      gpu: { count: 8 },
      memory: Memory.gibibytes(512),
      shmSize: Memory.gibibytes(32),
      replicas: 2,
      modelCache: ModelCache.sharedClaim({ size: Storage.gibibytes(500) }),
    });
    expect([svc.leaderWorkerSet, svc.deployment, svc.statefulSet].map((w) => w !== undefined)).toEqual([true, false, false]);
    const lws = find(manifests, 'LeaderWorkerSet');
    expect(lws.spec.replicas).toBe(2);
    expect(lws.spec.leaderWorkerTemplate.size).toBe(2);
    expect(lws.spec.leaderWorkerTemplate.restartPolicy).toBe('RecreateGroupOnPodRestart');
    const leader = lws.spec.leaderWorkerTemplate.leaderTemplate;
    const worker = lws.spec.leaderWorkerTemplate.workerTemplate;
    for (const t of [leader, worker]) {
      expect(t.spec.volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '32Gi' } });
      expect(t.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe(8);
    }
    expect(leader.spec.containers[0].args[0]).toContain('--tensor-parallel-size 8 --pipeline-parallel-size 2');
    expect(worker.spec.containers[0].args[0]).toContain('--ray_address=$(LWS_LEADER_ADDRESS)');
    expect(find(manifests, 'Service').spec.selector[ROLE_LABEL]).toBe('leader');
    const ing = find(manifests, 'NetworkPolicy', 'llama-ingress');
    expect(ing.spec.ingress).toContainEqual({ from: [{ podSelector: { matchLabels: svc.selectorLabels } }] });
    // One pod: evicting it recreates its whole group, so one group at a time goes down.
    expect(find(manifests, 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
    expect(find(manifests, 'PodDisruptionBudget').spec.selector.matchLabels).toEqual(svc.selectorLabels);
  });

  test('13. multi-node HPA targets the LeaderWorkerSet', () => {
    const { manifests } = make({
      nodesPerReplica: 2, gpu: { count: 4 }, memory: Memory.gibibytes(256),
      modelCache: ModelCache.existingClaim('weights'),
      autoscaling: Autoscaling.hpa({ minReplicas: 1, maxReplicas: 2, metrics: [PodMetric.queueLength(10)] }),
    });
    expect(find(manifests, 'HorizontalPodAutoscaler').spec.scaleTargetRef).toEqual({ apiVersion: 'leaderworkerset.x-k8s.io/v1', kind: 'LeaderWorkerSet', name: 'llama' });
    // The HPA owns the group count: no replicas in Git for Argo CD to reset.
    expect(find(manifests, 'LeaderWorkerSet').spec.replicas).toBeUndefined();
  });

  test('14. tenant: namespace, placement, tenant label, quota fits', () => {
    const { app, chart } = setup();
    const tenant = new FakeTenant(chart, 'tenant');
    new GpuInferenceService(chart, 'svc', props({ namespace: undefined, tenant, autoscaling: Autoscaling.hpa({ maxReplicas: 2, metrics: [PodMetric.queueLength(5)] }) }));
    const ms = synthValid(app);
    for (const m of ms) expect(m.metadata.namespace).toBe('ml-team');
    const spec = podSpec(ms);
    expect(spec.nodeSelector).toEqual({ 'gpu-platform.dev/pool': 'ml-team' });
    expect(spec.tolerations).toContainEqual({ key: 'gpu-platform.dev/tenant', operator: 'Equal', value: 'ml-team', effect: 'NoSchedule' });
    expect(find(ms, 'Deployment').metadata.labels['gpu-platform.dev/tenant']).toBe('ml-team');
  });

  test('14. real TenantNamespace: namespace, pool, and NetworkPolicies that fit its default deny', () => {
    const { app, chart } = setup();
    const tenant = tenantNamespace(chart);
    const svc = new GpuInferenceService(chart, 'svc', props({
      namespace: undefined, tenant, clients: [ClientPeer.namespace('gateway-system')],
      autoscaling: Autoscaling.hpa({ maxReplicas: 2, metrics: [PodMetric.queueLength(5)] }),
    }));
    // The harness's cross-object rules (DNS egress under a default deny, selectors, namespaces) pass.
    const ms = synthValid(app);
    const own = ms.filter((m) => m.metadata.labels?.['app.kubernetes.io/name'] === 'llama');
    for (const m of own) expect(m.metadata.namespace).toBe('ml-team');
    const spec = podSpec(ms);
    expect(spec.nodeSelector).toEqual({ 'gpu-platform.dev/pool': 'gpu-a100' });
    // The GPU request's Exists toleration covers the pool's Equal one, so it is listed once.
    expect(spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);

    const tenantPolicy = (name: string) => ms.find((m) => m.kind === 'NetworkPolicy' && m.metadata.namespace === 'ml-team' && m.metadata.name === name);
    expect(tenantPolicy('default-deny').spec.policyTypes).toEqual(['Ingress', 'Egress']);
    // The service's policies only add allows for its own pods, never for the whole namespace.
    for (const p of svc.networkPolicies.map((np) => find(ms, 'NetworkPolicy', np.name))) {
      expect(p.metadata.namespace).toBe('ml-team');
      expect(p.spec.podSelector).toEqual({ matchLabels: svc.selectorLabels });
    }
    // Under the default deny the pods need DNS, the model hub, the clients and Prometheus: all allowed.
    const eg = find(ms, 'NetworkPolicy', 'llama-egress').spec.egress;
    expect(eg[0].ports).toEqual([{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }]);
    const ing = find(ms, 'NetworkPolicy', 'llama-ingress').spec.ingress;
    expect(ing.flatMap((r: any) => r.from.map((f: any) => f.namespaceSelector.matchLabels['kubernetes.io/metadata.name']))).toEqual(['gateway-system', 'monitoring']);
    // The 443 egress never reopens a range the tenant's internet egress blocks (metadata, private ranges).
    const blockedByTenant: string[] = tenantPolicy('allow-internet-egress').spec.egress[0].to
      .map((t: any) => t.ipBlock).filter((b: any) => b.cidr === '0.0.0.0/0').flatMap((b: any) => b.except);
    expect(blockedByTenant.length).toBeGreaterThan(0);
    for (const blocked of blockedByTenant) {
      expect(MODEL_HUB_EGRESS_EXCEPT.some((ours) => cidrContains(cidr(ours), cidr(blocked)))).toBe(true);
    }
    expect(eg[1].to[0].ipBlock.except).toEqual([...MODEL_HUB_EGRESS_EXCEPT]);
  });

  test('14. real TenantNamespace: quota overflow at synth (GPUs)', () => {
    const { app, chart } = setup();
    const tenant = tenantNamespace(chart);
    new GpuInferenceService(chart, 'svc', props({ namespace: undefined, tenant, autoscaling: Autoscaling.hpa({ maxReplicas: 3, metrics: [PodMetric.queueLength(5)] }) }));
    expect(() => synth(app)).toThrow('[inference/svc] tenant: given "6 x nvidia.com/gpu (3 max replicas, 2 GPU(s) per pod)"; allowed: at most 4 under tenant "ml-team" quota requests.nvidia.com/gpu');
  });

  describe('the tenant\'s LimitRange, checked at synth (what the API server would reject)', () => {
    const limited = (chart: Chart) => tenantNamespace(chart, {
      quota: {
        cpuRequests: Cpu.cores(64), cpuLimits: Cpu.cores(128), memoryRequests: Memory.gibibytes(512), memoryLimits: Memory.gibibytes(768),
        gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 8, maxPerContainer: 2 }],
      },
      containerLimits: { maxMemory: Memory.gibibytes(32), minCpu: Cpu.cores(2) },
    });
    test('pods within the LimitRange pass', () => {
      const { app, chart } = setup();
      new GpuInferenceService(chart, 'svc', props({ namespace: undefined, tenant: limited(chart), cpu: Cpu.cores(4), memory: Memory.gibibytes(32) }));
      expect(synthValid(app).length).toBeGreaterThan(0);
    });
    test('GPUs per pod above the per-container maximum name gpu.count', () => {
      const { app, chart } = setup();
      new GpuInferenceService(chart, 'svc', props({ namespace: undefined, tenant: limited(chart), gpu: { count: 4 }, cpu: Cpu.cores(4), memory: Memory.gibibytes(32) }));
      expect(() => synth(app)).toThrow('[inference/svc] gpu.count: given "4 x nvidia.com/gpu"; allowed: at most 2 per container, quota.gpus maxPerContainer (tenant "ml-team" LimitRange); the API server would reject the pod');
    });
    test('memory above the maximum names memory; CPU below the minimum names cpu', () => {
      const { app, chart } = setup();
      new GpuInferenceService(chart, 'svc', props({ namespace: undefined, tenant: limited(chart), cpu: Cpu.cores(1), memory: Memory.gibibytes(64) }));
      expect(() => synth(app)).toThrow(/\[inference\/svc\] cpu: given "1 cpu request"; allowed: at least 2, the per-container minimum containerLimits.minCpu[^]*\[inference\/svc\] memory: given "64Gi memory limit"; allowed: at most 32Gi, the per-container maximum containerLimits.maxMemory \(tenant "ml-team" LimitRange\)/);
    });
  });

  describe('errors', () => {
    test('no namespace and no tenant (never a silent "default")', () => expect(() => new GpuInferenceService(setup().chart, 'svc', props({ namespace: undefined }))).toThrow(
      '[inference/svc] namespace: given undefined; allowed: a namespace, or a tenant to take it from'));

    const build = (overrides: Partial<GpuInferenceServiceProps>) => () => new GpuInferenceService(setup().chart, 'svc', props(overrides));
    test('0 GPUs', () => expect(build({ gpu: { count: 0 } })).toThrow('[inference/svc] gpu.count: given 0; allowed: a whole number of GPUs >= 1'));
    test('fractional GPUs', () => expect(build({ gpu: { count: 1.5 } })).toThrow('[inference/svc] gpu.count: given 1.5; allowed: a whole number of GPUs >= 1'));
    test('unknown MIG profile', () => expect(build({ gpu: { count: 1, resource: GpuResource.mig('2g.big') } })).toThrow(
      '[inference/svc] gpu.resource: given "nvidia.com/mig-2g.big"; allowed: a MIG profile'));
    test('tensor parallelism does not match GPUs', () => expect(build({ tensorParallelSize: 4 })).toThrow(
      '[inference/svc] tensorParallelSize: given 4; allowed: the GPUs per pod (gpu.count = 2)'));
    test('shm larger than the memory limit', () => expect(build({ shmSize: Memory.gibibytes(64), memory: Memory.gibibytes(32) })).toThrow(
      '[inference/svc] shmSize: given "64Gi"; allowed: less than the memory limit (32Gi)'));
    test('grace period shorter than the drain', () => expect(build({ terminationGracePeriod: Duration.seconds(60) })).toThrow(
      '[inference/svc] terminationGracePeriod: given "60s"; allowed: at least preStopDelay + shutdownTimeout + 5s = 15s + 45s + 5s = 65s'));
    test('minReplicas > maxReplicas', () => expect(build({ autoscaling: Autoscaling.hpa({ minReplicas: 3, maxReplicas: 2, metrics: [PodMetric.queueLength(5)] }) })).toThrow(
      '[inference/svc] autoscaling.minReplicas: given 3; allowed: at most maxReplicas (2)'));
    test('HPA metric without a target', () => expect(() => PodMetric.queueLength(undefined as unknown as number)).toThrow(
      '[PodMetric.queueLength] averageValue: given undefined; allowed: a finite number > 0 (a target average value per pod)'));
    test('HPA without any metric', () => expect(build({ autoscaling: Autoscaling.hpa({ maxReplicas: 2 }) })).toThrow(
      '[inference/svc] autoscaling.metrics: given []; allowed: at least one metric with a target'));
    test('metric the engine does not export', () => expect(build({ engine: ServingEngine.tgi({ nonRootImage: true }), autoscaling: Autoscaling.hpa({ maxReplicas: 2, metrics: [PodMetric.kvCacheUsage(0.8)] }) })).toThrow(
      '[inference/svc] autoscaling.metrics[0]: given "kvCacheUsage on engine tgi"; allowed: a metric the engine exports'));
    test('scale to zero without KEDA (HPA)', () => expect(build({ autoscaling: Autoscaling.hpa({ minReplicas: 0, maxReplicas: 2, metrics: [PodMetric.queueLength(5)] }) })).toThrow(
      '[inference/svc] autoscaling.minReplicas: given 0; allowed: at least 1 for an HPA; scale to zero only with Autoscaling.keda(...)'));
    test('scale to zero without KEDA (fixed replicas)', () => expect(build({ replicas: 0 })).toThrow(
      '[inference/svc] replicas: given 0; allowed: at least 1; scale to zero only with Autoscaling.keda(...)'));
    test('replicas together with autoscaling', () => expect(build({ replicas: 2, autoscaling: Autoscaling.hpa({ maxReplicas: 2, cpuUtilization: 80 }) })).toThrow(
      '[inference/svc] replicas: given 2; allowed: leave replicas out when autoscaling is set'));
    test('latest image', () => expect(build({ image: 'vllm/vllm-openai:latest' })).toThrow(
      '[inference/svc] image: given "vllm/vllm-openai:latest"; allowed: an image pinned to a version tag or a digest'));
    test('latest image under opt-in only warns', () => {
      const { chart } = setup();
      const svc = new GpuInferenceService(chart, 'svc', props({ image: 'vllm/vllm-openai', allowLatestImage: true }));
      expect(Warnings.of(svc)).toEqual(expect.arrayContaining([expect.stringMatching(/^\[inference\/svc\] image: .*not pinned/)]));
    });
    test('KEDA server address', () => expect(build({ autoscaling: Autoscaling.keda({ maxReplicas: 2, serverAddress: 'prometheus:9090' }) })).toThrow(
      '[inference/svc] autoscaling.serverAddress: given "prometheus:9090"; allowed: an http(s) URL'));
    test('per-replica cache with a Deployment', () => expect(build({ workloadKind: ServingWorkloadKind.DEPLOYMENT, modelCache: ModelCache.perReplica({ size: Storage.gibibytes(10) }) })).toThrow(
      '[inference/svc] workloadKind: given "Deployment"; allowed: StatefulSet with ModelCache.perReplica'));
    test('rollout on a StatefulSet', () => expect(build({ workloadKind: ServingWorkloadKind.STATEFUL_SET, rollout: RolloutStrategy.recreate() })).toThrow(
      '[inference/svc] rollout: given "Recreate"; allowed: left out for a StatefulSet'));
    test('rollout that cannot progress', () => expect(build({ rollout: RolloutStrategy.rollingUpdate({ maxUnavailable: 0 }) })).toThrow(
      '[inference/svc] rollout: given {"maxSurge":0,"maxUnavailable":0}; allowed: maxSurge or maxUnavailable above 0'));
    test('hard anti-affinity + surge + replicas == pool size stays Pending', () => expect(build({
      replicas: 3, nodePoolSize: 3, antiAffinity: AntiAffinity.HARD, rollout: RolloutStrategy.rollingUpdate({ maxSurge: 1, maxUnavailable: 0 }),
    })).toThrow('[inference/svc] rollout.maxSurge: given 1; allowed: 0 with hard anti-affinity and 3 replicas on a 3-node pool'));
    test('hard anti-affinity with more replicas than nodes', () => expect(build({ replicas: 4, nodePoolSize: 3, antiAffinity: AntiAffinity.HARD })).toThrow(
      '[inference/svc] antiAffinity: given "HARD"; allowed: at most one pod per node, so at most 3 pods on the 3-node pool; the service wants 4'));
    test('hard anti-affinity with surge 0 and replicas == pool size is fine', () => expect(build({ replicas: 3, nodePoolSize: 3, antiAffinity: AntiAffinity.HARD })).not.toThrow());
    test('progress deadline shorter than the model load', () => expect(build({ progressDeadline: Duration.minutes(10) })).toThrow(
      '[inference/svc] progressDeadline: given "600s"; allowed: at least maxModelLoadTime (1800s)'));
    test('progress deadline on a StatefulSet', () => expect(build({ workloadKind: ServingWorkloadKind.STATEFUL_SET, progressDeadline: Duration.hours(1) })).toThrow(
      '[inference/svc] progressDeadline: given "3600s"; allowed: left out for a StatefulSet: only a Deployment has a progress deadline'));
    test('progress deadline on a multi-node service', () => expect(build({
      nodesPerReplica: 2, gpu: { count: 8 }, memory: Memory.gibibytes(512), modelCache: ModelCache.existingClaim('weights'), progressDeadline: Duration.hours(1),
    })).toThrow('[inference/svc] progressDeadline: given "3600s"; allowed: left out for a LeaderWorkerSet: only a Deployment has a progress deadline'));
    test('multi-node with a per-replica cache', () => expect(build({ nodesPerReplica: 2, modelCache: ModelCache.perReplica({ size: Storage.gibibytes(10) }) })).toThrow(
      '[inference/svc] modelCache: given "perReplica"; allowed: a shared (ReadWriteMany) or existing claim'));
    test('multi-node on TGI', () => expect(build({ nodesPerReplica: 2, engine: ServingEngine.tgi() })).toThrow(
      '[inference/svc] engine: given "tgi"; allowed: an engine with multi-node support'));
    test('namespace differs from the tenant', () => {
      const { chart } = setup();
      const tenant = new FakeTenant(chart, 't');
      expect(() => new GpuInferenceService(chart, 'svc', props({ tenant, namespace: 'other' }))).toThrow(
        '[inference/svc] namespace: given "other"; allowed: the tenant\'s namespace "ml-team"');
    });
    test('quota overflow against the tenant (GPUs, at synth)', () => {
      const { app, chart } = setup();
      const tenant = new FakeTenant(chart, 'tenant', 4);
      new GpuInferenceService(chart, 'svc', props({
        namespace: undefined, tenant,
        autoscaling: Autoscaling.hpa({ maxReplicas: 2, metrics: [PodMetric.queueLength(5)] }),
        rollout: RolloutStrategy.rollingUpdate({ maxSurge: 1, maxUnavailable: 0 }),
      }));
      expect(() => synth(app)).toThrow('[inference/svc] tenant: given "6 x nvidia.com/gpu (2 max replicas + 1 surge, 2 GPU(s) per pod)"; allowed: at most 4 under tenant "ml-team" quota requests.nvidia.com/gpu');
    });
    test('quota overflow against the tenant (memory)', () => {
      const { app, chart } = setup();
      const tenant = new FakeTenant(chart, 'tenant', 8);
      new GpuInferenceService(chart, 'svc', props({ namespace: undefined, tenant, replicas: 3, memory: Memory.gibibytes(200) }));
      expect(() => synth(app)).toThrow('[inference/svc] tenant: given "600.00Gi of requests.memory (3 replicas, 2 GPU(s) per pod)"; allowed: at most 512.00Gi under tenant "ml-team" quota');
    });
    test('quota overflow against the tenant (CPU)', () => {
      const { app, chart } = setup();
      const tenant = new FakeTenant(chart, 'tenant', 8);
      new GpuInferenceService(chart, 'svc', props({ namespace: undefined, tenant, replicas: 3, cpu: Cpu.cores(32), memory: Memory.gibibytes(64) }));
      expect(() => synth(app)).toThrow('[inference/svc] tenant: given "96 cores of requests.cpu (3 replicas, 2 GPU(s) per pod)"; allowed: at most 64 cores under tenant "ml-team" quota');
    });
  });
});
