/**
 * The build results the clones of one machine share (scripts/machine-cache.js): entries are found by key,
 * written whole, marked when used, and dropped after a week unused.
 */
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from '../support/tmp';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cache = require('../../scripts/machine-cache.js') as {
  cacheFolder: (step: string) => string;
  prune: (dir: string, now?: number) => void;
  readEntry: (step: string, key: string) => Buffer | undefined;
  writeEntry: (step: string, key: string, data: string | Uint8Array) => void;
};

const DAY = 86_400_000;

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

  test('pruning removes the entries no run used for 7 days, at most once a day', () => {
    const dir = cache.cacheFolder('jsii');
    const now = Date.now();
    const entry = (name: string, ageDays: number) => {
      fs.writeFileSync(path.join(dir, name), '');
      const t = new Date(now - ageDays * DAY);
      fs.utimesSync(path.join(dir, name), t, t);
    };
    entry('old.pass', 8);
    entry('old.json', 8);
    entry('recent.json', 6);
    cache.prune(dir, now);
    expect(fs.readdirSync(dir).sort()).toEqual(['.last-prune', 'recent.json']);
    // Within a day of the last prune nothing is looked at.
    entry('old2.json', 30);
    cache.prune(dir, now + DAY / 2);
    expect(fs.readdirSync(dir)).toContain('old2.json');
    cache.prune(dir, now + 2 * DAY);
    expect(fs.readdirSync(dir)).not.toContain('old2.json');
  });

  test('a folder that cannot be written is a miss, not a failure', () => {
    const file = path.join(tempDir('machine-cache-'), 'a-file');
    fs.writeFileSync(file, '');
    process.env.BUILD_CACHE_DIR = file; // a file where the folder should be
    expect(() => cache.writeEntry('schemas', 'k', 'x')).not.toThrow();
    expect(cache.readEntry('schemas', 'k')).toBeUndefined();
  });
});
