// The bad-input corpus: named cases, each a construct, its props with one thing wrong, and the prop path the
// error must name. Built from a valid base per construct, so every case differs from valid input in one place.
import { Chart, Duration } from 'cdk8s';
import { k8s } from '../../lib/core/k8s';
import { GpuResource } from '../../lib/core/gpu';
import { Cpu, Memory } from '../../lib/core/quantity';
import { CanaryAnalysisTemplate } from '../../lib/delivery/analysis-template';
import { CanaryRollout } from '../../lib/delivery/canary-rollout';
import { CanaryStep } from '../../lib/delivery/canary-step';
import { NativeCanary } from '../../lib/delivery/native-canary';
import { AnalysisMetric } from '../../lib/delivery/analysis-template';
import { Application } from '../../lib/gitops/application';
import { AppOfApps } from '../../lib/gitops/app-of-apps';
import { ApplicationSet } from '../../lib/gitops/application-set';
import { ConfigManagementPlugin } from '../../lib/gitops/config-management-plugin';
import { PlatformProject } from '../../lib/gitops/platform-project';
import { TenantProject } from '../../lib/gitops/tenant-project';
import { GpuInferenceService } from '../../lib/inference/gpu-inference-service';
import { ClientPeer } from '../../lib/inference/options';
import { PrometheusAdapterRules } from '../../lib/inference/prometheus-adapter-rules';
import { ServingEngine } from '../../lib/serving/engine';
import { TenantNamespace } from '../../lib/tenancy/tenant-namespace';
import { LeaderWorkerSet } from '../../lib/workloads/leader-worker-set';
import { PodGroup } from '../../lib/workloads/pod-group';
import { factoryCases } from './factory-cases';
import { RoleBasedGroup } from '../../lib/workloads/role-based-group';

export interface BadInput {
  /** A unique, readable name. */
  readonly name: string;
  /** Builds the construct in `chart` (a fresh chart per case). */
  readonly build: (chart: Chart) => unknown;
  /** The prop path the error names, as the user wrote it. */
  readonly prop: string;
}

/** Wrong values by the kind of value expected. */
export const WRONG = {
  string: [['a number', 42], ['true', true], ['an object', {}], ['an array', ['x']], ['null', null]],
  number: [['a string', '3'], ['NaN', NaN], ['Infinity', Infinity], ['an object', {}], ['null', null]],
  boolean: [['a string', 'yes'], ['a number', 1], ['null', null]],
  array: [['a string', 'x'], ['an object', { 0: 'x' }], ['a number', 3], ['null', null]],
  object: [['a string', 'x'], ['a number', 3], ['an array', []], ['null', null]],
  instance: [['a string', 'hard'], ['a plain object', { value: 'x' }], ['a number', 3], ['null', null]],
  map: [['a string', 'a=b'], ['an array', ['a']], ['null', null], ['a number value', { a: 1 }]],
} as const;
export type Kind = keyof typeof WRONG;

/** A copy of `obj` with the value at `path` (`a.b[0].c`) replaced; other values are shared, not cloned. */
export function setPath(obj: any, path: string, value: unknown): any {
  const keys = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  const put = (o: any, i: number): any => {
    const copy = Array.isArray(o) ? [...o] : { ...o };
    const k = keys[i];
    if (i === keys.length - 1) {
      if (value === undefined) delete copy[k]; else copy[k] = value;
    } else {
      copy[k] = put(o?.[k] ?? (/^\d+$/.test(keys[i + 1]) ? [] : {}), i + 1);
    }
    return copy;
  };
  return put(obj, 0);
}

type Make = (chart: Chart, props: any) => unknown;

