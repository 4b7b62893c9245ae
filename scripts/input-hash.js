// @ts-check
/**
 * Content-hash cache keys for the steps `npm test` skips when nothing they read changed: the package build
 * (scripts/build-package.js), the type-check (scripts/typecheck.js) and the consumer app's install
 * (test/package/consumer.test.ts). See docs/development.md, "What `npm test` caches".
 *
 * A key is the SHA-256 of every input file's path and bytes (directories walked recursively, in sorted order)
 * plus extra strings such as tool versions. Contents, not mtimes: a checkout, a merge or a touch that keeps
 * the bytes reuses the result; any changed, added, removed or renamed input changes the key. A step clears its
 * stamp before it starts and writes it only after it succeeded, so a failed or killed run never leaves a
 * valid stamp behind, and a clean clone (no build/) has none: it always does the full work.
 */
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

/**
 * The key of a set of inputs.
 * @param {string} root the folder `paths` are relative to (the repository)
 * @param {readonly string[]} paths files or directories, relative to `root` or absolute (named in the key by
 *   their path relative to `root`, so that clones in other folders get the same key); a missing path is part
 *   of the key as missing
 * @param {{ filter?: (relPath: string) => boolean, extra?: readonly string[] }} [options]
 *   `filter` keeps only the matching files of a walked directory; `extra` are strings hashed along (versions)
 * @returns {string}
 */
function inputHash(root, paths, options = {}) {
  const h = crypto.createHash('sha256');
  const add = (/** @type {string} */ rel) => {
    const abs = path.resolve(root, rel);
    let st;
    try { st = fs.statSync(abs); } catch { h.update(`missing\0${rel}\0`); return; }
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(abs).sort()) {
        const child = path.join(rel, e);
        let isDir = false;
        try { isDir = fs.statSync(path.resolve(root, child)).isDirectory(); } catch { /* vanished: hashed as missing */ }
        if (isDir || !options.filter || options.filter(child)) add(child);
      }
      return;
    }
    // Paths with forward slashes: the key does not depend on the platform's separator.
    h.update(`file\0${rel.split(path.sep).join('/')}\0${st.size}\0`);
    h.update(fs.readFileSync(abs));
    h.update('\0');
  };
  for (const p of paths) add(path.isAbsolute(p) ? path.relative(root, p) || '.' : p);
  for (const x of options.extra ?? []) h.update(`extra\0${x}\0`);
  return h.digest('hex');
}

/**
 * The TypeScript files `roots` reach through relative imports (`import`, `export ... from`, `require`,
 * `import()`), the roots included, relative to `root` and sorted: what a compile of the roots reads besides
 * packages. Undefined when an import does not resolve to a .ts file, or a file references another (then a key
 * must cover more).
 */
function relativeImportClosure(/** @type {string} */ root, /** @type {readonly string[]} */ roots) {
  const ts = require('typescript');
  const seen = new Set(roots.map((f) => path.resolve(root, f)));
  const todo = [...seen];
  while (todo.length > 0) {
    const file = /** @type {string} */ (todo.pop());
    const { importedFiles, referencedFiles } = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    if (referencedFiles.length > 0) return undefined;
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const base = path.resolve(path.dirname(file), fileName);
      const found = [`${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f));
      if (!found) return undefined;
      if (!seen.has(found)) { seen.add(found); todo.push(found); }
    }
  }
  return [...seen].map((f) => path.relative(root, f)).sort();
}

/** The version of an installed package, or `none` (part of a key: a tool upgrade invalidates the cache). */
function installedVersion(/** @type {string} */ root, /** @type {string} */ name) {
  try {
    return `${name}@${JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version}`;
  } catch {
    return `${name}@none`;
  }
}

/** The key a stamp file holds, or undefined. */
function readStamp(/** @type {string} */ file) {
  try {
    return fs.readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function writeStamp(/** @type {string} */ file, /** @type {string} */ key) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${key}\n`);
}

function clearStamp(/** @type {string} */ file) {
  fs.rmSync(file, { force: true });
}

/** Whether `NO_BUILD_CACHE=1` (or `true`) asks every cached step to do the full work. */
function cacheDisabled() {
  return /^(1|true|yes)$/i.test(process.env.NO_BUILD_CACHE ?? '');
}

module.exports = { inputHash, relativeImportClosure, installedVersion, readStamp, writeStamp, clearStamp, cacheDisabled };
