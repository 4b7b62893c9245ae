// @ts-check
/**
 * V8 code cache for CommonJS modules, preloaded with `node -r ./scripts/compile-cache.js`.
 *
 * `cdk8s synth` spends most of its time loading JavaScript: the cdk8s CLI loads about 12 MB (TypeScript and
 * jsii among it) just to start, and the app loads the large generated CRD imports. Parsing and compiling that
 * again on every run is the biggest fixed cost left. Node 22 caches it natively (`module.enableCompileCache`);
 * on older Node this does the same: each module's compiled code is kept in node_modules/.cache and reused
 * while the file is unchanged. The cache is written when the process exits, so it also holds the functions
 * that ran, not only the top level.
 *
 * V8 checks every cache entry against the source and its own version and flags, and rejects one that does not
 * match; a rejected or unreadable entry only means a normal compile. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
 */
'use strict';
const Module = require('module');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const CACHE_DIR = path.join(__dirname, '..', 'node_modules', '.cache', 'compile-cache', `${process.version}-${process.arch}`);
const INSTALLED = Symbol.for('cdk8s-gpu-platform.compile-cache');

function install() {
  if (process.env.NODE_DISABLE_COMPILE_CACHE || /** @type {any} */ (globalThis)[INSTALLED]) return;
  /** @type {any} */ (globalThis)[INSTALLED] = true;
  const native = /** @type {any} */ (Module).enableCompileCache;
  if (typeof native === 'function') {
    native(CACHE_DIR);
    return;
  }
  try {
    fs.mkdirSync(CACHE_DIR, { recursive: true });
  } catch {
    return; // read-only checkout: run without a cache
  }
  const anyModule = /** @type {any} */ (Module);
  const originalCompile = anyModule.prototype._compile;
  /** @type {Array<{ file: string; digest: Buffer; script: vm.Script }>} */
  const toWrite = [];

  anyModule.prototype._compile = function compileWithCache(/** @type {string} */ content, /** @type {string} */ filename) {
    const digest = crypto.createHash('sha1').update(content).digest();
    const file = path.join(CACHE_DIR, crypto.createHash('sha1').update(filename).digest('hex'));
    let cachedData;
    try {
      const entry = fs.readFileSync(file);
      // An entry is <sha1 of the source><V8 cache data>: a changed file overwrites its own entry.
      if (entry.subarray(0, digest.length).equals(digest)) cachedData = entry.subarray(digest.length);
    } catch {
      // no entry yet
    }
    let script;
    try {
      script = new vm.Script(Module.wrap(content), {
        filename,
        cachedData,
        importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
      });
    } catch {
      return originalCompile.call(this, content, filename); // let Node report syntax errors its own way
    }
    if (cachedData === undefined || script.cachedDataRejected) toWrite.push({ file, digest, script });
    const wrapper = script.runInThisContext({ displayErrors: true });
    return wrapper.call(this.exports, this.exports, makeRequire(this), this, filename, path.dirname(filename));
  };

  process.once('exit', () => {
    for (const { file, digest, script } of toWrite) {
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        fs.writeFileSync(tmp, Buffer.concat([digest, script.createCachedData()]));
        fs.renameSync(tmp, file); // atomic: a concurrent reader sees the old entry or the new one
      } catch {
        try { fs.rmSync(tmp, { force: true }); } catch { /* ignore */ }
      }
    }
  });
}

/** The `require` Node gives a module (lib/internal/modules/helpers.js makeRequireFunction). */
function makeRequire(/** @type {any} */ mod) {
  const anyModule = /** @type {any} */ (Module);
  /** @type {any} */
  const req = (/** @type {string} */ id) => mod.require(id);
  req.resolve = (/** @type {string} */ request, /** @type {any} */ options) => anyModule._resolveFilename(request, mod, false, options);
  req.resolve.paths = (/** @type {string} */ request) => anyModule._resolveLookupPaths(request, mod);
  req.main = process.mainModule;
  req.extensions = anyModule._extensions;
  req.cache = anyModule._cache;
  return req;
}

install();
