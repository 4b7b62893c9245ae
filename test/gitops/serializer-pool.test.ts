import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { documentKey, FileJob, memoizedYaml, SerializerPool } from '../../lib/gitops/serializer-pool';
import { tempDir } from '../support/tmp';

/** Documents that exercise YAML's quoting rules: YAML 1.1 booleans, numbers as strings, multi-line text, empties. */
function sampleDocs(n: number): any[] {
  return Array.from({ length: n }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `cm-${i}`, namespace: 'team', annotations: { 'argocd.argoproj.io/sync-wave': String(i % 3) } },
    data: {
      flag: ['yes', 'on', 'off', 'no', 'y', '~', 'null', '0o17', '1e3', '08', '1:20'][i % 11],
      script: `#!/bin/sh\nexec server --port ${8000 + i} \\\n  --flag "$X"\n`,
      empty: '',
      colon: 'a: b',
      hash: 'x #y',
      unicode: 'ünïcode – “quotes”',
    },
    extra: { list: [], map: {}, number: i, float: 0.5, negative: -1, bool: i % 2 === 0, nothing: null },
  }));
}

function tmpdir(prefix: string): string {
  return tempDir(prefix);
}

describe('memoizedYaml', () => {
  test('gives exactly what Yaml.stringify gives, for one document and for several', () => {
    const yaml = memoizedYaml((d) => Yaml.stringify(d), 100);
    const docs = sampleDocs(11);
    for (const d of docs) expect(yaml([d])).toBe(Yaml.stringify(d));
    expect(yaml(docs.slice(0, 3))).toBe(Yaml.stringify(...docs.slice(0, 3)));
    expect(yaml([undefined, docs[0]])).toBe(Yaml.stringify(undefined, docs[0]));
  });

  test('serializes a repeated document once, and only the last `capacity` documents are remembered', () => {
    let calls = 0;
    const yaml = memoizedYaml((d) => { calls++; return Yaml.stringify(d); }, 2);
    const [a, b, c] = sampleDocs(3);
    yaml([a]); yaml([b]); yaml([JSON.parse(JSON.stringify(a))]);
    expect(calls).toBe(2);
    yaml([c]); // evicts a, the oldest
    yaml([a]);
    expect(calls).toBe(4);
  });

  test('documents that JSON cannot tell apart get different keys', () => {
    const keys = [{ v: undefined }, { v: null }, {}, { v: NaN }, { v: Infinity }, { v: -Infinity }, { v: 0 }, { v: -0 }].map(documentKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(documentKey({ a: 1, b: ['x'] })).toBe(documentKey({ a: 1, b: ['x'] }));
  });
});

describe('SerializerPool', () => {
  const inline = memoizedYaml((d) => Yaml.stringify(d), 100);
  const writeInline = (job: FileJob) => fs.writeFileSync(job.file, inline(job.docs), { encoding: 'utf8' });

  test('workers write the same bytes as Yaml.stringify, and share the work', () => {
    const dir = tmpdir('pool-');
    const pool = new SerializerPool(2);
    expect(pool.waitUntilReady(20_000)).toBe(true);
    const docs = sampleDocs(60);
    for (let i = 0; i < docs.length; i += 4) {
      pool.submit(docs.slice(i, i + 4).map((d, j) => ({ file: path.join(dir, `f-${i + j}.yaml`), docs: [d] })), writeInline);
    }
    const stats = pool.finish(writeInline);
    expect(stats.workerSlices + stats.callerSlices).toBe(15);
    expect(stats.workerSlices).toBeGreaterThan(0);
    docs.forEach((d, i) => expect(fs.readFileSync(path.join(dir, `f-${i}.yaml`), 'utf8')).toBe(Yaml.stringify(d)));
  });

  test('with no threads, everything is written on the calling thread', () => {
    const dir = tmpdir('pool0-');
    const pool = new SerializerPool(0);
    const [d] = sampleDocs(1);
    pool.submit([{ file: path.join(dir, 'a.yaml'), docs: [d] }], writeInline);
    expect(pool.finish(writeInline)).toEqual({ workerSlices: 0, callerSlices: 1 });
    expect(fs.readFileSync(path.join(dir, 'a.yaml'), 'utf8')).toBe(Yaml.stringify(d));
  });

  test('a write that fails on a worker is reported by finish()', () => {
    const pool = new SerializerPool(1);
    expect(pool.waitUntilReady(20_000)).toBe(true);
    const missing = path.join(tmpdir('pool-err-'), 'no-such-dir', 'a.yaml');
    pool.submit([{ file: missing, docs: sampleDocs(1) }], writeInline);
    expect(() => pool.finish(writeInline)).toThrow(/writing the manifests failed: .*ENOENT/);
  });
});
