/**
 * Which objects passed the schema checks (`checkCrd`, `checkSchema`) in the last validation of the cdk8s plugin, so
 * the next one neither loads the compiled validator of an unchanged object's kind nor runs it again (most objects of
 * a synth are what they were in the last one). Only passes are kept: an object with findings is always checked again.
 *
 * An object is known by the sha1 of its JSON; the memo file by everything else those checks read: the compiled code
 * and the schema bundle next to it (every `.js` and `.json` file of this folder, by content) and the Ajv version that
 * compiles the validators. So it is on only where the schemas are the shipped bundle: not with `CRDS_DIR` (the dev
 * loop's and the tests' CRD folder) or with the plugin's extra `crds` folders. The file holds the passes of the
 * last validation only, so it never grows beyond one tree.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CACHE_ROOT, codeKey, contentKey, hash, writeAtomic } from './cache';
import { BUNDLE_FILE } from './crd';
import type { Violation } from './types';

interface ActiveMemo {
  readonly file: string;
  readonly before: Set<string>;
  readonly now: Set<string>;
}

let active: ActiveMemo | undefined;

/** The memo file of the shipped bundle and this code, or undefined where the schemas come from elsewhere. */
export function defaultCheckMemoFile(): string | undefined {
  if (process.env.CRDS_DIR !== undefined || !fs.existsSync(BUNDLE_FILE)) return undefined;
  const dir = path.dirname(BUNDLE_FILE);
  const files = fs.readdirSync(dir).filter((f) => /\.(js|json)$/.test(f)).sort().map((f) => path.join(dir, f));
  return path.join(CACHE_ROOT, 'schema-checks', `${hash(codeKey(), contentKey(dir, files))}.json`);
}

/** Starts using the memo in `file` for the checks that follow, until `saveCheckMemo`. */
export function useCheckMemo(file: string | undefined): void {
  active = undefined;
  if (file === undefined) return;
  let before: string[] = [];
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (Array.isArray(parsed)) before = parsed.filter((k) => typeof k === 'string');
  } catch { /* none yet */ }
  active = { file, before: new Set(before), now: new Set() };
}

/** `check(manifest)`, or no findings when the same object passed it in the last validation. */
export function memoizedCheck(manifest: any, check: (manifest: any) => Violation[]): Violation[] {
  if (active === undefined) return check(manifest);
  const key = crypto.createHash('sha1').update(JSON.stringify(manifest)).digest('base64');
  if (active.before.has(key)) {
    active.now.add(key);
    return [];
  }
  const found = check(manifest);
  if (found.length === 0) active.now.add(key);
  return found;
}

/** Writes the passes of this validation (when they differ from the last) and stops using the memo. */
export function saveCheckMemo(): void {
  const memo = active;
  active = undefined;
  if (memo === undefined) return;
  const keys = [...memo.now].sort();
  if (keys.length === memo.before.size && keys.every((k) => memo.before.has(k))) return;
  try {
    fs.mkdirSync(path.dirname(memo.file), { recursive: true });
    writeAtomic(memo.file, JSON.stringify(keys));
  } catch { /* a read-only cache only costs time */ }
}

/** Whether the memo file exists: then a validation needs few compiled validators, and preloading them is wasted. */
export function hasCheckMemo(): boolean {
  const file = defaultCheckMemoFile();
  return file !== undefined && fs.existsSync(file);
}
