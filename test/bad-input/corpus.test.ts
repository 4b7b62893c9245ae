import { Chart, Testing } from 'cdk8s';
import { synth } from '../harness';
import { corpus } from './cases';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const cases = corpus();

test('the corpus has at least 300 uniquely named cases', () => {
  expect(cases.length).toBeGreaterThanOrEqual(300);
  expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
});

describe('every bad input gets a clear error naming the prop', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const app = Testing.app();
    const chart = new Chart(app, 'test');
    let error: unknown;
    try {
      c.build(chart);
      synth(app);
    } catch (e) {
      error = e;
    }
    if (error === undefined) throw new Error(`silently accepted: expected an error naming ${c.prop}`);
    const message = (error as Error).message;
    expect(error).not.toBeInstanceOf(TypeError);
    expect(error).not.toBeInstanceOf(RangeError);
    // The standard format, naming the prop as the user wrote it (or a path inside it).
    expect(message).toMatch(new RegExp(`\\[[^\\]]*\\] ${escape(c.prop)}(?=[:\\[. ])[^\\n]*: given [^\\n]*; allowed: .+`));
  });
});
