import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { Cpu, Memory, Storage } from '../../lib/core';
import { PlatformError } from '../../lib/core/errors';
import { countQuantity, parseQuantity, requireGpuCount } from '../../lib/core/quantity';
import { k8s } from '../../lib/core/k8s';
import { synth, validate } from '../harness';

const scope = () => new Construct(new Chart(Testing.app(), 'chart'), 'thing');

describe('parseQuantity', () => {
  test.each([
    ['500m', 0.5], ['2', 2], ['1.5', 1.5], ['.5', 0.5], ['1k', 1000], ['1Ki', 1024], ['16Gi', 16 * 2 ** 30], ['1Ti', 2 ** 40], ['0', 0],
  ])('%p is %p', (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value);
  });

  test.each(['', 'abc', '1 Gi', '1GB', '-1', '1gi', '1.2.3', 'Gi'])('%p does not parse', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });

  test('a non-string does not parse', () => {
    expect(parseQuantity(undefined as any)).toBeUndefined();
    expect(parseQuantity(5 as any)).toBeUndefined();
  });
});

describe('Cpu', () => {
  test('factories and parse', () => {
    expect(Cpu.millis(500).text).toBe('500m');
    expect(Cpu.millis(500).amount).toBe(0.5);
    expect(Cpu.cores(2).text).toBe('2');
    expect(Cpu.cores(1.5).millicores).toBe(1500);
    expect(Cpu.parse('250m').millicores).toBe(250);
    expect(Cpu.parse('4').isValid).toBe(true);
  });

  test('toK8s gives a Quantity object that synthesizes as the string, never null', () => {
    const q = Cpu.millis(500).toK8s();
    expect(q).toBeInstanceOf(k8s.Quantity);
    expect(q.value).toBe('500m');
    const chart = new Chart(Testing.app(), 'chart');
    new k8s.KubeResourceQuota(chart, 'q', {
      metadata: { name: 'q', namespace: 'ns' },
      spec: { hard: { 'requests.cpu': Cpu.cores(8).toK8s(), 'requests.memory': Memory.gibibytes(32).toK8s(), 'requests.storage': Storage.tebibytes(1).toK8s() } },
    });
    expect(synth(chart)[0].spec.hard).toEqual({ 'requests.cpu': '8', 'requests.memory': '32Gi', 'requests.storage': '1Ti' });
  });

  test('why: a plain string where cdk8s wants a Quantity synthesizes null, which the harness rejects', () => {
    const chart = new Chart(Testing.app(), 'chart');
    const security = { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };
    const pod = (name: string, cpu: k8s.Quantity) => new k8s.KubePod(chart, name, {
      metadata: { name, namespace: 'ns' },
      spec: { containers: [{ name: 'c', image: 'i', securityContext: security, resources: { limits: { cpu, memory: Memory.gibibytes(1).toK8s() } } }] },
    });
    pod('typed', Cpu.millis(500).toK8s());
    pod('string', '500m' as unknown as k8s.Quantity); // what the typed API makes impossible
    const [typed, raw] = synth(chart);
    expect(typed.spec.containers[0].resources.limits).toEqual({ cpu: '500m', memory: '1Gi' });
    expect(raw.spec.containers[0].resources.limits.cpu).toBeNull(); // as `cdk8s synth` writes it (the harness's synth mirrors the YAML)
    expect(validate([typed])).toEqual([]);
    expect(validate([raw])).toEqual(expect.arrayContaining([
      { rule: 'schema', object: 'Pod/ns/string', message: expect.stringContaining('spec.containers.0.resources.limits.cpu') },
    ]));
    expect(new Set(validate([raw]).map((v) => v.rule))).toEqual(new Set(['schema']));
  });

  test.each([
    ['parse("abc")', () => Cpu.parse('abc'), 'abc'],
    ['parse("")', () => Cpu.parse(''), ''],
    ['parse("-1")', () => Cpu.parse('-1'), '-1'],
    ['millis(1.5)', () => Cpu.millis(1.5), '1.5m'],
    ['millis(-100)', () => Cpu.millis(-100), '-100m'],
    ['cores(NaN)', () => Cpu.cores(NaN), 'NaN'],
    ['cores(-1)', () => Cpu.cores(-1), '-1'],
    ['cores(Infinity)', () => Cpu.cores(Infinity), 'Infinity'],
  ])('%s is invalid: validate names path, prop and value; toK8s throws', (_label, make, text) => {
    const cpu = make();
    expect(cpu.isValid).toBe(false);
    expect(() => cpu.validate(scope(), 'resources.cpu')).toThrow(
      `[chart/thing] resources.cpu: given ${JSON.stringify(text)}; allowed: a CPU quantity such as "500m", "2" or "1.5"`);
    expect(() => cpu.toK8s()).toThrow(PlatformError);
    expect(() => cpu.toK8s()).toThrow(`quantity: given ${JSON.stringify(text)}; allowed: a CPU quantity`);
  });

  test('validate returns the quantity for chaining', () => {
    const cpu = Cpu.parse('2');
    expect(cpu.validate(scope(), 'cpu')).toBe(cpu);
    expect(String(cpu)).toBe('2');
  });
});

