import { ApiObject, Chart, Testing } from 'cdk8s';
import { CanaryRollout, CanaryRolloutProps, CanaryStep, NativeCanary, TrafficRouting } from '../../lib/delivery';
import { synthValid } from '../harness';
import { chart, podSpec } from './fixtures';

const SHARED = { name: 'inference', namespace: 'gateway-system' };

function rollout(extra: Partial<CanaryRolloutProps> = {}): CanaryRolloutProps {
  return {
    name: 'web', namespace: 'web-team', template: { spec: podSpec('registry.example.com/web:2.0.0', 8080) }, replicas: 2,
    steps: [CanaryStep.trafficWeight(25), CanaryStep.pause()], ...extra,
  };
}

function gw(hostnames?: string[], extra: object = {}) {
  return TrafficRouting.gatewayApi({ parentRefs: [SHARED], hostnames, ...extra });
}

describe('TrafficRouting.gatewayApi on a shared Gateway', () => {
  test('hostnames are emitted and the route validates against the HTTPRoute CRD', () => {
    const c = chart();
    new CanaryRollout(c, 'ro', rollout({ trafficRouting: gw(['llm.example.com', '*.llm.example.com']) }));
    const route = synthValid(c).find((o) => o.kind === 'HTTPRoute');
    expect(route.spec.hostnames).toEqual(['llm.example.com', '*.llm.example.com']);
  });

  test('a Gateway of another namespace without hostnames is refused, with the way out', () => {
    expect(() => new CanaryRollout(chart(), 'ro', rollout({ trafficRouting: gw() })))
      .toThrow('[test/ro] trafficRouting.hostnames: given undefined; allowed: the hostnames this route serves: it attaches to Gateway gateway-system/inference, shared with other namespaces, where a route without hostnames takes every hostname of the listener (set catchAllHostnames: true if that is what you want)');
  });

  test('the same for a NativeCanary HTTPRoute', () => {
    expect(() => new NativeCanary(chart(), 'nc', {
      name: 'web', namespace: 'web-team', replicas: 2, port: 8080,
      stable: { version: '1', podSpec: podSpec('registry.example.com/web:1', 8080) },
      httpRoute: { parentRefs: [SHARED] },
    })).toThrow('[test/nc] httpRoute.hostnames: given undefined; allowed: the hostnames this route serves');
  });

  test('catchAllHostnames opts in explicitly; a Gateway of the route\'s own namespace needs no hostnames', () => {
    const c = chart();
    new CanaryRollout(c, 'all', rollout({ name: 'all', trafficRouting: gw(undefined, { catchAllHostnames: true }) }));
    new CanaryRollout(c, 'own', rollout({ name: 'own', trafficRouting: TrafficRouting.gatewayApi({ parentRefs: [{ name: 'own-gw' }] }) }));
    const routes = synthValid(c).filter((o) => o.kind === 'HTTPRoute');
    expect(routes.map((r) => r.spec.hostnames)).toEqual([undefined, undefined]);
  });

  test.each([
    [['LLM.example.com'], 'hostnames[0]'],
    [['https://llm.example.com'], 'hostnames[0]'],
    [['llm.example.com:443'], 'hostnames[0]'],
    [['a.example.com', 'a.example.com'], 'hostnames'],
    [[], 'hostnames'],
  ])('bad hostnames %j are refused', (hostnames, prop) => {
    expect(() => new CanaryRollout(chart(), 'ro', rollout({ trafficRouting: gw(hostnames) }))).toThrow(`[test/ro] trafficRouting.${prop}: given`);
  });

  test('catchAllHostnames with hostnames is refused', () => {
    expect(() => new CanaryRollout(chart(), 'ro', rollout({ trafficRouting: gw(['a.example.com'], { catchAllHostnames: true }) })))
      .toThrow('[test/ro] trafficRouting.catchAllHostnames: given true; allowed: true only without hostnames');
  });
});