/** Cases for one construct: wrong types per field, missing required fields, and named value cases. */
function suite(construct: string, make: Make, base: () => any, fields: Array<[string, Kind, boolean?]>, values: Array<[string, string, unknown, string?]>): BadInput[] {
  const out: BadInput[] = [];
  for (const [path, kind, required] of fields) {
    for (const [label, value] of WRONG[kind]) {
      out.push({ name: `${construct}: ${path} is ${label}`, build: (c) => make(c, setPath(base(), path, value)), prop: path });
    }
    if (required) out.push({ name: `${construct}: ${path} is missing`, build: (c) => make(c, setPath(base(), path, undefined)), prop: path });
  }
  for (const [label, path, value, prop] of values) {
    out.push({ name: `${construct}: ${label}`, build: (c) => make(c, setPath(base(), path, value)), prop: prop ?? path });
  }
  out.push({ name: `${construct}: props missing`, build: (c) => make(c, undefined), prop: 'props' });
  out.push({ name: `${construct}: props is a string`, build: (c) => make(c, 'x'), prop: 'props' });
  return out;
}

export function podTemplate(image = 'nginxinc/nginx-unprivileged:1.27'): k8s.PodTemplateSpec {
  return { spec: podSpec(image) };
}

export function podSpec(image = 'nginxinc/nginx-unprivileged:1.27'): k8s.PodSpec {
  return {
    automountServiceAccountToken: false,
    securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{
      name: 'app',
      image,
      ports: [{ name: 'http', containerPort: 8080 }],
      resources: { limits: { cpu: k8s.Quantity.fromString('1'), memory: k8s.Quantity.fromString('1Gi') } },
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    }],
  };
}

const REPO = 'https://github.com/example/platform.git';
const IMAGE = 'vllm/vllm-openai:v0.18.0';

export const tenantBase = (): any => ({
  name: 'team-a',
  quota: { cpuRequests: Cpu.cores(8), memoryLimits: Memory.gibibytes(64), gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 4 }], pods: 20 },
  network: { ingressFrom: [{ namespace: 'gateway', ports: [8000] }] },
  nodePool: { nodeLabel: { key: 'pool', value: 'gpu' }, taint: { key: 'nvidia.com/gpu' } },
});

export const serviceBase = (): any => ({
  name: 'llama', namespace: 'ml', image: IMAGE, model: 'meta-llama/Llama-3.1-8B-Instruct',
  gpu: { count: 1 }, clients: [ClientPeer.namespace('gateway')],
});

export const pdBase = (): any => ({
  name: 'pd', namespace: 'llm', engine: ServingEngine.sglang(), image: 'lmsysorg/sglang:v0.5.3.post3',
  routerImage: 'lmsysorg/sglang-router:v0.2.2', model: 'Qwen/Qwen3-8B', prefill: { gpu: { count: 1 } }, decode: { gpu: { count: 1 } },
});

export const rbgBase = (): any => ({ name: 'grp', namespace: 'ml', roles: [{ name: 'a', template: podTemplate() }] });
export const lwsBase = (): any => ({ name: 'm', namespace: 'ml', size: 2, workerTemplate: podTemplate() });
export const podGroupBase = (): any => ({ name: 'gang', namespace: 'ml', minMember: 2 });
export const rolloutBase = (): any => ({ name: 'web', namespace: 'web', template: podTemplate(), replicas: 4, steps: [CanaryStep.trafficWeight(25), CanaryStep.pause()] });
export const nativeBase = (): any => ({
  name: 'web', namespace: 'web', replicas: 4, port: 8080,
  stable: { version: '1.4.0', podSpec: podSpec() }, canary: { version: '1.5.0', podSpec: podSpec() },
});
const metric = () => AnalysisMetric.prometheusQuery({ name: 'q', address: 'http://prometheus.monitoring:9090', query: 'up', successCondition: 'result[0] >= 1' });
export const analysisBase = (): any => ({ name: 'check', namespace: 'web', metrics: [metric()] });
export const applicationBase = (): any => ({ name: 'app', repoUrl: REPO, path: 'dist/prod/app' });
export const appSetBase = (): any => ({ name: 'apps', repoUrl: REPO, elements: [{ name: 'a', path: 'dist/a', project: 'p' }] });

