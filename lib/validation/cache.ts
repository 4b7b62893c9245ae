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