describe('no two HTTPRoutes of an environment claim the same hostname and path on one listener', () => {
  test('two rollouts with the same hostname and path on the same Gateway are reported at synth', () => {
    const c = chart();
    new CanaryRollout(c, 'a', rollout({ name: 'a', trafficRouting: gw(['llm.example.com']) }));
    new CanaryRollout(c, 'b', rollout({ name: 'b', namespace: 'other-team', trafficRouting: gw(['llm.example.com']) }));
    expect(() => Testing.synth(c)).toThrow(/\[test\/a\] trafficRouting.httpRouteName: given "web-team\/a"; allowed: a route no other HTTPRoute claims on the same listener: other-team\/b \(test\/b\/HttpRoute\) also claims hostname llm.example.com, PathPrefix \/ on Gateway gateway-system\/inference/);
  });

  test('different hostnames, different paths, or different listeners do not clash', () => {
    const c = chart();
    new CanaryRollout(c, 'a', rollout({ name: 'a', trafficRouting: gw(['a.example.com']) }));
    new CanaryRollout(c, 'b', rollout({ name: 'b', trafficRouting: gw(['b.example.com']) }));
    new CanaryRollout(c, 'c', rollout({ name: 'c', trafficRouting: gw(['a.example.com'], { pathPrefix: '/v2' }) }));
    new CanaryRollout(c, 'd', rollout({ name: 'd', trafficRouting: TrafficRouting.gatewayApi({ parentRefs: [{ ...SHARED, sectionName: 'https' }], hostnames: ['d.example.com'] }) }));
    new CanaryRollout(c, 'e', rollout({ name: 'e', trafficRouting: TrafficRouting.gatewayApi({ parentRefs: [{ ...SHARED, sectionName: 'http' }], hostnames: ['d.example.com'] }) }));
    expect(synthValid(c).filter((o) => o.kind === 'HTTPRoute')).toHaveLength(5);
  });

  test('a listener-wide route (no sectionName) clashes with a route on one of its listeners', () => {
    const c = chart();
    new CanaryRollout(c, 'a', rollout({ name: 'a', trafficRouting: TrafficRouting.gatewayApi({ parentRefs: [{ ...SHARED, sectionName: 'https' }], hostnames: ['x.example.com'] }) }));
    new CanaryRollout(c, 'b', rollout({ name: 'b', trafficRouting: gw(['x.example.com']) }));
    expect(() => Testing.synth(c)).toThrow(/test\/b\] trafficRouting.httpRouteName: given "web-team\/b".*also claims hostname x.example.com, PathPrefix \/ on Gateway gateway-system\/inference listener https/s);
  });

  test('two catch-all routes clash on "every hostname"; a route written by hand counts too', () => {
    const app = Testing.app();
    const c = new Chart(app, 'test');
    new CanaryRollout(c, 'a', rollout({ name: 'a', trafficRouting: gw(undefined, { catchAllHostnames: true }) }));
    const other = new Chart(app, 'other');
    new ApiObject(other, 'route', {
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute',
      metadata: { name: 'legacy', namespace: 'legacy' },
      spec: { parentRefs: [SHARED], rules: [{ backendRefs: [{ name: 'legacy', port: 80 }] }] },
    });
    expect(() => app.synth()).toThrow(/also claims every hostname \(no hostnames\), PathPrefix \/ on Gateway gateway-system\/inference/);
  });

  test('a rule that also matches a header claims no whole path', () => {
    const app = Testing.app();
    const c = new Chart(app, 'test');
    new CanaryRollout(c, 'a', rollout({ name: 'a', trafficRouting: gw(['a.example.com']) }));
    new ApiObject(c, 'route', {
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'beta', namespace: 'web-team' },
      spec: { parentRefs: [SHARED], hostnames: ['a.example.com'], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' }, headers: [{ name: 'x-beta', value: '1' }] }] }] },
    });
    expect(() => app.synth()).not.toThrow();
  });
});
