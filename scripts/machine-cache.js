// @ts-check
/**
 * The build results that every clone of the repository on one machine shares, as jest shares its transform
 * cache: a fresh clone (CI, a second worktree) reuses what another clone already built from the same content.
 * Everything here is keyed on content with paths relative to the repository (scripts/input-hash.js), never on
 * where a clone is; a key that matches gives the bytes the step would write.
 *
 * The folder is `$BUILD_CACHE_DIR`, else `cdk8s-gpu-platform-build` in the real temporary folder
 * (`TEST_CACHE_TMPDIR` when jest runs the step: jest's own temporary folder goes at the end of its run). One
 * sub-folder per step: `jsii/` (scripts/jsii-check-cache.js), `typecheck/` (scripts/typecheck.js), `schemas/`
 * (scripts/bundle-schemas.js), `api-md/` (scripts/api-docs.js), `pack/` (test/package/consumer.test.ts).
 * Entries are written whole under a temporary name, then renamed: clones that build at once never read half a
 * file. Reading an entry marks it used (its mtime); at most once a day a step removes from its sub-folder the
 * entries no run used for 7 days. Every failure to read or write is a miss: the step does the work.
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

/** How long an entry no run used is kept, and how often a sub-folder is looked through for such entries. */
const KEEP_MS = 7 * 86_400_000;
const PRUNE_EVERY_MS = 86_400_000;

/** The folder of one step's entries (see the header); created. */
function cacheFolder(/** @type {string} */ step) {
  const dir = path.join(process.env.BUILD_CACHE_DIR ?? path.join(process.env.TEST_CACHE_TMPDIR ?? os.tmpdir(), 'cdk8s-gpu-platform-build'), step);
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
 * Removes the entries of `dir` no run used for KEEP_MS (and temporary files of killed writers), at most once
 * per PRUNE_EVERY_MS (a `.last-prune` file).
 */
function prune(/** @type {string} */ dir, now = Date.now()) {
  const marker = path.join(dir, '.last-prune');
  try {
    try {
      if (now - fs.statSync(marker).mtimeMs < PRUNE_EVERY_MS) return;
    } catch { /* never pruned */ }
    fs.writeFileSync(marker, '');
    for (const e of fs.readdirSync(dir)) {
      if (e === '.last-prune') continue;
      const p = path.join(dir, e);
      try {
        if (now - fs.statSync(p).mtimeMs > KEEP_MS) fs.rmSync(p, { recursive: true, force: true });
      } catch { /* another run removed it */ }
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

/** Stores the bytes of `key` in a step's folder, then prunes it (at most daily); a failure stores nothing. */
function writeEntry(/** @type {string} */ step, /** @type {string} */ key, /** @type {string | Uint8Array} */ data) {
  try {
    const dir = cacheFolder(step);
    writeWhole(path.join(dir, key), data);
    prune(dir);
  } catch { /* a folder this user cannot write: the work again next time */ }
}

module.exports = { cacheFolder, writeWhole, touch, prune, readEntry, writeEntry, KEEP_MS };
