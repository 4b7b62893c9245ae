import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import * as api from '../../lib';
import { addRule, fail, failAll, failSynth, formatViolation, PlatformError, requireInteger, requirePort } from '../../lib/core/errors';
import { synth } from '../harness';

function scope(): Construct {
  const chart = new Chart(Testing.app(), 'chart');
  return new Construct(chart, 'thing');
}

describe('formatViolation', () => {
  test('names the construct path, the prop, the value given and what is allowed', () => {
    expect(formatViolation(scope(), 'replicas', 'two', 'an integer >= 0')).toBe('[chart/thing] replicas: given "two"; allowed: an integer >= 0');
  });

  test('shows numbers, undefined, objects, NaN and Infinity as given', () => {
    const s = scope();
    expect(formatViolation(s, 'p', 3, 'x')).toBe('[chart/thing] p: given 3; allowed: x');
    expect(formatViolation(s, 'p', undefined, 'x')).toBe('[chart/thing] p: given undefined; allowed: x');
    expect(formatViolation(s, 'p', { a: [1] }, 'x')).toBe('[chart/thing] p: given {"a":[1]}; allowed: x');
    expect(formatViolation(s, 'p', NaN, 'x')).toBe('[chart/thing] p: given NaN; allowed: x');
    expect(formatViolation(s, 'p', -Infinity, 'x')).toBe('[chart/thing] p: given -Infinity; allowed: x');
  });

  test('does not throw for values JSON cannot show', () => {
    const cyclic: any = {};
    cyclic.self = cyclic;
    expect(formatViolation(scope(), 'p', cyclic, 'x')).toBe('[chart/thing] p: given [object Object]; allowed: x');
  });
});

test('fail throws a PlatformError in the standard format', () => {
  const s = scope();
  expect(() => fail(s, 'name', 'Bad_Name', 'a DNS label')).toThrow(PlatformError);
  expect(() => fail(s, 'name', 'Bad_Name', 'a DNS label')).toThrow('[chart/thing] name: given "Bad_Name"; allowed: a DNS label');
  try {
    fail(s, 'name', 'x', 'y');
  } catch (e) {
    expect((e as Error).name).toBe('PlatformError');
  }
});

test('fail takes a path where there is no construct; an empty path leaves the prefix out', () => {
  expect(() => fail('NativeCanary.promote', 'canary', undefined, 'a version')).toThrow('[NativeCanary.promote] canary: given undefined; allowed: a version');
  expect(() => fail('', 'quantity', '1x', 'a CPU quantity')).toThrow(/^quantity: given "1x"; allowed: a CPU quantity$/);
});

test('failAll lists every violation in one PlatformError', () => {
  expect(() => failAll(['[a] x: given 1; allowed: 2', '[b] y: given 3; allowed: 4']))
    .toThrow('Validation failed with the following errors:\n  [a] x: given 1; allowed: 2\n  [b] y: given 3; allowed: 4');
  expect(() => failAll(['m'])).toThrow(PlatformError);
});

describe('Errors.isPlatformError (public)', () => {
  function thrown(f: () => unknown): unknown {
    try {
      f();
    } catch (e) {
      return e;
    }
    throw new Error('did not throw');
  }

  test('recognises what fail, failAll and failSynth throw', () => {
    expect(api.Errors.isPlatformError(thrown(() => fail(scope(), 'p', 1, 'x')))).toBe(true);
    expect(api.Errors.isPlatformError(thrown(() => failAll(['m'])))).toBe(true);
    expect(api.Errors.isPlatformError(thrown(() => failSynth('disk full')))).toBe(true);
  });

  test('recognises an error a construct throws for bad input', () => {
    const chart = new Chart(Testing.app(), 'c');
    expect(api.Errors.isPlatformError(thrown(() => new api.TenantNamespace(chart, 't', { name: 'Bad_Name' } as any)))).toBe(true);
    expect(api.Errors.isPlatformError(thrown(() => api.Cpu.parse('lots').toK8s()))).toBe(true);
  });

  test('is false for other errors and non-errors', () => {
    for (const x of [new Error('x'), new TypeError('x'), undefined, null, 'PlatformError', { name: 'PlatformError' }]) {
      expect(api.Errors.isPlatformError(x)).toBe(false);
    }
  });

  test('is branded with a global symbol, so another copy of the library recognises it', () => {
    const e = thrown(() => fail(scope(), 'p', 1, 'x')) as any;
    expect(e[Symbol.for('cdk8s-gpu-platform.PlatformError')]).toBe(true);
    expect(e.name).toBe('PlatformError');
  });
});

