/**
 * The build results the clones of one machine share (scripts/machine-cache.js): entries are found by key,
 * written whole, marked when used, and dropped after a week unused.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from '../support/tmp';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cache = require('../../scripts/machine-cache.js') as {
  cacheFolder: (step: string) => string;
  prune: (dir: string, maxBytes?: number, now?: number) => void;
  BUDGET_BYTES: { [step: string]: number };
  readEntry: (step: string, key: string) => Buffer | undefined;
  writeEntry: (step: string, key: string, data: string | Uint8Array) => void;
  readOrMake: (step: string, key: string, make: () => Buffer, timeoutMs?: number) => { data: Buffer; reused: boolean };
};

const DAY = 86_400_000;

/** Writes an entry last used at `usedAt` (ms). */
function entry(dir: string, name: string, text: string, usedAt: number): void {
  fs.writeFileSync(path.join(dir, name), text);
  fs.utimesSync(path.join(dir, name), new Date(usedAt), new Date(usedAt));
}

describe('machine cache', () => {
  const saved = process.env.BUILD_CACHE_DIR;
  beforeEach(() => { process.env.BUILD_CACHE_DIR = tempDir('machine-cache-'); });
  afterAll(() => {
    if (saved === undefined) delete process.env.BUILD_CACHE_DIR; else process.env.BUILD_CACHE_DIR = saved;
  });

  test('an entry is found by its step and key, and only then; nothing of a half write is left', () => {
    expect(cache.readEntry('schemas', 'k1')).toBeUndefined();
    cache.writeEntry('schemas', 'k1', 'bundle');
    expect(cache.readEntry('schemas', 'k1')?.toString()).toBe('bundle');
    expect(cache.readEntry('schemas', 'k2')).toBeUndefined();
    expect(cache.readEntry('api-md', 'k1')).toBeUndefined();
    expect(cache.cacheFolder('schemas')).toBe(path.join(process.env.BUILD_CACHE_DIR as string, 'schemas'));
    expect(fs.readdirSync(cache.cacheFolder('schemas')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('reading an entry marks it used', () => {
    cache.writeEntry('api-md', 'k', 'text');
    const file = path.join(cache.cacheFolder('api-md'), 'k');
    const old = new Date(Date.now() - 3 * DAY);
    fs.utimesSync(file, old, old);
    cache.readEntry('api-md', 'k');
    expect(Date.now() - fs.statSync(file).mtimeMs).toBeLessThan(DAY);
  });

  test('pruning removes the entries no run used for 7 days', () => {
    const dir = cache.cacheFolder('jsii');
    const now = Date.now();
    entry(dir, 'old.pass', '', now - 8 * DAY);
    entry(dir, 'old.json', '{}', now - 8 * DAY);
    entry(dir, 'recent.json', '{}', now - 6 * DAY);
    cache.prune(dir, 1e6, now);
    expect(fs.readdirSync(dir)).toEqual(['recent.json']);
  });

  test('over its budget, a folder drops its least recently used entries down to 80% of the budget', () => {
    const dir = cache.cacheFolder('pack');
    const now = Date.now();
    for (let i = 0; i < 10; i++) entry(dir, `e${i}.tgz`, 'x'.repeat(100), now - (10 - i) * 60_000); // e9 is the newest
    cache.prune(dir, 1000, now);
    expect(fs.readdirSync(dir).length).toBe(10); // 1,000 bytes: within the budget
    cache.prune(dir, 999, now);
    expect(fs.readdirSync(dir).sort()).toEqual(['e3.tgz', 'e4.tgz', 'e5.tgz', 'e6.tgz', 'e7.tgz', 'e8.tgz', 'e9.tgz']);
  });

  test('writing an entry keeps the step within its budget', () => {
    const budget = cache.BUDGET_BYTES['consumer-compile'];
    const dir = cache.cacheFolder('consumer-compile');
    entry(dir, 'older', 'x'.repeat(budget * 0.4), Date.now() - 120_000);
    entry(dir, 'old', 'x'.repeat(budget * 0.4), Date.now() - 60_000);
    cache.writeEntry('consumer-compile', 'new', 'x'.repeat(budget * 0.4));
    expect(fs.readdirSync(dir).sort()).toEqual(['new', 'old']);
  });

  test('in the temporary folder the cache is the user\'s own: created with mode 700, not used when others can write to it', () => {
    const tmp = tempDir('machine-cache-tmp-');
    const saved = { build: process.env.BUILD_CACHE_DIR, tmp: process.env.TEST_CACHE_TMPDIR };
    delete process.env.BUILD_CACHE_DIR;
    process.env.TEST_CACHE_TMPDIR = tmp;
    try {
      const root = path.join(tmp, `cdk8s-gpu-platform-build-${process.getuid!()}`);
      cache.writeEntry('schemas', 'k', 'bundle');
      expect(fs.statSync(root).mode & 0o777).toBe(0o700);
      expect(cache.readEntry('schemas', 'k')?.toString()).toBe('bundle');
      fs.chmodSync(root, 0o777); // as if another account could have planted entries
      expect(cache.readEntry('schemas', 'k')).toBeUndefined();
      expect(() => cache.cacheFolder('schemas')).toThrow(/not a folder that only this user can write/);
    } finally {
      process.env.BUILD_CACHE_DIR = saved.build;
      if (saved.tmp === undefined) delete process.env.TEST_CACHE_TMPDIR; else process.env.TEST_CACHE_TMPDIR = saved.tmp;
    }
  });

  test('readOrMake makes an entry once; later calls read it', () => {
    let made = 0;
    const make = () => { made++; return Buffer.from('bundle'); };
    expect(cache.readOrMake('schemas', 'k', make)).toEqual({ data: Buffer.from('bundle'), reused: false });
    expect(cache.readOrMake('schemas', 'k', make)).toEqual({ data: Buffer.from('bundle'), reused: true });
    expect(made).toBe(1);
    expect(fs.readdirSync(cache.cacheFolder('schemas'))).not.toContain('k.lock');
  });

  test('readOrMake waits for another process that makes the same entry, and takes over the lock of one that is gone', async () => {
    const dir = cache.cacheFolder('schemas');
    // Another build: holds the lock, makes the entry in 1 s, then lets go.
    const other = spawn(process.execPath, ['-e', `
      const fs = require('fs'), path = require('path');
      const lock = path.join(${JSON.stringify(dir)}, 'k.lock');
      fs.mkdirSync(lock); fs.writeFileSync(path.join(lock, 'pid'), String(process.pid)); console.log('locked');
      setTimeout(() => { fs.writeFileSync(path.join(${JSON.stringify(dir)}, 'k'), 'theirs'); fs.rmSync(lock, { recursive: true }); }, 1000);`]);
    await new Promise<void>((resolve) => other.stdout.once('data', () => resolve()));
    const ours = cache.readOrMake('schemas', 'k', () => Buffer.from('ours'));
    await new Promise((resolve) => other.once('exit', resolve));
    expect(ours).toEqual({ data: Buffer.from('theirs'), reused: true });

    // A lock whose process is gone (a killed build): taken over.
    fs.mkdirSync(path.join(dir, 'gone.lock'));
    fs.writeFileSync(path.join(dir, 'gone.lock', 'pid'), '999999999');
    expect(cache.readOrMake('schemas', 'gone', () => Buffer.from('ours'))).toEqual({ data: Buffer.from('ours'), reused: false });
  });

  test('a folder that cannot be written is a miss, not a failure', () => {
    const file = path.join(tempDir('machine-cache-'), 'a-file');
    fs.writeFileSync(file, '');
    process.env.BUILD_CACHE_DIR = file; // a file where the folder should be
    expect(() => cache.writeEntry('schemas', 'k', 'x')).not.toThrow();
    expect(cache.readEntry('schemas', 'k')).toBeUndefined();
    expect(cache.readOrMake('schemas', 'k', () => Buffer.from('made'))).toEqual({ data: Buffer.from('made'), reused: false });
  });
});
