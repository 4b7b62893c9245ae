// @ts-check
/**
 * The build results that every clone of the repository on one machine shares, as jest shares its transform
 * cache: a fresh clone (CI, a second worktree) reuses what another clone already built from the same content.
 * Everything here is keyed on content with paths relative to the repository (scripts/input-hash.js), never on
 * where a clone is; a key that matches gives the bytes the step would write.
 *
 * The folder is `$BUILD_CACHE_DIR`, else `cdk8s-gpu-platform-build-<uid>` in the real temporary folder
 * (`TEST_CACHE_TMPDIR` when jest runs the step: jest's own temporary folder goes at the end of its run). One
 * sub-folder per step: `jsii/` (scripts/jsii-check-cache.js), `typecheck/` (scripts/typecheck.js), `schemas/`
 * (scripts/bundle-schemas.js), `api-md/` (scripts/api-docs.js), `pack/` (test/package/consumer.test.ts).
 * Entries are written whole under a temporary name, then renamed: clones that build at once never read half a
 * file. Reading an entry marks it used (its mtime). After a step writes, its sub-folder is pruned: the entries
 * no run used for 7 days go, and while the sub-folder holds more than its budget (BUDGET_BYTES: every lib/ edit
 * adds a tarball and a few jsii outputs), the least recently used entries go too. Every failure to read or
 * write is a miss: the step does the work.
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { tryLock } = require('./process-alive');

/** How long an entry no run used is kept. */
const KEEP_MS = 7 * 86_400_000;
/** The most bytes a step's sub-folder keeps (a pruned folder goes down to 80% of it). */
const BUDGET_BYTES = { jsii: 512e6, pack: 64e6, schemas: 64e6, 'api-md': 32e6, typecheck: 16e6, 'consumer-compile': 1e6 };
const DEFAULT_BUDGET_BYTES = 64e6;

/**
 * The folder of one step's entries (see the header); created. Its outputs end up in the published package, so in
 * the shared temporary folder the cache is per user (like jest's `jest_<uid>`) and used only when that user owns
 * it and nobody else can write to it (created with mode 700): another account on the machine cannot plant
 * entries. Throws otherwise, which every caller takes as a miss.
 */
function cacheFolder(/** @type {string} */ step) {
  let root = process.env.BUILD_CACHE_DIR;
  if (root === undefined) {
    const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
    root = path.join(process.env.TEST_CACHE_TMPDIR ?? os.tmpdir(), `cdk8s-gpu-platform-build-${uid ?? 'user'}`);
    fs.mkdirSync(root, { recursive: true, mode: 0o700 });
    const st = fs.lstatSync(root);
    if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (process.platform !== 'win32' && (st.mode & 0o022) !== 0)) {
      throw new Error(`machine cache: ${root} is not a folder that only this user can write; not used`);
    }
  }
  const dir = path.join(root, step);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Writes a whole file under a temporary name, then renames it: a concurrent reader sees the old or the new file. */
function writeWhole(/** @type {string} */ file, /** @type {string | Uint8Array} */ data) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/** Marks entries used (their mtime), so that pruning keeps them; ignores entries gone. */
function touch(/** @type {string[]} */ files) {
  const now = new Date();
  for (const f of files) {
    try { fs.utimesSync(f, now, now); } catch { /* pruned meanwhile: a miss next time */ }
  }
}

/**
 * Removes the entries of `dir` no run used for KEEP_MS (with temporary files of killed writers), then, while
 * the rest holds more than `maxBytes`, the least recently used ones, down to 80% of it.
 */
function prune(/** @type {string} */ dir, maxBytes = BUDGET_BYTES[/** @type {keyof typeof BUDGET_BYTES} */ (path.basename(dir))] ?? DEFAULT_BUDGET_BYTES, now = Date.now()) {
  try {
    /** @type {Array<{ file: string, size: number, used: number }>} */
    const kept = [];
    for (const e of fs.readdirSync(dir)) {
      const file = path.join(dir, e);
      try {
        const st = fs.statSync(file);
        if (now - st.mtimeMs > KEEP_MS) fs.rmSync(file, { recursive: true, force: true });
        else kept.push({ file, size: st.size, used: st.mtimeMs });
      } catch { /* another run removed it */ }
    }
    let total = kept.reduce((n, k) => n + k.size, 0);
    if (total <= maxBytes) return;
    for (const k of kept.sort((a, b) => a.used - b.used)) {
      if (total <= 0.8 * maxBytes) break;
      fs.rmSync(k.file, { recursive: true, force: true });
      total -= k.size;
    }
  } catch { /* a folder this user cannot write */ }
}

/** The bytes stored for `key` in a step's folder (marked used), or undefined. */
function readEntry(/** @type {string} */ step, /** @type {string} */ key) {
  try {
    const file = path.join(cacheFolder(step), key);
    const data = fs.readFileSync(file);
    touch([file]);
    return data;
  } catch {
    return undefined;
  }
}

/** Stores the bytes of `key` in a step's folder, then prunes it; a failure stores nothing. */
function writeEntry(/** @type {string} */ step, /** @type {string} */ key, /** @type {string | Uint8Array} */ data) {
  try {
    const dir = cacheFolder(step);
    writeWhole(path.join(dir, key), data);
    prune(dir);
  } catch { /* a folder this user cannot write: the work again next time */ }
}

/**
 * The entry of `key`, made by `make` unless another process makes it now: then this one waits for it (a lock
 * folder `<key>.lock` holding the maker's process id; a lock whose process is gone, or older than `timeoutMs`,
 * is taken over) and reads what it stored. For steps two builds of one `npm test` reach at once (the schema
 * bundle of the dev build and of the package build). Synchronous; without a usable folder, just `make()`.
 */
function readOrMake(/** @type {string} */ step, /** @type {string} */ key, /** @type {() => Buffer} */ make, timeoutMs = 10 * 60_000) {
  const found = readEntry(step, key);
  if (found) return { data: found, reused: true };
  let lock;
  try {
    lock = path.join(cacheFolder(step), `${key}.lock`);
  } catch {
    return { data: make(), reused: false };
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (tryLock(lock, deadline)) break;
    } catch {
      return { data: make(), reused: false };
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    const made = readEntry(step, key);
    if (made) return { data: made, reused: true };
  }
  try {
    const again = readEntry(step, key); // made between the first look and the lock
    if (again) return { data: again, reused: true };
    const data = make();
    writeEntry(step, key, data);
    return { data, reused: false };
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

module.exports = { cacheFolder, writeWhole, touch, prune, readEntry, writeEntry, readOrMake, BUDGET_BYTES };