describe('Warnings (public)', () => {
  test('records warnings as construct metadata and lists them in tree order', () => {
    const chart = new Chart(Testing.app(), 'chart');
    const a = new Construct(chart, 'a');
    const b = new Construct(a, 'b');
    api.Warnings.add(b, 'second');
    api.Warnings.add(a, 'first');
    expect(api.Warnings.of(chart)).toEqual(['[chart/a] first', '[chart/a/b] second']);
    expect(api.Warnings.of(b)).toEqual(['[chart/a/b] second']);
    expect(b.node.metadata.map((m) => m.type)).toEqual(['warning']);
  });

  test('the synth prints each warning once to stderr, and nothing under jest', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'chart');
    api.Warnings.add(chart, 'image not pinned');
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const env = process.env.NODE_ENV;
    try {
      app.synthYaml();
      expect(write).not.toHaveBeenCalled();
      process.env.NODE_ENV = 'production';
      app.synthYaml();
      app.synthYaml();
      expect(write.mock.calls.map((c) => c[0])).toEqual(['Warning: [chart] image not pinned\n']);
    } finally {
      process.env.NODE_ENV = env;
      write.mockRestore();
    }
  });

  test('a warning does not fail the synth', () => {
    const chart = new Chart(Testing.app(), 'chart');
    api.Warnings.add(chart, 'w');
    expect(synth(chart)).toEqual([]);
  });
});

describe('requireInteger / requirePort', () => {
  test('accept integers in range and return them', () => {
    expect(requireInteger(scope(), 'replicas', 0, 0)).toBe(0);
    expect(requireInteger(scope(), 'replicas', 5, 1, 5)).toBe(5);
    expect(requirePort(scope(), 'port', 65535)).toBe(65535);
  });

  test.each([
    [1.5, 0, undefined, '[chart/thing] replicas: given 1.5; allowed: an integer >= 0'],
    [-1, 0, undefined, '[chart/thing] replicas: given -1; allowed: an integer >= 0'],
    [NaN, 0, undefined, '[chart/thing] replicas: given NaN; allowed: an integer >= 0'],
    [6, 1, 5, '[chart/thing] replicas: given 6; allowed: an integer from 1 to 5'],
  ])('reject %p (min %p, max %p)', (value, min, max, message) => {
    expect(() => requireInteger(scope(), 'replicas', value, min, max)).toThrow(message);
  });

  test('reject a string passed where a number is expected', () => {
    expect(() => requireInteger(scope(), 'replicas', '3' as any, 0)).toThrow('[chart/thing] replicas: given "3"; allowed: an integer >= 0');
  });

  test('ports are 1-65535', () => {
    expect(() => requirePort(scope(), 'port', 0)).toThrow('[chart/thing] port: given 0; allowed: an integer from 1 to 65535');
    expect(() => requirePort(scope(), 'port', 65536)).toThrow('allowed: an integer from 1 to 65535');
  });
});

describe('addRule', () => {
  test('reports app-wide rules together at synth', () => {
    const chart = new Chart(Testing.app(), 'chart');
    const a = new Construct(chart, 'a');
    const b = new Construct(chart, 'b');
    addRule(a, () => [formatViolation(a, 'tenant', 8, 'at most 4')]);
    addRule(b, () => [formatViolation(b, 'port', 0, 'a port')]);
    expect(() => synth(chart)).toThrow(/\[chart\/a\] tenant: given 8; allowed: at most 4[\s\S]*\[chart\/b\] port: given 0; allowed: a port/);
  });

  test('an empty list passes', () => {
    const chart = new Chart(Testing.app(), 'chart');
    addRule(chart, () => []);
    expect(synth(chart)).toEqual([]);
  });

  test('the rule runs at synth, so it sees changes made after construction', () => {
    const chart = new Chart(Testing.app(), 'chart');
    const state = { count: 1 };
    addRule(chart, () => (state.count > 2 ? [formatViolation(chart, 'count', state.count, 'at most 2')] : []));
    state.count = 3;
    expect(() => synth(chart)).toThrow('[chart] count: given 3; allowed: at most 2');
  });
});

describe('one error function, one warnings channel', () => {
  // Every throw in lib/ goes through lib/core/errors.ts, every warning through Warnings (or printWarning where
  // no construct exists); the CLI's UsageError never leaves its argument parser. A new raw throw fails here.
  const libFiles = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? libFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
  const LIB = path.join(__dirname, '..', '..', 'lib');
  const ALLOWED: { [file: string]: RegExp } = {
    'core/errors.ts': /throw new PlatformError|process\.stderr\.write/,
    'validation/cli.ts': /throw new UsageError|process\.(stdout|stderr)\.write/,
  };

  test('lib/ has no raw throw, console call or process.emitWarning outside lib/core/errors.ts', () => {
    const offenders: string[] = [];
    for (const file of libFiles(LIB)) {
      const rel = path.relative(LIB, file).split(path.sep).join('/');
      fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
        if (/^\s*(\/\/|\*)/.test(line)) return;
        if (!/throw new \w+|console\.\w+\(|process\.emitWarning|process\.(stdout|stderr)\.write/.test(line)) return;
        if (ALLOWED[rel]?.test(line)) return;
        offenders.push(`lib/${rel}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });
});
