/**
 * The plugin's memo of passed schema checks (lib/validation/check-memo.ts): an object is skipped only when the same
 * JSON passed last time; findings are never remembered.
 */
import * as fs from 'fs';
import * as path from 'path';
import { memoizedCheck, saveCheckMemo, useCheckMemo } from '../../lib/validation/check-memo';
import { evaluate } from '../../lib/validation/evaluate';
import { tempDir } from '../support/tmp';
import { configMap, deployment } from './fixtures';

const finding = { rule: 'schema', object: 'x', message: 'bad' };

describe('check memo', () => {
  let file: string;
  beforeEach(() => {
    file = path.join(tempDir('check-memo-'), 'memo.json');
  });
  afterEach(() => useCheckMemo(undefined));

  function run(objects: any[], check: (m: any) => any[]): { results: any[][]; checked: any[] } {
    const checked: any[] = [];
    useCheckMemo(file);
    const results = objects.map((o) => memoizedCheck(o, (m) => { checked.push(m); return check(m); }));
    saveCheckMemo();
    return { results, checked };
  }

  test('skips an object that passed last time, checks a changed one again', () => {
    const a = configMap('a');
    const b = configMap('b');
    expect(run([a, b], () => []).checked).toEqual([a, b]);
    expect(run([a, b], () => []).checked).toEqual([]);
    const changed = { ...b, data: { a: 'c' } };
    expect(run([a, changed], () => [finding])).toEqual({ results: [[], [finding]], checked: [changed] });
  });

  test('never remembers findings, and keeps only the passes of the last validation', () => {
    const a = configMap('a');
    expect(run([a], () => [finding]).results).toEqual([[finding]]);
    expect(run([a], () => [finding])).toEqual({ results: [[finding]], checked: [a] });
    run([a], () => []);
    run([configMap('b')], () => []);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toHaveLength(1);
    expect(run([a], () => []).checked).toEqual([a]);
  });

  test('off: every object is checked and nothing is written', () => {
    useCheckMemo(undefined);
    const checked: any[] = [];
    memoizedCheck(configMap('a'), (m) => { checked.push(m); return []; });
    saveCheckMemo();
    expect(checked).toHaveLength(1);
    expect(fs.existsSync(file)).toBe(false);
  });

  test('the validator with the memo reports what it reports without it, also after an object breaks', () => {
    const objects = [deployment('web'), configMap('cfg')];
    const plain = evaluate(objects).violations;
    for (let i = 0; i < 2; i++) {
      useCheckMemo(file);
      expect(evaluate(objects).violations).toEqual(plain);
      saveCheckMemo();
    }
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toHaveLength(2);
    const broken = [deployment('web'), { ...configMap('cfg'), data: 'not a map' }];
    useCheckMemo(file);
    const withMemo = evaluate(broken).violations;
    saveCheckMemo();
    expect(withMemo).toEqual(evaluate(broken).violations);
    expect(withMemo.some((v) => v.object.includes('cfg') && v.rule === 'schema')).toBe(true);
  });
});