describe('Memory', () => {
  test('factories and parse', () => {
    expect(Memory.mebibytes(512).text).toBe('512Mi');
    expect(Memory.mebibytes(512).bytes).toBe(512 * 2 ** 20);
    expect(Memory.gibibytes(16).bytes).toBe(16 * 2 ** 30);
    expect(Memory.parse('1G').bytes).toBe(1e9);
    expect(Memory.parse('16Gi').toK8s().value).toBe('16Gi');
  });

  test.each([
    [() => Memory.parse('16GB'), '16GB'],
    [() => Memory.parse('lots'), 'lots'],
    [() => Memory.gibibytes(-1), '-1Gi'],
    [() => Memory.mebibytes(NaN), 'NaNMi'],
  ])('invalid memory %#: validate names path, prop and value; toK8s throws', (make, text) => {
    const m = make();
    expect(() => m.validate(scope(), 'memory')).toThrow(`[chart/thing] memory: given ${JSON.stringify(text)}; allowed: a memory quantity such as "512Mi" or "16Gi"`);
    expect(() => m.toK8s()).toThrow(PlatformError);
  });
});

describe('Storage', () => {
  test('factories and parse', () => {
    expect(Storage.gibibytes(100).text).toBe('100Gi');
    expect(Storage.tebibytes(1).bytes).toBe(2 ** 40);
    expect(Storage.parse('500Gi').bytes).toBe(500 * 2 ** 30);
  });

  test.each([
    [() => Storage.parse('1 TB'), '1 TB'],
    [() => Storage.tebibytes(-2), '-2Ti'],
    [() => Storage.gibibytes(Infinity), 'InfinityGi'],
  ])('invalid storage %#: validate names path, prop and value; toK8s throws', (make, text) => {
    const s = make();
    expect(() => s.validate(scope(), 'storage')).toThrow(`[chart/thing] storage: given ${JSON.stringify(text)}; allowed: a storage quantity such as "100Gi" or "1Ti"`);
    expect(() => s.toK8s()).toThrow(PlatformError);
  });
});

describe('requireGpuCount', () => {
  test('whole numbers from the minimum', () => {
    expect(requireGpuCount(scope(), 'gpus', 1)).toBe(1);
    expect(requireGpuCount(scope(), 'gpus', 0, 0)).toBe(0);
  });

  test.each([[0, 1], [-1, 0], [0.5, 0], [1.5, 1], [NaN, 1]])('%p with min %p is rejected', (count, min) => {
    expect(() => requireGpuCount(scope(), 'gpus', count, min)).toThrow(`[chart/thing] gpus: given ${count}; allowed: a whole number of GPUs >= ${min}`);
  });

  test('a string is rejected', () => {
    expect(() => requireGpuCount(scope(), 'gpus', '2' as any)).toThrow('[chart/thing] gpus: given "2"; allowed: a whole number of GPUs >= 1');
  });
});

test('countQuantity synthesizes a number', () => {
  const chart = new Chart(Testing.app(), 'chart');
  new k8s.KubeResourceQuota(chart, 'q', { metadata: { name: 'q', namespace: 'ns' }, spec: { hard: { 'requests.nvidia.com/gpu': countQuantity(4), pods: countQuantity(20) } } });
  expect(synth(chart)[0].spec.hard).toEqual({ 'requests.nvidia.com/gpu': 4, 'pods': 20 });
});
