/**
 * The validator's disk cache (lib/validation/cache.ts): keyed folders are marked as used, and what no run used
 * for a week goes, so that new CRD sets, models and harness versions do not pile up in the temporary folder.
 */
import * as fs from 'fs';
import * as path from 'path';
import { pruneCache, STALE_AFTER_MS, useCacheDir } from '../../lib/validation/cache';
import { tempDir } from '../support/tmp';

const DAY = 24 * 3600_000;

/** Creates `rel` (a folder when it ends with '/') under root, last modified `ageMs` ago. */
function make(root: string, rel: string, ageMs: number): void {
  const p = path.join(root, rel);
  if (rel.endsWith('/')) fs.mkdirSync(p, { recursive: true });
  else {
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, 'x');
  }
  const t = new Date(Date.now() - ageMs);
  fs.utimesSync(p, t, t);
}

describe('validator cache', () => {
  test('pruning removes the keyed folders and the entries no run used for a week, and keeps the rest', () => {
    const root = tempDir('harness-cache-');
    const old = STALE_AFTER_MS + DAY;
    make(root, 'crds-aaa-111/index.json', old);
    make(root, 'crds-aaa-111/', old); // its last use: a week and a day ago
    make(root, 'crds-aaa-222/index.json', old);
    make(root, 'crds-aaa-222/', DAY); // used yesterday: kept whole, even its old entries
    make(root, 'yaml-333/old.json', old);
    make(root, 'yaml-333/new.json', DAY);
    make(root, 'yaml-333/', DAY);
    make(root, 'content-keys/old.txt', old);
    make(root, 'content-keys/new.txt', 0);
    make(root, 'content-keys/', old); // shared: never removed whole
    make(root, 'schema-checks/old.json', old);
    make(root, 'recent-validators.json', old);
    const removed = pruneCache(root);
    expect(removed.sort()).toEqual(['content-keys/old.txt', 'crds-aaa-111', 'schema-checks/old.json', 'yaml-333/old.json']);
    expect(fs.readdirSync(root).sort()).toEqual(['.last-prune', 'content-keys', 'crds-aaa-222', 'recent-validators.json', 'schema-checks', 'yaml-333']);
    expect(fs.readdirSync(path.join(root, 'crds-aaa-222'))).toEqual(['index.json']);
    expect(fs.readdirSync(path.join(root, 'yaml-333'))).toEqual(['new.json']);
  });

  test('pruning runs at most once a day', () => {
    const root = tempDir('harness-cache-');
    expect(pruneCache(root)).toEqual([]);
    make(root, 'crds-aaa-111/', STALE_AFTER_MS + DAY);
    expect(pruneCache(root)).toEqual([]);
    expect(pruneCache(root, Date.now() + DAY + 1000)).toEqual(['crds-aaa-111']);
  });

  test('a folder in use is created and marked as used now, so pruning keeps it', () => {
    const root = tempDir('harness-cache-');
    const dir = path.join(root, 'kubernetes-models-4.3.1-444');
    make(root, 'kubernetes-models-4.3.1-444/', STALE_AFTER_MS + DAY);
    expect(useCacheDir(dir)).toBe(dir);
    expect(Date.now() - fs.statSync(dir).mtimeMs).toBeLessThan(DAY);
    const created = path.join(root, 'crd-validators-555');
    useCacheDir(created);
    expect(fs.statSync(created).isDirectory()).toBe(true);
    // The prune useCacheDir ran found both in use.
    expect(fs.readdirSync(root).sort()).toEqual(['.last-prune', 'crd-validators-555', 'kubernetes-models-4.3.1-444']);
  });
});
