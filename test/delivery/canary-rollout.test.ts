import { ApiObject, Duration } from 'cdk8s';
import { GpuResource } from '../../lib/core';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from '../../lib/core/k8s';
import { AnalysisArg, AnalysisMetric, CanaryAnalysisTemplate, CanaryRollout, CanaryRolloutProps, CanaryStep, TrafficRouting, WorkloadRef, WorkloadScaleDown } from '../../lib/delivery';
import { Autoscaling, PodMetric } from '../../lib/inference/autoscaling';
import { GATEWAY_API_PLUGIN } from '../../lib/delivery/traffic-routing';
import { Construct } from 'constructs';
import { checkFitsTenant } from '../../lib/core/tenant';
import { synthValid } from '../harness';

/** A plain construct that owns a Deployment, as a GpuInferenceService does. */
class ServiceLike extends Construct {}
import { byKind, chart, deployment, FakeTenant, one, podSpec } from './fixtures';

const SEED_STEPS = () => [
  CanaryStep.trafficWeight(10), CanaryStep.pauseFor(Duration.minutes(5)),
  CanaryStep.trafficWeight(30), CanaryStep.pauseFor(Duration.minutes(5)),
  CanaryStep.trafficWeight(50), CanaryStep.pauseFor(Duration.minutes(10)),
  CanaryStep.trafficWeight(100),
];

function successRate(scope: any, namespace = 'ml-team', bounded = true): CanaryAnalysisTemplate {
  return new CanaryAnalysisTemplate(scope, 'success-rate', {
    name: 'success-rate', namespace,
    args: [{ name: 'service-name' }],
    metrics: [AnalysisMetric.prometheusSuccessRate({ address: 'http://prometheus.monitoring:9090', minSuccessRate: 0.95, failureLimit: 3, count: bounded ? 5 : undefined })],
  });
}

function template(port = 8080, gpus = 0): k8s.PodTemplateSpec {
  return { spec: podSpec('registry.example.com/web:2.0.0', port, gpus) };
}

function base(extra: Partial<CanaryRolloutProps> = {}): CanaryRolloutProps {
  return { name: 'web', namespace: 'web-team', template: template(), replicas: 4, steps: [CanaryStep.trafficWeight(25), CanaryStep.pause()], ...extra };
}

/** The entries besides the two Service selector entries every CanaryRollout emits. */
const workloadIgnores = (ro: CanaryRollout) => ro.ignoreDifferences.filter((d) => d.kind !== 'Service');

