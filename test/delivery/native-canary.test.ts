import { CanarySlot, NativeCanary, NativeCanaryProps } from '../../lib/delivery';
import { SLOT_LABEL, TRACK_LABEL, VERSION_LABEL } from '../../lib/delivery/native-canary';
import { expectValid, synthValid } from '../harness';
import { byKind, chart, FakeTenant, one, podSpec } from './fixtures';

function props(extra: Partial<NativeCanaryProps> = {}): NativeCanaryProps {
  return {
    name: 'web', namespace: 'web-team', replicas: 4, port: 8080,
    stable: { version: '1.4.0', podSpec: podSpec('registry.example.com/web:1.4.0', 8080) },
    canary: { version: '1.5.0', podSpec: podSpec('registry.example.com/web:1.5.0', 8080) },
    ...extra,
  };
}

describe('NativeCanary', () => {
  test('two slot Deployments and one shared Service validate and match the snapshot', () => {
    const c = chart();
    new NativeCanary(c, 'web', props({ canaryWeight: 25 }));
    expect(synthValid(c)).toMatchSnapshot();
  });

  test('weights become replica counts; the Service selects the common labels only', () => {
    const c = chart();
    const n = new NativeCanary(c, 'web', props({ canaryWeight: 25 }));
    const out = synthValid(c);
    const a = one(out, 'Deployment', 'web-a');
    const b = one(out, 'Deployment', 'web-b');
    expect([a.spec.replicas, b.spec.replicas]).toEqual([3, 1]);
    expect([n.stableReplicas, n.canaryReplicas, n.effectiveWeight]).toEqual([3, 1, 25]);
    expect(a.metadata.labels).toMatchObject({ [TRACK_LABEL]: 'stable', [VERSION_LABEL]: '1.4.0' });
    expect(b.metadata.labels).toMatchObject({ [TRACK_LABEL]: 'canary', [VERSION_LABEL]: '1.5.0' });
    // Selectors: common labels + slot; never track or version.
    expect(a.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'web', [SLOT_LABEL]: 'a' });
    expect(b.spec.template.metadata.labels).not.toHaveProperty(TRACK_LABEL);
    expect(one(out, 'Service').spec.selector).toEqual({ 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'web' });
    expect(byKind(out, 'HTTPRoute')).toEqual([]);
  });

  test('no canary: only the stable slot', () => {
    const c = chart();
    new NativeCanary(c, 'web', props({ canary: undefined }));
    const out = synthValid(c);
    expect(byKind(out, 'Deployment').map((d) => [d.metadata.name, d.spec.replicas])).toEqual([['web-a', 4]]);
  });

  test('allowRounding picks the nearest expressible weight', () => {
    const c = chart();
    const n = new NativeCanary(c, 'web', props({ replicas: 3, canaryWeight: 10, allowRounding: true }));
    synthValid(c);
    expect([n.stableReplicas, n.canaryReplicas, n.effectiveWeight]).toEqual([2, 1, 33.33]);
  });

  test('replicaSplit and expressibleWeights (the quantization table)', () => {
    expect(NativeCanary.replicaSplit(10, 10)).toEqual({ stableReplicas: 9, canaryReplicas: 1, effectiveWeight: 10, exact: true });
    expect(NativeCanary.replicaSplit(4, 10)).toEqual({ stableReplicas: 3, canaryReplicas: 1, effectiveWeight: 25, exact: false });
    expect(NativeCanary.replicaSplit(2, 100)).toEqual({ stableReplicas: 0, canaryReplicas: 2, effectiveWeight: 100, exact: true });
    expect(NativeCanary.expressibleWeights(4)).toEqual([0, 25, 50, 75, 100]);
    expect(NativeCanary.expressibleWeights(3)).toEqual([0, 100]);
  });

  test('HTTPRoute: exact weights, per-slot Services, pods rounded up per share', () => {
    const c = chart();
    const n = new NativeCanary(c, 'web', props({ replicas: 3, canaryWeight: 10, httpRoute: { parentRefs: [{ name: 'gw', namespace: 'gateway-system' }], hostnames: ['web.example.com'] } }));
    const out = synthValid(c);
    expect([n.stableReplicas, n.canaryReplicas, n.effectiveWeight]).toEqual([3, 1, 10]);
    const route = one(out, 'HTTPRoute');
    expect(route.spec.rules[0].backendRefs).toEqual([{ name: 'web-a', port: 8080, weight: 90 }, { name: 'web-b', port: 8080, weight: 10 }]);
    expect(route.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('10');
    expect(one(out, 'Service', 'web-b').spec.selector).toMatchObject({ [SLOT_LABEL]: 'b' });
  });

  test('manifestsAt gives one commit per weight', () => {
    const p = props();
    const at = (w: number) => NativeCanary.manifestsAt(p, w).filter((m) => m.kind === 'Deployment').map((d) => [d.metadata.name, d.spec.replicas]);
    expect(at(0)).toEqual([['web-a', 4], ['web-b', 0]]);
    expect(at(50)).toEqual([['web-a', 2], ['web-b', 2]]);
    expect(at(100)).toEqual([['web-a', 0], ['web-b', 4]]);
    expectValid(NativeCanary.manifestsAt(p, 75));
    expect(NativeCanary.manifestsAt({ ...p, allowRounding: true }, 10).filter((m) => m.kind === 'Deployment').map((d) => d.spec.replicas)).toEqual([3, 1]);
    expect(() => NativeCanary.manifestsAt(p, 10)).toThrow(/canaryWeight: given 10/);
  });

  test('promotion: the canary slot becomes stable without changing any selector or pod template', () => {
    const before = NativeCanary.manifestsAt(props(), 100);
    const next = NativeCanary.promote(props());
    expect(next.stableSlot).toBe(CanarySlot.B);
    expect(next.canary).toBeUndefined();
    const after = NativeCanary.manifestsAt(next, 0);
    const b0 = before.find((m) => m.kind === 'Deployment' && m.metadata.name === 'web-b');
    const b1 = after.find((m) => m.kind === 'Deployment' && m.metadata.name === 'web-b');
    expect(b1.spec.selector).toEqual(b0.spec.selector);
    expect(b1.spec.template).toEqual(b0.spec.template);
    expect(b1.spec.replicas).toBe(4);
    expect(b1.metadata.labels[TRACK_LABEL]).toBe('stable');
    expect(after.filter((m) => m.kind === 'Deployment').map((d) => d.metadata.name)).toEqual(['web-b']);
    // the next canary goes to slot a
    const third = NativeCanary.manifestsAt({ ...next, canary: props().stable }, 25);
    expect(third.filter((m) => m.kind === 'Deployment').map((d) => [d.metadata.name, d.metadata.labels[TRACK_LABEL], d.spec.replicas]))
      .toEqual([['web-b', 'stable', 3], ['web-a', 'canary', 1]]);
  });

  describe('promotion keeps every selector byte-identical', () => {
    /** `Kind/name` -> the selector's exact JSON text (Deployment spec.selector, Service spec.selector). */
    const selectors = (manifests: any[]) => new Map<string, string>(manifests
      .filter((m) => m.kind === 'Deployment' || m.kind === 'Service')
      .map((m) => [`${m.kind}/${m.metadata.name}`, JSON.stringify(m.spec.selector)]));

    /** Two full release cycles: canary 1.5.0 in slot b, promote, canary 1.6.0 in slot a, promote. */
    const commits = (route: Partial<NativeCanaryProps>) => {
      const v = (version: string) => ({ version, podSpec: podSpec(`registry.example.com/web:${version}`, 8080) });
      const first = props({ ...route, stable: v('1.4.0'), canary: v('1.5.0') });
      const second = { ...NativeCanary.promote(first), canary: v('1.6.0') };
      const third = NativeCanary.promote(second);
      return [
        NativeCanary.manifestsAt(first, 25), NativeCanary.manifestsAt(first, 100), NativeCanary.manifestsAt(NativeCanary.promote(first), 0),
        NativeCanary.manifestsAt(second, 50), NativeCanary.manifestsAt(second, 100), NativeCanary.manifestsAt(third, 0),
      ];
    };

    for (const [label, route] of [
      ['shared Service only', {}],
      ['with an HTTPRoute and per-slot Services', { httpRoute: { parentRefs: [{ name: 'gw', namespace: 'gateway-system' }], hostnames: ['web.example.com'] } }],
    ] as Array<[string, Partial<NativeCanaryProps>]>) {
      test(label, () => {
        const seen = new Map<string, string>();
        for (const manifests of commits(route)) {
          for (const [key, text] of selectors(manifests)) {
            // An object that exists in several commits has the very same selector text in all of them.
            if (seen.has(key)) expect(`${key} ${text}`).toBe(`${key} ${seen.get(key)}`);
            seen.set(key, text);
          }
        }
        // Both slots and the shared Service took part, and none ever selects track or version.
        expect([...seen.keys()]).toEqual(expect.arrayContaining(['Deployment/web-a', 'Deployment/web-b', 'Service/web']));
        for (const text of seen.values()) {
          expect(text).not.toContain(TRACK_LABEL);
          expect(text).not.toContain(VERSION_LABEL);
        }
        expect(seen.get('Service/web')).toBe('{"app.kubernetes.io/instance":"web","app.kubernetes.io/name":"web"}');
        expect(seen.get('Deployment/web-b')).toBe(`{"matchLabels":{"app.kubernetes.io/instance":"web","app.kubernetes.io/name":"web","${SLOT_LABEL}":"b"}}`);
        if (route.httpRoute) expect(seen.get('Service/web-a')).toBe(`{"app.kubernetes.io/instance":"web","app.kubernetes.io/name":"web","${SLOT_LABEL}":"a"}`);
      });
    }

    test('the promoted slot keeps its pod template, so its pods are not restarted', () => {
      const p = props({ httpRoute: { parentRefs: [{ name: 'gw' }] } });
      const podTemplate = (manifests: any[]) => JSON.stringify(one(manifests, 'Deployment', 'web-b').spec.template);
      expect(podTemplate(NativeCanary.manifestsAt(NativeCanary.promote(p), 0))).toBe(podTemplate(NativeCanary.manifestsAt(p, 100)));
      const route = one(NativeCanary.manifestsAt(NativeCanary.promote(p), 0), 'HTTPRoute');
      expect(route.spec.rules[0].backendRefs).toEqual([{ name: 'web-b', port: 8080, weight: 100 }]);
    });
  });

  test('tenant: namespace, placement and GPU quota of stable + canary pods', () => {
    const c = chart();
    const tenant = new FakeTenant(c, 't', 'ml-team', 4);
    new NativeCanary(c, 'ok', props({ name: 'ok', namespace: undefined, tenant, replicas: 4, canaryWeight: 50, stable: { version: '1', podSpec: podSpec('i:1', 8080, 1) }, canary: { version: '2', podSpec: podSpec('i:2', 8080, 1) } }));
    const out = synthValid(c);
    expect(one(out, 'Deployment', 'ok-a').metadata.namespace).toBe('ml-team');
    expect(one(out, 'Deployment', 'ok-a').spec.template.spec.nodeSelector).toEqual({ 'gpu-platform.dev/pool': 'gpu' });
    new NativeCanary(c, 'big', props({ name: 'big', namespace: undefined, tenant, replicas: 2, canaryWeight: 50, gpusPerPod: 3 }));
    expect(() => synthValid(c)).toThrow('[test/big] tenant: given "6 x nvidia.com/gpu (1 stable + 1 canary pods at weight 50)"');
  });

  describe('errors', () => {
    test('a namespace other than the tenant\'s (the same tenant binding as every workload)', () => {
      const c = chart();
      const tenant = new FakeTenant(c, 't', 'ml-team', 4);
      expect(() => new NativeCanary(c, 'web', props({ tenant })))
        .toThrow('[test/web] namespace: given "web-team"; allowed: the tenant\'s namespace "ml-team" (or leave namespace out)');
    });
    test('a weight the replica count cannot express', () => {
      expect(() => new NativeCanary(chart(), 'web', props({ canaryWeight: 10 })))
        .toThrow('[test/web] canaryWeight: given 10; allowed: a weight 4 replicas express exactly (0, 25, 50, 75, 100); set allowRounding: true to get 25% (1 of 4 pods), or use httpRoute for exact weights');
    });
    test('weight outside 0-100', () => {
      expect(() => new NativeCanary(chart(), 'web', props({ canaryWeight: 101 })))
        .toThrow('[test/web] canaryWeight: given 101; allowed: an integer from 0 to 100');
    });
    test('a weight without a canary', () => {
      expect(() => new NativeCanary(chart(), 'web', props({ canary: undefined, canaryWeight: 25 })))
        .toThrow('[test/web] canaryWeight: given 25; allowed: 0 when there is no canary version');
    });
    test('promote without a canary', () => {
      expect(() => NativeCanary.promote(props({ canary: undefined })))
        .toThrow('[NativeCanary.promote] canary: given undefined; allowed: a canary version to promote');
    });
    test('an invalid version label', () => {
      expect(() => new NativeCanary(chart(), 'web', props({ stable: { version: 'v1 beta', podSpec: podSpec('i', 8080) } })))
        .toThrow('[test/web] stable.version: given "v1 beta"; allowed: a label value');
    });
    test('Service name used by another Service in the app', () => {
      const c = chart();
      new NativeCanary(c, 'one', props());
      new NativeCanary(c, 'two', props({ namespace: 'web-team' }));
      expect(() => synthValid(c)).toThrow('[test/two] name: given "web"; allowed: a Service name not used by another Service in namespace web-team (test/one/Service)');
    });
  });
});
