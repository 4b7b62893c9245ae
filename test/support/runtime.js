// @ts-check
/**
 * jest's runtime (jest-runtime), with two caches a worker process keeps from one test file to the next.
 *
 * Every test file gets its own module registry, so each loads lib/, cdk8s, cdk8s-plus-27 and the generated CRD
 * modules of imports/ again. jest already keeps the transformed code per process; what it redoes per test file:
 *
 * - it reads and decodes each module's source file, only to pass it to a transformer that has the result
 *   cached (about 11 MB for imports/, which hold a few non-ASCII characters, so V8 decodes them the slow way:
 *   about 0.1 s per test file). Kept here per file name, size and mtime.
 * - V8 compiles each module again in the test file's context. The compiled code of every module is kept as
 *   V8 code cache (`cachedData`, independent of the context) and handed to the next compile of the same
 *   source, which then skips parsing (rbg: 10 ms instead of 45 ms). Small modules count too: cdk8s, yaml and
 *   lib/ are hundreds of small files, and compiling them took 7 of the unit tests' 60 s of CPU (4 s with the cache).
 *
 * Both are keyed so that they can only give what jest would have: the same bytes (size and mtime of the file,
 * which a test run does not change under the tests) and the same source text (V8 rejects cached data that
 * does not match, and then compiles as usual). Module execution and isolation are untouched. Wired in
 * jest.config.js (`runtime`).
 */
'use strict';
const fs = require('fs');
const vm = require('vm');
const RuntimeModule = require('jest-runtime');

/** @type {any} */
const Runtime = RuntimeModule.default ?? RuntimeModule;

/** Module sources by file name: what jest's per-test-file FileCache reads. */
const sources = new Map();
/** V8 code cache by file name. */
const codeCache = new Map();

class CachingRuntime extends Runtime {
  constructor(/** @type {any[]} */ ...args) {
    super(...args);
    // jest-runtime 30 internals (pinned in package.json); when they move, the runtime works as jest's own.
    const fileCache = this.fileCache;
    if (fileCache && typeof fileCache.readFile === 'function') {
      const read = fileCache.readFile.bind(fileCache);
      fileCache.readFile = (/** @type {string} */ filename) => {
        let st;
        try { st = fs.statSync(filename); } catch { return read(filename); }
        const hit = sources.get(filename);
        if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return hit.text;
        const text = read(filename);
        sources.set(filename, { size: st.size, mtimeMs: st.mtimeMs, text });
        return text;
      };
    }
    // Every module is compiled by the ModuleExecutor's compile(source, filename), which calls
    // vm.compileFunction: for that one call, vm.compileFunction gets the cached data.
    const executor = this.executor;
    if (executor && typeof executor.compile === 'function') {
      const compile = executor.compile.bind(executor);
      executor.compile = (/** @type {string} */ scriptSource, /** @type {string} */ filename) => {
        if (typeof scriptSource !== 'string') return compile(scriptSource, filename);
        const compileFunction = vm.compileFunction;
        const known = codeCache.get(filename);
        const cachedData = known && known.source === scriptSource ? known.data : undefined;
        vm.compileFunction = (code, params, options) => {
          const fn = compileFunction(code, params, { ...options, cachedData, produceCachedData: cachedData === undefined });
          if (cachedData === undefined && fn.cachedData) codeCache.set(filename, { source: scriptSource, data: fn.cachedData });
          return fn;
        };
        try {
          return compile(scriptSource, filename);
        } finally {
          vm.compileFunction = compileFunction;
        }
      };
    }
  }
}

module.exports = CachingRuntime;