describe('CanaryRollout', () => {
  test('stable and canary Services: rollouts-pod-template-hash in the selector is ignored, so self-heal keeps it', () => {
    const c = chart();
    const ro = new CanaryRollout(c, 'ro', base({ stableServiceName: 'web-main', canaryServiceName: 'web-next' }));
    expect(ro.ignoreDifferences.filter((d) => d.kind === 'Service')).toEqual([
      { kind: 'Service', name: 'web-main', namespace: 'web-team', jsonPointers: ['/spec/selector/rollouts-pod-template-hash'] },
      { kind: 'Service', name: 'web-next', namespace: 'web-team', jsonPointers: ['/spec/selector/rollouts-pod-template-hash'] },
    ]);
    // The Git selector itself does not carry the key: the controller owns it.
    const out = synthValid(c);
    for (const svc of byKind(out, 'Service')) expect(svc.spec.selector['rollouts-pod-template-hash']).toBeUndefined();
  });

  test('seed canary: workloadRef + Gateway API + success-rate analysis validates against the CRDs and matches the snapshot', () => {
    const c = chart();
    const tenant = new FakeTenant(c, 'tenant', 'ml-team', 4);
    const dep = deployment(c, 'vllm', 'ml-team', 2, 1);
    const at = successRate(c);
    const ro = new CanaryRollout(c, 'canary', {
      name: 'vllm', tenant,
      workloadRef: WorkloadRef.deployment(dep),
      steps: [...SEED_STEPS().slice(0, 6), CanaryStep.analysis(at, [AnalysisArg.value('service-name', 'vllm-canary')]), CanaryStep.trafficWeight(100)],
      backgroundAnalysis: { template: at, args: [AnalysisArg.value('service-name', 'vllm-canary')], startingStep: 1 },
      trafficRouting: TrafficRouting.gatewayApi({ parentRefs: [{ name: 'inference', namespace: 'gateway-system' }], hostnames: ['llm.example.com'] }),
      dynamicStableScale: true,
    });
    const out = synthValid(c);
    expect(out).toMatchSnapshot();
    expect(ro.ignoreDifferences.length).toBe(4); // two Service selectors, HTTPRoute weights, Deployment replicas
  });

  test('own pod template: selector and Services use the standard labels, port comes from the container', () => {
    const c = chart();
    new CanaryRollout(c, 'ro', base());
    const out = synthValid(c);
    const ro = one(out, 'Rollout');
    expect(ro.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(ro.metadata).toMatchObject({ name: 'web', namespace: 'web-team' });
    expect(ro.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'web' } });
    expect(ro.spec.template.metadata.labels).toMatchObject(ro.spec.selector.matchLabels);
    expect(ro.spec.replicas).toBe(4);
    expect(ro.spec.workloadRef).toBeUndefined();
    expect(ro.spec.strategy.canary).toMatchObject({ stableService: 'web-stable', canaryService: 'web-canary' });
    // int-or-string fields of the pod template survive (the probe port)
    expect(ro.spec.template.spec.containers[0].readinessProbe.httpGet.port).toBe(8080);
    const services = byKind(out, 'Service');
    expect(services.map((s) => s.metadata.name)).toEqual(['web-stable', 'web-canary']);
    for (const s of services) {
      expect(s.spec.selector).toEqual(ro.spec.selector.matchLabels);
      expect(s.spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' }]);
    }
  });

  test('typed steps render as Argo steps; pause durations use the largest exact unit', () => {
    const c = chart();
    const at = successRate(c, 'web-team');
    new CanaryRollout(c, 'ro', base({
      steps: [
        CanaryStep.trafficWeight(10), CanaryStep.pauseFor(Duration.seconds(90)), CanaryStep.pauseFor(Duration.minutes(5)),
        CanaryStep.pauseFor(Duration.hours(1)), CanaryStep.pause(),
        CanaryStep.analysis(at, [AnalysisArg.value('service-name', 'web-canary')]),
        CanaryStep.trafficWeight(100),
      ],
    }));
    const ro = one(synthValid(c), 'Rollout');
    expect(ro.spec.strategy.canary.steps).toEqual([
      { setWeight: 10 }, { pause: { duration: '90s' } }, { pause: { duration: '5m' } }, { pause: { duration: '1h' } }, { pause: {} },
      { analysis: { templates: [{ templateName: 'success-rate' }], args: [{ name: 'service-name', value: 'web-canary' }] } },
      { setWeight: 100 },
    ]);
  });

  test('Gateway API: typed plugin config, HTTPRoute with stable and canary backendRefs, ignoreDifferences on weights', () => {
    const c = chart();
    const ro = new CanaryRollout(c, 'ro', base({
      trafficRouting: TrafficRouting.gatewayApi({ parentRefs: [{ name: 'gw', namespace: 'gateway-system', sectionName: 'https' }], hostnames: ['web.example.com'], pathPrefix: '/v1' }),
    }));
    const out = synthValid(c);
    expect(one(out, 'Rollout').spec.strategy.canary.trafficRouting).toEqual({ plugins: { [GATEWAY_API_PLUGIN]: { httpRoute: 'web', namespace: 'web-team' } } });
    expect(ro.gatewayApiPluginConfig).toEqual({ httpRoute: 'web', namespace: 'web-team' });
    const route = one(out, 'HTTPRoute');
    expect(route.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('10');
    expect(route.spec.parentRefs).toEqual([{ name: 'gw', namespace: 'gateway-system', sectionName: 'https' }]);
    expect(route.spec.rules[0]).toEqual({
      matches: [{ path: { type: 'PathPrefix', value: '/v1' } }],
      backendRefs: [{ name: 'web-stable', port: 8080, weight: 100 }, { name: 'web-canary', port: 8080, weight: 0 }],
    });
    expect(workloadIgnores(ro)).toEqual([{
      group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'web', namespace: 'web-team',
      jsonPointers: ['/metadata/labels/rollouts.argoproj.io~1gatewayapi-canary'],
      jqPathExpressions: ['.spec.rules[].backendRefs[].weight'],
    }]);
  });

  test('nginx: the stable Ingress is named in trafficRouting', () => {
    const c = chart();
    new CanaryRollout(c, 'ro', base({ trafficRouting: TrafficRouting.nginx({ stableIngress: 'web', additionalIngressAnnotations: { 'canary-by-header': 'X-Canary' } }) }));
    expect(one(synthValid(c), 'Rollout').spec.strategy.canary.trafficRouting).toEqual({
      nginx: { stableIngress: 'web', additionalIngressAnnotations: { 'canary-by-header': 'X-Canary' } },
    });
  });

  test('no traffic routing: no trafficRouting key, no HTTPRoute, only the Service selector ignoreDifferences', () => {
    const c = chart();
    const ro = new CanaryRollout(c, 'ro', base());
    const out = synthValid(c);
    expect(one(out, 'Rollout').spec.strategy.canary.trafficRouting).toBeUndefined();
    expect(byKind(out, 'HTTPRoute')).toEqual([]);
    expect(workloadIgnores(ro)).toEqual([]);
    expect(ro.weights).toEqual([25]);
  });

  test('background analysis with startingStep and pod-template-hash args', () => {
    const c = chart();
    const at = new CanaryAnalysisTemplate(c, 'at', {
      name: 'latency', namespace: 'web-team', args: [{ name: 'hash' }],
      metrics: [AnalysisMetric.prometheusLatency({ address: 'http://prom:9090', maxLatency: Duration.millis(500), selector: 'pod_template_hash="{{args.hash}}"' })],
    });
    new CanaryRollout(c, 'ro', base({ backgroundAnalysis: { template: at, args: [AnalysisArg.latestPodTemplateHash('hash')], startingStep: 1 } }));
    expect(one(synthValid(c), 'Rollout').spec.strategy.canary.analysis).toEqual({
      templates: [{ templateName: 'latency' }], args: [{ name: 'hash', valueFrom: { podTemplateHashValue: 'Latest' } }], startingStep: 1,
    });
  });

  test('analysis args: literal, stable/latest pod-template hash and Rollout field', () => {
    const c = chart();
    const at = new CanaryAnalysisTemplate(c, 'at', {
      name: 'compare', namespace: 'web-team', args: [{ name: 'stable' }, { name: 'canary' }, { name: 'ns' }, { name: 'job' }],
      metrics: [AnalysisMetric.prometheusQuery({
        name: 'ratio', address: 'http://prom:9090', count: 3,
        query: 'x{namespace="{{args.ns}}",job="{{args.job}}",hash="{{args.canary}}"} / x{hash="{{args.stable}}"}', successCondition: 'result[0] < 1.2',
      })],
    });
    new CanaryRollout(c, 'ro', base({
      steps: [CanaryStep.trafficWeight(20), CanaryStep.analysis(at, [
        AnalysisArg.stablePodTemplateHash('stable'), AnalysisArg.latestPodTemplateHash('canary'),
        AnalysisArg.fieldRef('ns', 'metadata.namespace'), AnalysisArg.value('job', 'web'),
      ])],
    }));
    expect(one(synthValid(c), 'Rollout').spec.strategy.canary.steps[1].analysis.args).toEqual([
      { name: 'stable', valueFrom: { podTemplateHashValue: 'Stable' } },
      { name: 'canary', valueFrom: { podTemplateHashValue: 'Latest' } },
      { name: 'ns', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'job', value: 'web' },
    ]);
  });

  test('GPU awareness: setCanaryScale and dynamicStableScale render, and lower the peak pod count', () => {
    const c = chart();
    const routed = TrafficRouting.gatewayApi({ parentRefs: [{ name: 'gw' }], hostnames: ['a.example.com'] });
    const steps = [CanaryStep.canaryScale({ replicas: 1 }), CanaryStep.trafficWeight(10), CanaryStep.canaryScale({ matchTrafficWeight: true }), CanaryStep.trafficWeight(50)];
    const plain = new CanaryRollout(c, 'plain', base({ name: 'a', trafficRouting: routed, steps }));
    const dynamic = new CanaryRollout(c, 'dyn', base({ name: 'b', trafficRouting: TrafficRouting.gatewayApi({ parentRefs: [{ name: 'gw' }], hostnames: ['b.example.com'] }), steps, dynamicStableScale: true }));
    const out = synthValid(c);
    const ro = one(out, 'Rollout', 'b');
    expect(ro.spec.strategy.canary.dynamicStableScale).toBe(true);
    expect(ro.spec.strategy.canary.steps.slice(0, 3)).toEqual([{ setCanaryScale: { replicas: 1 } }, { setWeight: 10 }, { setCanaryScale: { matchTrafficWeight: true } }]);
    // 4 replicas: without dynamicStableScale the stable stays at 4 while the canary goes to 4 at promotion.
    expect(plain.peakPods(4)).toBe(8);
    // with it: canary 4 while the stable is still at 50% (2).
    expect(dynamic.peakPods(4)).toBe(6);
    // without a router: replicas plus maxSurge (25%, rounded up)
    expect(new CanaryRollout(c, 'none', base({ name: 'c' })).peakPods(4)).toBe(5);
    // A count that is not a replica count (jsii callers can pass anything) is refused, not computed.
    expect(() => plain.peakPods(-1)).toThrow('[test/plain] peakPods(replicas): given -1; allowed: an integer >= 0');
    expect(() => plain.peakPods(1.5)).toThrow('peakPods(replicas): given 1.5');
  });

  test('GPU quota: the canary surge is checked against the tenant quota at synth', () => {
    const c = chart();
    const tenant = new FakeTenant(c, 'tenant', 'ml-team', 4);
    // 2 replicas x 1 GPU, stable kept full: 4 GPUs at promotion -> fits exactly.
    new CanaryRollout(c, 'ok', { name: 'ok', tenant, template: template(8000, 1), replicas: 2, steps: SEED_STEPS(), trafficRouting: TrafficRouting.gatewayApi({ parentRefs: [{ name: 'gw' }] }) });
    expect(() => synthValid(c)).not.toThrow();
    new CanaryRollout(c, 'big', { name: 'big', tenant, template: template(8000, 2), replicas: 2, steps: SEED_STEPS(), trafficRouting: TrafficRouting.gatewayApi({ parentRefs: [{ name: 'gw' }], hostnames: ['big.example.com'] }) });
    expect(() => synthValid(c)).toThrow(/\[test\/big\] tenant: given "8 x nvidia.com\/gpu \(4 pods at the canary's peak with 2 replicas\)"; allowed: at most 4 under tenant "ml-team" quota requests.nvidia.com\/gpu/);
  });

  test('tenant total: a workloadRef Deployment is counted in the Rollout\'s peak, not twice', () => {
    const c = chart();
    const tenant = new FakeTenant(c, 'tenant', 'ml-team', 4);
    // The Deployment (2 x 1 GPU) is scaled down progressively as the Rollout (peak 4 x 1 GPU) scales up.
    const owner = new ServiceLike(c, 'svc');
    const dep = deployment(owner, 'vllm', 'ml-team', 2, 1);
    checkFitsTenant(owner, tenant, () => ({ description: 'the service', gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 2 }] }));
    new CanaryRollout(c, 'canary', { name: 'vllm', tenant, workloadRef: WorkloadRef.deployment(dep), steps: SEED_STEPS(), trafficRouting: TrafficRouting.gatewayApi({ parentRefs: [{ name: 'gw' }] }) });
    expect(() => synthValid(c)).not.toThrow();
    // A second workload of 1 GPU does not fit next to the canary's peak of 4.
    const other = new ServiceLike(c, 'other');
    checkFitsTenant(other, tenant, () => ({ description: 'other', gpus: [{ resource: GpuResource.NVIDIA_GPU, count: 1 }] }));
    expect(() => synthValid(c)).toThrow(/\[test\/tenant\] quota: given "5 x nvidia.com\/gpu for its workloads together at their peaks \(test\/canary: 4, test\/other: 1\)"/);
  });

  test('GPU quota: gpusPerPod overrides what the template asks for', () => {
    const c = chart();
    const tenant = new FakeTenant(c, 'tenant', 'ml-team', 4);
    new CanaryRollout(c, 'ro', { name: 'ro', tenant, template: template(8000, 0), replicas: 2, steps: SEED_STEPS(), gpusPerPod: 3, gpuResource: GpuResource.NVIDIA_GPU });
    expect(() => synthValid(c)).toThrow(/9 x nvidia.com\/gpu \(3 pods at the canary's peak with 2 replicas\)/);
  });

  test('tenant: namespace, tenant label and node placement of the own template', () => {
    const c = chart();
    const tenant = new FakeTenant(c, 'tenant', 'ml-team', 4);
    new CanaryRollout(c, 'ro', { name: 'ro', tenant, template: template(8000, 1), replicas: 1, steps: SEED_STEPS() });
    const ro = one(synthValid(c), 'Rollout');
    expect(ro.metadata.namespace).toBe('ml-team');
    expect(ro.metadata.labels['gpu-platform.dev/tenant']).toBe('ml-team');
    expect(ro.spec.template.spec.nodeSelector).toEqual({ 'gpu-platform.dev/pool': 'gpu' });
    expect(ro.spec.template.spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  });

  test('workloadRef: selector and replicas from the Deployment, scaleDown progressively, Deployment replicas ignored in Argo CD', () => {
    const c = chart();
    const dep = deployment(c, 'api', 'web-team', 3);
    const ro = new CanaryRollout(c, 'ro', { name: 'api', namespace: 'web-team', workloadRef: WorkloadRef.deployment(dep), steps: [CanaryStep.trafficWeight(50)] });
    const out = synthValid(c);
    const r = one(out, 'Rollout');
    expect(r.spec.workloadRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', scaleDown: 'progressively' });
    expect(r.spec.template).toBeUndefined();
    expect(r.spec.replicas).toBe(3);
    expect(r.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'api' } });
    expect(one(out, 'Service', 'api-canary').spec.selector).toEqual(r.spec.selector.matchLabels);
    expect(one(out, 'Service', 'api-stable').spec.ports[0].port).toBe(8000);
    expect(workloadIgnores(ro)).toEqual([{ group: 'apps', kind: 'Deployment', name: 'api', namespace: 'web-team', jsonPointers: ['/spec/replicas'] }]);
  });

  test('workloadRef by name, with scaleDown never: no ignoreDifferences for the Deployment', () => {
    const c = chart();
    deployment(c, 'api', 'web-team', 2);
    const ro = new CanaryRollout(c, 'ro', {
      name: 'api', namespace: 'web-team', port: 80, targetPort: 8000,
      workloadRef: WorkloadRef.deploymentNamed('api', { scaleDown: WorkloadScaleDown.NEVER }), steps: [CanaryStep.trafficWeight(50)],
    });
    const out = synthValid(c);
    expect(one(out, 'Rollout').spec.workloadRef.scaleDown).toBe('never');
    expect(one(out, 'Service', 'api-stable').spec.ports[0]).toMatchObject({ port: 80, targetPort: 8000 });
    expect(workloadIgnores(ro)).toEqual([]);
  });

  test('workloadRef to a cdk8s-plus Deployment through ApiObject.of', () => {
    const c = chart();
    const dep = new kplus.Deployment(c, 'plus', {
      metadata: { name: 'plus', namespace: 'web-team' },
      replicas: 2,
      containers: [{ image: 'registry.example.com/plus:1', portNumber: 8080, securityContext: { user: 1000, group: 1000 } }],
    });
    new CanaryRollout(c, 'ro', { name: 'plus', namespace: 'web-team', workloadRef: WorkloadRef.deployment(ApiObject.of(dep)), steps: [CanaryStep.trafficWeight(50)] });
    const out = synthValid(c, { skip: ['pod-security'] });
    const r = one(out, 'Rollout');
    expect(r.spec.workloadRef.name).toBe('plus');
    expect(r.spec.selector.matchLabels).toEqual(one(out, 'Deployment').spec.selector.matchLabels);
    expect(one(out, 'Service', 'plus-stable').spec.ports[0].port).toBe(8080);
  });

  test('HPA targets the Rollout; replicas left out and ignored in Argo CD', () => {
    const c = chart();
    const ro = new CanaryRollout(c, 'ro', base({
      replicas: undefined,
      autoscaling: Autoscaling.hpa({ minReplicas: 2, maxReplicas: 6, cpuUtilization: 70 }),
    }));
    const out = synthValid(c);
    expect(one(out, 'Rollout').spec.replicas).toBeUndefined();
    const hpa = one(out, 'HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'web' });
    expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 6 });
    expect(hpa.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }]);
    expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(600);
    expect(ro.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'web' });
    expect(workloadIgnores(ro)).toEqual([{ group: 'argoproj.io', kind: 'Rollout', name: 'web', namespace: 'web-team', jsonPointers: ['/spec/replicas'] }]);
  });

  test('KEDA ScaledObject targets the Rollout and validates against its CRD', () => {
    const c = chart();
    new CanaryRollout(c, 'ro', base({
      replicas: undefined,
      autoscaling: Autoscaling.keda({
        maxReplicas: 4, serverAddress: 'http://prometheus.monitoring:9090', metric: PodMetric.named('vllm:num_requests_waiting', 5),
      }),
    }));
    const so = one(synthValid(c), 'ScaledObject');
    expect(so.spec).toMatchObject({ scaleTargetRef: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'web' }, minReplicaCount: 1, maxReplicaCount: 4 });
    // The one renderer: the query sums the series over the Rollout's pods, by namespace and pod name.
    expect(so.spec.triggers).toEqual([{
      type: 'prometheus', name: 'vllm-num-requests-waiting', metricType: 'AverageValue',
      metadata: { serverAddress: 'http://prometheus.monitoring:9090', query: 'sum(vllm:num_requests_waiting{namespace="web-team",pod=~"web-[a-z0-9]+-[a-z0-9]+"})', threshold: '5' },
    }]);
  });

  test('sync waves: Rollout, HTTPRoute and autoscaler in ROLLOUT, Services in WORKLOAD', () => {
    const c = chart();
    new CanaryRollout(c, 'ro', base({ replicas: undefined, autoscaling: Autoscaling.external({ maxReplicas: 5 }), trafficRouting: TrafficRouting.gatewayApi({ parentRefs: [{ name: 'gw' }] }) }));
    const waves = Object.fromEntries(synthValid(c).map((m) => [`${m.kind}/${m.metadata.name}`, m.metadata.annotations['argocd.argoproj.io/sync-wave']]));
    expect(waves).toEqual({ 'Rollout/web': '10', 'HTTPRoute/web': '10', 'Service/web-stable': '0', 'Service/web-canary': '0' });
  });

  describe('errors', () => {
    test('no steps', () => {
      expect(() => new CanaryRollout(chart(), 'ro', base({ steps: [] })))
        .toThrow('[test/ro] steps: given []; allowed: at least one CanaryStep, for example [CanaryStep.trafficWeight(10), CanaryStep.pause()]');
    });
    test('a step that is not from the CanaryStep factories', () => {
      expect(() => new CanaryRollout(chart(), 'ro', base({ steps: [{ kind: 'setWeight', weight: 10 } as any] })))
        .toThrow('[test/ro] steps[0]: given {"kind":"setWeight","weight":10}; allowed: a CanaryStep from its static factories');
    });
    test('a step exposes no discriminant or per-kind fields', () => {
      const step: any = CanaryStep.trafficWeight(10);
      expect(Object.keys(CanaryStep.prototype).concat(Object.getOwnPropertyNames(CanaryStep.prototype)).filter((k) => !k.startsWith('_') && k !== 'constructor')).toEqual([]);
      expect(step.kind).toBeUndefined();
    });
    test('weight above 100', () => {
      expect(() => new CanaryRollout(chart(), 'ro', base({ steps: [CanaryStep.trafficWeight(120)] })))
        .toThrow('[test/ro] steps[0].setWeight: given 120; allowed: an integer from 0 to 100');
    });
    test('weight below 0', () => {
      expect(() => new CanaryRollout(chart(), 'ro', base({ steps: [CanaryStep.trafficWeight(-5)] })))
        .toThrow('[test/ro] steps[0].setWeight: given -5; allowed: an integer from 0 to 100');
    });
    test('weights going down', () => {
      expect(() => new CanaryRollout(chart(), 'ro', base({ steps: [CanaryStep.trafficWeight(50), CanaryStep.pause(), CanaryStep.trafficWeight(20)] })))
        .toThrow('[test/ro] steps[2].setWeight: given 20; allowed: a weight >= the previous setWeight (50); weights may not go down');
    });
    test('invalid pause duration', () => {
      expect(() => new CanaryRollout(chart(), 'ro', base({ steps: [CanaryStep.trafficWeight(10), CanaryStep.pauseFor(Duration.millis(1500))] })))
        .toThrow('[test/ro] steps[1].pause.duration: given "1500ms"; allowed: a whole number of seconds >= 1, for example Duration.seconds(30) or Duration.minutes(5)');
      expect(() => new CanaryRollout(chart(), 'ro2', base({ steps: [CanaryStep.pauseFor(Duration.seconds(0))] })))
        .toThrow('[test/ro2] steps[0].pause.duration: given "0ms"');
    });
    test('setCanaryScale without a traffic router', () => {
      expect(() => new CanaryRollout(chart(), 'ro', base({ steps: [CanaryStep.canaryScale({ replicas: 1 })] })))
        .toThrow('[test/ro] steps[0].setCanaryScale: given {"replicas":1}; allowed: setCanaryScale only with a traffic router (TrafficRouting.nginx or gatewayApi)');
    });
    test('setCanaryScale with two options', () => {
      expect(() => new CanaryRollout(chart(), 'ro', base({ trafficRouting: TrafficRouting.nginx({ stableIngress: 'web' }), steps: [CanaryStep.canaryScale({ replicas: 1, weight: 10 })] })))
        .toThrow('[test/ro] steps[0].setCanaryScale: given {"replicas":1,"weight":10}; allowed: exactly one of replicas, weight or matchTrafficWeight: true');
    });
    test('dynamicStableScale without a traffic router', () => {
      expect(() => new CanaryRollout(chart(), 'ro', base({ dynamicStableScale: true })))
        .toThrow('[test/ro] dynamicStableScale: given true; allowed: true only with a traffic router (TrafficRouting.nginx or gatewayApi)');
    });
    test('analysis step passes an arg the template does not declare', () => {
      const c = chart();
      const at = successRate(c, 'web-team');
      expect(() => new CanaryRollout(c, 'ro', base({ steps: [CanaryStep.analysis(at, [AnalysisArg.value('service-name', 'x'), AnalysisArg.value('svc', 'x')])] })))
        .toThrow('[test/ro] steps[0].analysis.args: given ["svc"]; allowed: only args the template "success-rate" declares (service-name)');
    });
    test('analysis step misses a required arg', () => {
      const c = chart();
      const at = successRate(c, 'web-team');
      expect(() => new CanaryRollout(c, 'ro', base({ steps: [CanaryStep.analysis(at)] })))
        .toThrow('[test/ro] steps[0].analysis.args: given []; allowed: values for every template arg without a default (service-name)');
    });
    test('analysis step with an unbounded template', () => {
      const c = chart();
      const at = successRate(c, 'web-team', false);
      expect(() => new CanaryRollout(c, 'ro', base({ steps: [CanaryStep.analysis(at, [AnalysisArg.value('service-name', 'x')])] })))
        .toThrow(/\[test\/ro\] steps\[0\]\.analysis\.template: given "success-rate"; allowed: a template whose metrics all set count/);
    });
    test('analysis template in another namespace', () => {
      const c = chart();
      const at = successRate(c, 'ml-team');
      expect(() => new CanaryRollout(c, 'ro', base({ backgroundAnalysis: { template: at, args: [AnalysisArg.value('service-name', 'x')] } })))
        .toThrow('[test/ro] backgroundAnalysis.template: given "ml-team/success-rate"; allowed: a template in the Rollout\'s namespace "web-team"');
    });
    test('background analysis startingStep out of range', () => {
      const c = chart();
      const at = successRate(c, 'web-team');
      expect(() => new CanaryRollout(c, 'ro', base({ backgroundAnalysis: { template: at, args: [AnalysisArg.value('service-name', 'x')], startingStep: 2 } })))
        .toThrow('[test/ro] backgroundAnalysis.startingStep: given 2; allowed: an integer from 0 to 1');
    });
    test('workloadRef to a Deployment that does not exist in the app', () => {
      const c = chart();
      new CanaryRollout(c, 'ro', { name: 'api', namespace: 'web-team', port: 8000, workloadRef: WorkloadRef.deploymentNamed('missing'), steps: [CanaryStep.trafficWeight(50)] });
      expect(() => synthValid(c)).toThrow('[test/ro] workloadRef: given "Deployment web-team/missing"; allowed: a Deployment that exists in this app (same name and namespace)');
    });
    test('workloadRef to a Deployment in another namespace', () => {
      const c = chart();
      const dep = deployment(c, 'api', 'ml-team', 1);
      expect(() => new CanaryRollout(c, 'ro', { name: 'api', namespace: 'web-team', workloadRef: WorkloadRef.deployment(dep), steps: [CanaryStep.trafficWeight(50)] }))
        .toThrow('[test/ro] workloadRef: given "ml-team/api"; allowed: a Deployment in the Rollout\'s namespace "web-team"');
    });
    test('workloadRef to a Deployment that has its own autoscaler', () => {
      const c = chart();
      const dep = deployment(c, 'api', 'web-team', 1);
      new k8s.KubeHorizontalPodAutoscalerV2(c, 'hpa', {
        metadata: { name: 'api', namespace: 'web-team' },
        spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' }, maxReplicas: 3, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] },
      });
      new CanaryRollout(c, 'ro', { name: 'api', namespace: 'web-team', workloadRef: WorkloadRef.deployment(dep), steps: [CanaryStep.trafficWeight(50)] });
      expect(() => synthValid(c)).toThrow('[test/ro] workloadRef: given "Deployment web-team/api (scaled by HorizontalPodAutoscaler api)"; allowed: a Deployment without its own autoscaler: give the autoscaler to the Rollout (autoscaling) instead');
    });
    test('workloadRef by name without a port', () => {
      expect(() => new CanaryRollout(chart(), 'ro', { name: 'api', namespace: 'web-team', workloadRef: WorkloadRef.deploymentNamed('api'), steps: [CanaryStep.trafficWeight(50)] }))
        .toThrow('[test/ro] port: given undefined; allowed: a port (required with WorkloadRef.deploymentNamed: the Deployment is only looked up at synth)');
    });
    test('both template and workloadRef', () => {
      const c = chart();
      const dep = deployment(c, 'api', 'web-team', 1);
      expect(() => new CanaryRollout(c, 'ro', base({ workloadRef: WorkloadRef.deployment(dep) })))
        .toThrow('[test/ro] template: given "both template and workloadRef"; allowed: exactly one of template (own pod template) and workloadRef (an existing Deployment)');
    });
    test('canary Service name equal to the stable one', () => {
      expect(() => new CanaryRollout(chart(), 'ro', base({ stableServiceName: 'web', canaryServiceName: 'web' })))
        .toThrow('[test/ro] canaryServiceName: given "web"; allowed: a name different from the stable Service "web"');
    });
    test('canary Service name used by another Service in the app', () => {
      const c = chart();
      new k8s.KubeService(c, 'other', { metadata: { name: 'web-canary', namespace: 'web-team' }, spec: { ports: [{ port: 80 }] } });
      new CanaryRollout(c, 'ro', base());
      expect(() => synthValid(c)).toThrow('[test/ro] canaryServiceName: given "web-canary"; allowed: a Service name not used by another Service in namespace web-team (test/other)');
    });
    test('nginx stable Ingress in the app that does not route to the stable Service', () => {
      const c = chart();
      new k8s.KubeIngress(c, 'ing', {
        metadata: { name: 'web', namespace: 'web-team' },
        spec: { ingressClassName: 'nginx', rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
      });
      new CanaryRollout(c, 'ro', base({ trafficRouting: TrafficRouting.nginx({ stableIngress: 'web' }) }));
      expect(() => synthValid(c)).toThrow('[test/ro] trafficRouting.stableIngress: given "web"; allowed: an Ingress whose rules route to the stable Service "web-stable" (it routes to ["web"])');
    });
    test('an engine metric without an engine', () => {
      expect(() => new CanaryRollout(chart(), 'ro', base({ replicas: undefined, autoscaling: Autoscaling.hpa({ maxReplicas: 4, metrics: [PodMetric.queueLength(5)] }) })))
        .toThrow('[test/ro] autoscaling.metrics[0]: given "PodMetric.queueLength(5)"; allowed: PodMetric.named(series, target) for pods without a known engine');
    });
    test('maxReplicas below minReplicas', () => {
      expect(() => new CanaryRollout(chart(), 'ro', base({ replicas: undefined, autoscaling: Autoscaling.external({ minReplicas: 3, maxReplicas: 2 }) })))
        .toThrow('[test/ro] autoscaling.minReplicas: given 3; allowed: at most maxReplicas (2)');
    });
    test('replicas together with autoscaling', () => {
      expect(() => new CanaryRollout(chart(), 'ro', base({ autoscaling: Autoscaling.external({ maxReplicas: 4 }) })))
        .toThrow('[test/ro] replicas: given 4; allowed: no replicas when autoscaling is set (the autoscaler owns spec.replicas)');
    });
    test('no namespace and no tenant', () => {
      expect(() => new CanaryRollout(chart(), 'ro', base({ namespace: undefined })))
        .toThrow('[test/ro] namespace: given undefined; allowed: a namespace, or a tenant to take it from');
    });
    test('Gateway API without parentRefs', () => {
      expect(() => new CanaryRollout(chart(), 'ro', base({ trafficRouting: TrafficRouting.gatewayApi({ parentRefs: [] }) })))
        .toThrow('[test/ro] trafficRouting.parentRefs: given []; allowed: at least one Gateway');
    });
  });
});
