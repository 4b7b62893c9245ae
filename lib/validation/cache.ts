/**
 * The harness's on-disk cache (compiled schema validators, the CRD index) under os.tmpdir(). Every cache
 * folder is keyed by the CONTENT it was built from (the CRD files, the schemas) and by the code that built it
 * (the harness source file and the Ajv version), never by a hand-bumped version: a changed CRD, a new
 * kubernetes-models or an edited harness rebuilds, so a CI run never validates against stale schemas.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vm from 'vm';
import type Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';

/** Root of the cache; `HARNESS_CACHE_DIR` overrides it (tests, CI caches). Delete it to force a rebuild. */
export const CACHE_ROOT = process.env.HARNESS_CACHE_DIR ?? path.join(os.tmpdir(), 'cdk8s-gpu-platform-harness');

/** Short sha256 over the given parts. */
export function hash(...parts: Array<string | Buffer>): string {
  const h = crypto.createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 16);
}

const AJV_VERSION: string = JSON.parse(fs.readFileSync(require.resolve('ajv/package.json'), 'utf8')).version;

/** Key of the code that produces cached files: the given source file(s) and the Ajv version that compiles. */
export function codeKey(...sourceFiles: string[]): string {
  return hash(AJV_VERSION, ...sourceFiles.map((f) => fs.readFileSync(f)));
}

/** Writes through a temporary file and a rename, so parallel jest workers never read half a file. */
export function writeAtomic(file: string, text: string | Buffer): void {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/**
 * A hash of the files' contents (and their paths relative to `root`). Hashing 12 MB of CRDs costs ~50 ms, so the
 * result is remembered under a key of each file's size, mtime, ctime and inode, as git's index does: any write
 * to a file changes its ctime (which, unlike mtime, cannot be set back), so a changed file is always re-hashed,
 * while a fresh checkout with new timestamps but the same content still finds the compiled cache.
 */
export function contentKey(root: string, files: string[]): string {
  const stats = files.map((f) => {
    const s = fs.statSync(f);
    return [path.relative(root, f), s.size, s.mtimeMs, s.ctimeMs, s.ino];
  });
  const memo = path.join(CACHE_ROOT, 'content-keys', `${hash(path.resolve(root), JSON.stringify(stats))}.txt`);
  if (fs.existsSync(memo)) return fs.readFileSync(memo, 'utf8');
  const key = hash(...files.flatMap((f) => [path.relative(root, f), fs.readFileSync(f)]));
  fs.mkdirSync(path.dirname(memo), { recursive: true });
  writeAtomic(memo, key);
  return key;
}

/** How long a cache folder or entry may go unused before `pruneCache` removes it: a week. */
export const STALE_AFTER_MS = 7 * 24 * 3600_000;
/** The shortest time between two prunes (the mtime of PRUNE_STAMP under the root). */
const PRUNE_EVERY_MS = 24 * 3600_000;
const PRUNE_STAMP = '.last-prune';
/** Folders of entries shared by every key: pruned entry by entry, never removed whole. */
const SHARED = new Set(['content-keys', 'schema-checks']);
/** Keyed folders whose entries pile up while the folder is in use (one per parsed file content): pruned inside too. */
const GROWING = /^yaml-/;

const usedDirs = new Set<string>();

/**
 * A keyed cache folder (`<family>-<key>`), created if need be and marked as used now (its mtime, once per
 * process), then `pruneCache`. Returns `dir`. Best effort: a read-only cache only costs time.
 */
export function useCacheDir(dir: string): string {
  if (usedDirs.has(dir)) return dir;
  usedDirs.add(dir);
  try {
    fs.mkdirSync(dir, { recursive: true });
    const now = new Date();
    fs.utimesSync(dir, now, now);
    pruneCache(path.dirname(dir));
  } catch { /* read-only, or removed by another process: the caller's own write reports what matters */ }
  return dir;
}

/**
 * Removes what no run has used for STALE_AFTER_MS: every CRD set, Kubernetes models version, harness or Ajv
 * version gets new keyed folders (each a few MB), and parsed YAML, content keys and schema-check memos pile up
 * entry by entry; nothing else would ever remove them from the temporary folder. A keyed folder's mtime is
 * its last use (`useCacheDir`), an entry's mtime its creation. Runs at most once a day per root (the stamp is
 * touched first, so parallel processes do not all prune). Removing a folder another process still reads only
 * costs that process a rebuild: every cache here is a pure function of its key. Returns what it removed
 * (paths relative to the root).
 */
export function pruneCache(root: string = CACHE_ROOT, now: number = Date.now()): string[] {
  const stamp = path.join(root, PRUNE_STAMP);
  try {
    if (now - fs.statSync(stamp).mtimeMs < PRUNE_EVERY_MS) return [];
  } catch { /* never pruned */ }
  const removed: string[] = [];
  try {
    writeAtomic(stamp, '');
    const stale = (p: string) => now - fs.statSync(p).mtimeMs > STALE_AFTER_MS;
    const remove = (p: string) => {
      fs.rmSync(p, { recursive: true, force: true });
      removed.push(path.relative(root, p));
    };
    for (const e of fs.readdirSync(root, { withFileTypes: true })) {
      const p = path.join(root, e.name);
      try {
        if (!e.isDirectory()) continue;
        if (!SHARED.has(e.name) && stale(p)) remove(p);
        else if (SHARED.has(e.name) || GROWING.test(e.name)) for (const f of fs.readdirSync(p)) if (stale(path.join(p, f))) remove(path.join(p, f));
      } catch { /* removed meanwhile by another process */ }
    }
  } catch { /* read-only cache */ }
  return removed;
}

/** The one Ajv configuration both schema rules compile with (CRD and Kubernetes schemas). */
export function newAjv(options: { inlineRefs?: boolean } = {}): Ajv {
  // Loaded only to compile (a cache miss): a warm run needs just the small runtime helpers the generated code requires.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const AjvClass: typeof Ajv = require('ajv').default;
  return new AjvClass({ strict: false, allErrors: true, validateFormats: false, logger: false, code: { source: true }, ...options });
}

/** Writes a compiled validator as standalone code, so later test files load it instead of compiling. */
export function writeValidator(file: string, ajv: Ajv, compiled: ValidateFunction): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const standaloneCode: typeof import('ajv/dist/standalone').default = require('ajv/dist/standalone').default;
  writeAtomic(file, standaloneCode(ajv, compiled));
}