export function corpus(): BadInput[] {
  const tenant = (c: Chart, p: any) => new TenantNamespace(c, 'tenant', p);
  const svc = (c: Chart, p: any) => new GpuInferenceService(c, 'svc', p);
  const lws = (c: Chart, p: any) => new LeaderWorkerSet(c, 'lws', p);
  const pg = (c: Chart, p: any) => new PodGroup(c, 'pg', p);
  const rbg = (c: Chart, p: any) => new RoleBasedGroup(c, 'rbg', p);
  const pd = (c: Chart, p: any) => RoleBasedGroup.prefillDecode(c, 'pd', p);
  const ro = (c: Chart, p: any) => new CanaryRollout(c, 'ro', p);
  const nc = (c: Chart, p: any) => new NativeCanary(c, 'nc', p);
  const at = (c: Chart, p: any) => new CanaryAnalysisTemplate(c, 'at', p);
  const app = (c: Chart, p: any) => new Application(c, 'app', p);
  const set = (c: Chart, p: any) => new ApplicationSet(c, 'set', p);
  const par = (c: Chart, p: any) => new PrometheusAdapterRules(c, 'par', p);
  const long = (n: number) => 'a'.repeat(n);
  return [
    ...suite('TenantNamespace', tenant, tenantBase, [
      ['name', 'string', true], ['tenantName', 'string'], ['labels', 'map'], ['annotations', 'map'], ['podSecurity', 'object'],
      ['podSecurity.version', 'string'], ['quota', 'object'], ['quota.cpuRequests', 'instance'], ['quota.memoryLimits', 'instance'],
      ['quota.gpus', 'array'], ['quota.gpus[0].count', 'number', true], ['quota.gpus[0].resource', 'instance', true], ['quota.pods', 'number'],
      ['quota.storageRequests', 'instance'], ['containerLimits.maxCpu', 'instance'], ['podLimits.maxMemory', 'instance'],
      ['pvcLimits.minStorage', 'instance'], ['network', 'object'], ['network.allowSameNamespace', 'boolean'], ['network.ingressFrom', 'array'],
      ['network.ingressFrom[0].ports', 'array', true], ['network.ingressFrom[0].namespace', 'string', true], ['admins', 'array'],
      ['nodePool', 'object'], ['nodePool.nodeLabel', 'object', true], ['nodePool.soft', 'boolean'],
    ], [
      ['name not a DNS label', 'name', 'Team_A'],
      ['name too long', 'name', long(64)],
      ['reserved name', 'name', 'kube-team'],
      ['name "default"', 'name', 'default'],
      ['label value with a space', 'labels', { team: 'a b' }],
      ['label key with two slashes', 'labels', { 'a/b/c': 'x' }],
      ['enforce level as an unknown string', 'podSecurity.enforce', 'strict'],
      ['pod security version not v1.x', 'podSecurity.version', '1.27'],
      ['negative GPU count', 'quota.gpus[0].count', -1],
      ['fractional GPU count', 'quota.gpus[0].count', 1.5],
      ['GPU resource as a string', 'quota.gpus[0].resource', 'nvidia.com/gpu'],
      ['MIG profile no GPU offers', 'quota.gpus[0].resource', GpuResource.mig('5g.999gb')],
      ['MIG profile malformed', 'quota.gpus[0].resource', GpuResource.mig('big')],
      ['cpu quota as a string', 'quota.cpuRequests', '8'],
      ['cpu quota unparsable', 'quota.cpuRequests', Cpu.parse('eight')],
      ['memory quota unparsable', 'quota.memoryLimits', Memory.parse('64GB')],
      ['negative pods quota', 'quota.pods', -3],
      ['port 0', 'network.ingressFrom[0].ports', [0]],
      ['port 70000', 'network.ingressFrom[0].ports', [70000]],
      ['ingress namespace invalid', 'network.ingressFrom[0].namespace', 'Gateway'],
      ['admin as a plain string', 'admins', ['alice'], 'admins[0]'],
      ['taint effect unknown', 'nodePool.taint.effect', 'Sometimes'],
      ['node label value invalid', 'nodePool.nodeLabel.value', 'a b'],
      ['typo: quotas', 'quotas', { pods: 1 }],
      ['typo: Name', 'Name', 'x'],
    ]),
    ...suite('GpuInferenceService', svc, serviceBase, [
      ['name', 'string', true], ['namespace', 'string'], ['image', 'string', true], ['model', 'string', true], ['gpu', 'object', true],
      ['gpu.count', 'number', true], ['gpu.resource', 'instance'], ['gpu.minMemoryMiB', 'number'], ['tensorParallelSize', 'number'],
      ['cpu', 'instance'], ['memory', 'instance'], ['shmSize', 'instance'], ['maxModelLoadTime', 'instance'], ['extraArgs', 'array'],
      ['env', 'array'], ['engine', 'instance'], ['nodesPerReplica', 'number'], ['modelCache', 'instance'], ['workloadKind', 'instance'],
      ['replicas', 'number'], ['autoscaling', 'instance'], ['rollout', 'instance'], ['progressDeadline', 'instance'],
      ['antiAffinity', 'instance'], ['clients', 'array'], ['monitor', 'instance'], ['labels', 'map'], ['spread', 'boolean'],
      ['podDisruptionBudget', 'boolean'], ['networkPolicy', 'boolean'], ['allowLatestImage', 'boolean'], ['security', 'object'],
      ['placement', 'object'],
    ], [
      ['name not a DNS-1035 label (leading digit)', 'name', '8b-llama'],
      ['name over 52 characters', 'name', long(53)],
      ['name with upper case', 'name', 'Llama'],
      ['image with an empty tag', 'image', 'vllm/vllm-openai:'],
      ['image untagged', 'image', 'vllm/vllm-openai'],
      ['image latest', 'image', 'vllm/vllm-openai:latest'],
      ['image with spaces', 'image', 'vllm/vllm openai:v1'],
      ['image with upper-case repository', 'image', 'VLLM/vllm-openai:v0.18.0'],
      ['empty model', 'model', ''],
      ['env name starting with a digit', 'env', [{ name: '1BAD', value: 'x' }], 'env[0].name'],
      ['env entry not an object', 'env', ['A=b'], 'env[0]'],
      ['env value a number', 'env', [{ name: 'A', value: 1 }], 'env[0].value'],
      ['0 GPUs', 'gpu.count', 0],
      ['1.5 GPUs', 'gpu.count', 1.5],
      ['GPU resource as a string', 'gpu.resource', 'nvidia.com/gpu'],
      ['MIG profile no GPU offers', 'gpu.resource', GpuResource.mig('5g.999gb')],
      ['maxModelLoadTime as seconds number', 'maxModelLoadTime', 600],
      ['maxModelLoadTime fractional seconds', 'maxModelLoadTime', Duration.millis(90500)],
      ['preStopDelay fractional seconds', 'preStopDelay', Duration.millis(1500)],
      ['terminationGracePeriod fractional seconds', 'terminationGracePeriod', Duration.millis(65500)],
      ['progressDeadline fractional seconds', 'progressDeadline', Duration.millis(700500)],
      ['antiAffinity as "hard"', 'antiAffinity', 'hard'],
      ['workloadKind as "StatefulSet"', 'workloadKind', 'StatefulSet'],
      ['engine as "vllm"', 'engine', 'vllm'],
      ['cpu as a string', 'cpu', '4'],
      ['memory as a string', 'memory', '32Gi'],
      ['memory unparsable', 'memory', Memory.parse('32 GB')],
      ['replicas 0', 'replicas', 0],
      ['replicas negative', 'replicas', -1],
      ['replicas fractional', 'replicas', 1.5],
      ['nodesPerReplica 0', 'nodesPerReplica', 0],
      ['autoscaling as a plain object', 'autoscaling', { maxReplicas: 3 }],
      ['clients as a namespace string', 'clients', ['gateway'], 'clients[0]'],
      ['label value with a space', 'labels', { team: 'a b' }],
      ['runAsUser 0 under restricted', 'security.runAsUser', 0],
      ['priorityClassName invalid', 'priorityClassName', 'High_Priority'],
      ['tensorParallelSize above the GPUs', 'tensorParallelSize', 4],
      ['hfTokenSecret name invalid', 'hfTokenSecret', { name: 'HF Token' }, 'hfTokenSecret.name'],
      ['typo: replica', 'replica', 2],
      ['typo: gpus', 'gpus', { count: 1 }],
      ['placement nodeSelector value invalid', 'placement', { nodeSelector: { pool: 'a b' } }, 'placement.nodeSelector'],
    ]),
    ...suite('LeaderWorkerSet', lws, lwsBase, [
      ['name', 'string', true], ['namespace', 'string'], ['replicas', 'number'], ['size', 'number', true], ['workerTemplate', 'object', true],
      ['leaderTemplate', 'object'], ['restartPolicy', 'instance'], ['startupPolicy', 'instance'], ['subGroupSize', 'number'],
      ['rolloutStrategy', 'object'], ['labels', 'map'], ['omitReplicas', 'boolean'],
    ], [
      ['size 0', 'size', 0],
      ['size fractional', 'size', 2.5],
      ['replicas negative', 'replicas', -1],
      ['name invalid', 'name', 'LWS'],
      ['restartPolicy as a string', 'restartPolicy', 'None'],
      ['subGroupSize not a divisor', 'subGroupSize', 3, 'subGroupSize'],
      ['label value invalid', 'labels', { a: '-x-' }],
    ]),
    ...suite('PodGroup', pg, podGroupBase, [
      ['name', 'string', true], ['minMember', 'number', true], ['scheduler', 'instance'], ['scheduleTimeoutSeconds', 'number'],
      ['minResources', 'object'], ['minResources.cpu', 'instance'], ['labels', 'map'],
    ], [
      ['minMember 0', 'minMember', 0],
      ['scheduler as "volcano"', 'scheduler', 'volcano'],
      ['cpu as a string', 'minResources.cpu', '4'],
      ['GPU entry count negative', 'minResources.gpus', [{ resource: GpuResource.NVIDIA_GPU, count: -1 }], 'minResources.gpus[0].count'],
      ['name invalid', 'name', 'Gang!'],
    ]),
    ...suite('RoleBasedGroup', rbg, rbgBase, [
      ['name', 'string', true], ['namespace', 'string'], ['roles', 'array', true], ['roles[0].name', 'string', true],
      ['roles[0].replicas', 'number'], ['roles[0].workload', 'instance'], ['roles[0].template', 'object'], ['roles[0].restartPolicy', 'instance'],
      ['roles[0].dependencies', 'array'], ['apiVersion', 'instance'], ['mode', 'instance'], ['labels', 'map'], ['router', 'object'],
      ['gangScheduling', 'object'],
    ], [
      ['no roles', 'roles', []],
      ['mode as "native"', 'mode', 'native'],
      ['role workload as a string', 'roles[0].workload', 'StatefulSet'],
      ['role replicas negative', 'roles[0].replicas', -1],
      ['role name invalid', 'roles[0].name', 'Role A'],
      ['role entry a string', 'roles', ['a'], 'roles[0]'],
      ['router role unknown', 'router', { role: 'nope' }, 'router.role'],
      ['scheduler name invalid', 'gangScheduling', { kubeScheduling: { schedulerName: 'My Scheduler' } }, 'gangScheduling.kubeScheduling.schedulerName'],
    ]),
    ...suite('RoleBasedGroup.prefillDecode', pd, pdBase, [
      ['name', 'string', true], ['engine', 'instance', true], ['image', 'string', true], ['routerImage', 'string', true],
      ['model', 'string', true], ['prefill', 'object', true], ['decode', 'object', true], ['decode.nodes', 'number'], ['prefill.replicas', 'number'],
      ['routerPort', 'number'], ['mode', 'instance'], ['kvTransfer', 'instance'],
    ], [
      ['decode.nodes 0', 'decode.nodes', 0],
      ['prefill.nodes fractional', 'prefill.nodes', 1.5],
      ['routerPort 0', 'routerPort', 0],
      ['router image latest', 'routerImage', 'lmsysorg/sglang-router:latest'],
      ['image untagged', 'image', 'lmsysorg/sglang'],
      ['image empty tag', 'image', 'lmsysorg/sglang:'],
      ['decode GPU count 0', 'decode.gpu.count', 0],
      ['mode as "native"', 'mode', 'native'],
      ['engine tgi', 'engine', ServingEngine.tgi()],
    ]),
    ...suite('CanaryRollout', ro, rolloutBase, [
      ['name', 'string', true], ['namespace', 'string'], ['template', 'object'], ['steps', 'array', true], ['replicas', 'number'],
      ['port', 'number'], ['targetPort', 'number'], ['stableServiceName', 'string'], ['trafficRouting', 'instance'], ['workloadRef', 'instance'],
      ['maxSurge', 'number'], ['gpusPerPod', 'number'], ['gpuResource', 'instance'], ['dynamicStableScale', 'boolean'],
      ['progressDeadlineSeconds', 'number'],
    ], [
      ['name too long for the derived Service names', 'name', long(60), 'name'],
      ['name with a leading digit (Service names)', 'name', '1web', 'name'],
      ['stableServiceName invalid', 'stableServiceName', '9stable'],
      ['step as a plain object', 'steps', [{ kind: 'setWeight', weight: 10 }], 'steps[0]'],
      ['port 0', 'port', 0],
      ['replicas negative', 'replicas', -1],
      ['steps not a list', 'steps', CanaryStep.pause()],
    ]),
    ...suite('NativeCanary', nc, nativeBase, [
      ['name', 'string', true], ['replicas', 'number', true], ['port', 'number', true], ['stable', 'object', true],
      ['stable.version', 'string', true], ['stable.podSpec', 'object', true], ['canary', 'object'], ['canaryWeight', 'number'],
      ['stableSlot', 'instance'], ['allowRounding', 'boolean'], ['httpRoute', 'object'],
    ], [
      ['canaryWeight 150', 'canaryWeight', 150],
      ['canaryWeight not expressible', 'canaryWeight', 33],
      ['version label invalid', 'stable.version', 'v 1'],
      ['replicas 0', 'replicas', 0],
      ['stableSlot as "a"', 'stableSlot', 'a'],
      ['name too long', 'name', long(62)],
    ]),
    ...suite('CanaryAnalysisTemplate', at, analysisBase, [
      ['name', 'string', true], ['namespace', 'string'], ['metrics', 'array', true], ['args', 'array'],
    ], [
      ['metric as a plain object', 'metrics', [{ name: 'q' }], 'metrics[0]'],
      ['arg without a name', 'args', [{ value: 'x' }], 'args[0].name'],
    ]),
    ...suite('PrometheusAdapterRules', par, () => ({}), [
      ['name', 'string'], ['namespace', 'string'], ['configKey', 'string'], ['additionalSeries', 'array'], ['labels', 'map'],
    ], [
      ['series name invalid', 'additionalSeries', ['bad-name'], 'additionalSeries[0]'],
      ['namespace invalid', 'namespace', 'Monitoring'],
    ]).filter((c) => !c.name.endsWith('props missing')),
    ...suite('Application', app, applicationBase, [
      ['name', 'string', true], ['repoUrl', 'string', true], ['path', 'string', true], ['syncWave', 'number'], ['ignoreDifferences', 'array'],
      ['syncOptions', 'array'], ['automated', 'boolean'], ['retry', 'object'], ['labels', 'map'], ['project', 'object'],
    ], [
      ['sync wave 1.5', 'syncWave', 1.5],
      ['sync wave as a string', 'syncWave', '1'],
      ['JSON pointer without a leading /', 'ignoreDifferences', [{ kind: 'Deployment', jsonPointers: ['spec/replicas'] }], 'ignoreDifferences[0].jsonPointers[0]'],
      ['ignoreDifferences without a kind', 'ignoreDifferences', [{ jsonPointers: ['/spec/replicas'] }], 'ignoreDifferences[0].kind'],
      ['sync option as a string', 'syncOptions', ['CreateNamespace=true'], 'syncOptions[0]'],
      ['retry backoff fractional', 'retry', { backoffDuration: Duration.millis(500) }, 'retry.backoffDuration'],
      ['repoUrl not a URL', 'repoUrl', 'nope'],
    ]),
    ...suite('ApplicationSet', set, appSetBase, [
      ['name', 'string', true], ['repoUrl', 'string', true], ['elements', 'array'], ['elements[0].name', 'string', true],
      ['elements[0].path', 'string', true], ['elements[0].syncWave', 'number'],
    ], [
      ['element sync wave "1.5"', 'elements[0].syncWave', '1.5'],
      ['element sync wave 1.5', 'elements[0].syncWave', 1.5],
    ]),
    ...suite('AppOfApps', (c, p) => new AppOfApps(c, 'root', p), () => ({ environment: 'prod', repoUrl: REPO, path: 'dist/prod/apps' }), [
      ['environment', 'string', true], ['repoUrl', 'string', true], ['path', 'string', true],
    ], [['environment upper case', 'environment', 'Prod']]),
    ...suite('TenantProject', (c, p) => new TenantProject(c, 'tp', p), () => ({ name: 'prod-team', sourceRepos: [REPO], namespaces: ['team'] }), [
      ['sourceRepos', 'array', true], ['namespaces', 'array'], ['adminGroups', 'array'], ['syncWave', 'number'],
    ], [['name invalid', 'name', 'Prod Team'], ['platformOwnedKinds entry without kind', 'platformOwnedKinds', [{ group: '' }], 'platformOwnedKinds[0].kind']]),
    ...suite('PlatformProject', (c, p) => new PlatformProject(c, 'pp', p), () => ({ name: 'prod-platform', sourceRepos: [REPO] }), [
      ['name', 'string', true], ['sourceRepos', 'array', true], ['syncWave', 'number'],
    ], [['sync wave 0.5', 'syncWave', 0.5]]),
    // Duplicates in a plain App: reported by the app-wide rule at synth.
    { name: 'plain App: two services with one name', prop: 'metadata.name',
      build: (c) => { svc(c, serviceBase()); new GpuInferenceService(c, 'svc2', serviceBase()); } },
    { name: 'plain App: two tenants with one namespace name', prop: 'metadata.name',
      build: (c) => { tenant(c, tenantBase()); new TenantNamespace(c, 'tenant2', tenantBase()); } },
    { name: 'plain App: two LeaderWorkerSets with one name', prop: 'metadata.name',
      build: (c) => { lws(c, lwsBase()); new LeaderWorkerSet(c, 'lws2', lwsBase()); } },
    { name: 'plain App: two PodGroups with one name', prop: 'metadata.name',
      build: (c) => { pg(c, podGroupBase()); new PodGroup(c, 'pg2', podGroupBase()); } },
    ...suite('ConfigManagementPlugin', (c, p) => new ConfigManagementPlugin(c, 'cmp', p), () => ({}), [
      ['name', 'string'], ['cpuRequest', 'instance'], ['memoryLimit', 'instance'],
    ], [['cpu as a string', 'cpuRequest', '100m']]).filter((c) => !c.name.endsWith('props missing')),
    // Static factories check their own arguments.
    ...factoryCases(),
  ];
}
