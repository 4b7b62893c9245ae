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
 * - V8 compiles each module again in the test file's context, and each function the tests call again when
 *   first called (V8 compiles functions lazily). Here a module is compiled as a vm.Script of jest's module
 *   wrapper (`(function (module, exports, require, ...) {` + source + `})`, as jest did up to version 26;
 *   `columnOffset` keeps first-line columns right), and when its test file ends, the script's V8 code cache
 *   is kept (`createCachedData()`: independent of the context, and by then holding every function that
 *   file called). The next test file that loads the same source starts from it and parses and compiles
 *   none of that again. The unit tests in one process (--runInBand) took 84 s of CPU with a cache made at
 *   compile time for modules over 64 KB only, 70 s with one for every module, and 61 s with this (cdk8s,
 *   yaml and lib/ are hundreds of small files, and most functions are compiled lazily). jest's own
 *   vm.compileFunction stays for a module whose source may call `import()` (it needs jest's
 *   importModuleDynamically; it gets the code cache V8 makes at compile time), for core modules and under
 *   V8 coverage (whose ranges the wrapper would shift).
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
    // Every module is compiled by the ModuleExecutor's compile(source, filename) into a function of the
    // injected parameters (module, exports, require, ...).
    const executor = this.executor;
    if (executor && typeof executor.compile === 'function' && Array.isArray(executor.injectedModuleParameters)
      && executor.environment && typeof executor.environment.getVmContext === 'function') {
      const compile = executor.compile.bind(executor);
      // V8 coverage maps its ranges onto each module's own source: the wrapper would shift them (jest --coverage
      // with coverageProvider v8). Core modules get jest's own file name. Both: jest's own compile.
      const v8Coverage = this._coverageOptions?.collectCoverage === true && this._coverageOptions?.coverageProvider === 'v8';
      const isCore = (/** @type {string} */ filename) => executor.resolution?.isCoreModule?.(filename) === true;
      /** Scripts compiled without usable cached data in this test file: their cache is made at teardown. */
      const fresh = [];
      this._freshScripts = fresh;
      executor.compile = (/** @type {string} */ scriptSource, /** @type {string} */ filename) => {
        if (typeof scriptSource !== 'string' || v8Coverage || isCore(filename)) return compile(scriptSource, filename);
        const known = codeCache.get(filename);
        const cachedData = known && known.source === scriptSource ? known.data : undefined;
        // A module that may call import() needs jest's importModuleDynamically: jest's own compile, with the
        // code cache V8 makes at compile time (top-level code only) handed to vm.compileFunction.
        if (mayImport(filename, scriptSource)) return compileWithCache(compile, scriptSource, filename, cachedData);
        const context = executor.environment.getVmContext();
        if (context == null) return null;
        const prefix = `(function (${executor.injectedModuleParameters.join(', ')}) {`;
        let script;
        try {
          script = new vm.Script(`${prefix}${scriptSource}\n})`, { filename, columnOffset: -prefix.length, cachedData });
        } catch {
          return compile(scriptSource, filename); // jest's own compile reports the syntax error its way
        }
        if (cachedData === undefined || script.cachedDataRejected) fresh.push({ filename, source: scriptSource, script });
        return script.runInContext(context);
      };
    }
  }

  teardown() {
    // The code cache of a script made after its test file ran holds the functions that file called (V8
    // compiles functions lazily), so the next test file compiles none of them again.
    for (const { filename, source, script } of this._freshScripts ?? []) {
      try { codeCache.set(filename, { source, data: script.createCachedData() }); } catch { /* none: compiled next time */ }
    }
    if (this._freshScripts) this._freshScripts.length = 0;
    return super.teardown();
  }
}

/** Whether a module's source may call import(), by file name (the same source is asked once per test file). */
const dynamicImports = new Map();
function mayImport(/** @type {string} */ filename, /** @type {string} */ source) {
  const known = dynamicImports.get(filename);
  if (known && known.source === source) return known.may;
  const may = /\bimport\s*\(/.test(source);
  dynamicImports.set(filename, { source, may });
  return may;
}

/** jest's compile(source, filename), with `cachedData` (or a request for it) added to its vm.compileFunction call. */
function compileWithCache(compile, scriptSource, filename, cachedData) {
  const compileFunction = vm.compileFunction;
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
}

module.exports = CachingRuntime;