/**
 * Loads a validator written by `writeValidator`. A CRD's validator is hundreds of KB of code: V8's code cache
 * (`<file>.v8`, written after the first validation, when the validating functions are compiled) cuts its load
 * from about 1 s to about 0.2 s on a busy machine. A rejected cache (another Node version) is rewritten.
 */
export function loadValidator(file: string): ValidateFunction {
  const mod = { exports: {} as any };
  const cacheFile = `${file}.v8`;
  const cachedData = fs.existsSync(cacheFile) ? fs.readFileSync(cacheFile) : undefined;
  const script = new vm.Script(`(function (require, module, exports) {${fs.readFileSync(file, 'utf8')}\n})`, { filename: file, cachedData });
  // The generated code requires ajv runtime helpers; resolve them from here (the project's node_modules).
  script.runInThisContext()(require, mod, mod.exports);
  const validate = (mod.exports.default ?? mod.exports) as ValidateFunction;
  if (cachedData !== undefined && !script.cachedDataRejected) return validate;
  let written = false;
  const first = ((data: any) => {
    const ok = validate(data);
    first.errors = validate.errors;
    if (!written) {
      written = true;
      try { writeAtomic(cacheFile, script.createCachedData() as any); } catch { /* a read-only cache only costs time */ }
    }
    return ok;
  }) as ValidateFunction;
  return first;
}
