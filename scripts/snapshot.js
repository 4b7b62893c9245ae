// @ts-check
/**
 * A V8 start-up snapshot of the modules `npm run synth` loads. Node 20 can start from a user-land snapshot:
 * `node --snapshot-blob <blob> --build-snapshot <entry.js>` runs the entry and saves the heap, and
 * `node --snapshot-blob <blob> <args>` starts from that heap and runs the function the entry registered with
 * `v8.startupSnapshot.setDeserializeMainFunction` (https://nodejs.org/docs/latest-v20.x/api/cli.html#--build-snapshot,
 * https://nodejs.org/docs/latest-v20.x/api/v8.html#startup-snapshot-api).
 *
 * Why: loading the app's modules was the largest fixed cost of a synth (about 440 files, 8 MB of JavaScript:
 * cdk8s-plus-27 2.5 MB, the generated CRD imports 4.3 MB; read, hashed, code cache deserialized, run). Starting
 * from a snapshot deserializes their heap instead (~13 MB).
 *
 * How: in Node 20 a snapshot entry may only `require` built-in modules, so `build()` first loads the synth's modules
 * in an ordinary process and records, for each, the `require`s its top level made and how node resolved them. The
 * generated entry then compiles each module as its own script (`vm.Script`, named by its file, as node compiles a
 * CommonJS module) and runs them through a small registry that answers each recorded `require`. At start the
 * registry's modules are put into node's module cache, so node's loader returns them; a `require` the snapshot never
 * recorded goes through node's loader as usual. node_modules and the generated build/imports go in minified (swc,
 * no compression, no renaming, no comments: the CRD imports and cdk8s-plus-27's k8s.js are mostly JSDoc), so their
 * stack frames point into the minified text; the repository's own code (build/lib, build/examples) goes in as is.
 *
 * What goes in: only modules whose top level just defines things. A module whose top level reads anything from
 * outside (process.env, argv, cwd, the file system, os, the clock, random numbers, stdio) would have that value
 * frozen into the snapshot: it is left out, with every module that requires it, and loads from disk as before.
 * So the snapshot is a function of its files alone, and they are its key: `manifest.json` lists every file with
 * its size, mtime, ctime and inode, and the same for what decides how their `require`s resolve (`resolutionPaths`:
 * a file created or removed in a folder changes the folder's mtime, so a new file that would resolve instead is
 * seen), plus this builder's source, the node version and the swc version. Any write to a file changes its ctime, which
 * cannot be set back (what git's index relies on). The key is checked at start and again after the app's
 * incremental build (scripts/app.js calls `installBuild`): only when everything matches are the modules used,
 * otherwise everything loads from disk as without a snapshot. A synth that could not use the snapshot starts a new
 * build in the background (`refreshInBackground`: detached, nice 19, one at a time; not under CI).
 *
 * `scripts/synth.sh` starts node with the blob when it exists; node itself refuses a blob made by another node
 * binary or with other V8 flags (exit code 14 before any JavaScript runs; the script then starts node normally).
 * `CDK8S_SYNTH_SNAPSHOT=0` turns all of it off; `node scripts/snapshot.js --verbose` builds one now and lists
 * what was left out and why.
 */
'use strict';
const childProcess = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const BUILD = path.join(ROOT, 'build') + path.sep;
/** Where the snapshot lives; CDK8S_SYNTH_SNAPSHOT_DIR moves it (tests). */
const DIR = process.env.CDK8S_SYNTH_SNAPSHOT_DIR ?? path.join(ROOT, 'node_modules', '.cache', 'synth-snapshot');
const BLOB = path.join(DIR, 'synth.blob');
const MANIFEST = path.join(DIR, 'manifest.json');
const LOCK = path.join(DIR, 'build.lock');
const STATE = Symbol.for('cdk8s-gpu-platform.synth-snapshot');
/** A lock older than this is from a build that died. */
const LOCK_STALE_MS = 10 * 60 * 1000;

/** The modules a synth loads first (everything they load at their top level comes with them). */
function defaultEntries() {
  const cli = path.dirname(require.resolve('cdk8s-cli/package.json'));
  return [
    path.join(cli, 'lib', 'config.js'),
    path.join(cli, 'lib', 'util.js'),
    path.join(cli, 'lib', 'plugins', '_manager.js'),
    path.join(cli, 'lib', 'plugins', 'validation.js'),
    require.resolve('yaml', { paths: [cli] }),
    path.join(ROOT, 'build', 'examples', 'main.js'),
    path.join(ROOT, 'validation.js'),
  ];
}

/** Identity of a file's or folder's content without reading it (see the file comment); `-` when it is missing. */
function identity(/** @type {string} */ file) {
  const s = fs.statSync(file, { throwIfNoEntry: false });
  return s ? `${s.size}:${s.mtimeMs}:${s.ctimeMs}:${s.ino}` : '-';
}

function swcVersion() {
  try {
    return String(require('@swc/core/package.json').version);
  } catch {
    return 'none';
  }
}

/** What else the snapshot depends on: this file, node, the minifier. */
function builderKey() {
  return crypto.createHash('sha256').update(fs.readFileSync(__filename)).update(`\0${process.version}\0${process.arch}\0${swcVersion()}`).digest('hex');
}

/**
 * Whether the caller of a recorded access is a module's own code, not node's loader working on its behalf (it reads
 * process.env, for example, to decide about source maps).
 */
function fromModuleCode() {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = Infinity;
  const frames = /** @type {string} */ (new Error().stack).split('\n').slice(1);
  Error.stackTraceLimit = limit;
  for (const frame of frames) {
    if (frame.includes(__filename)) {
      if (frame.includes('compileRecording')) return false;
      continue;
    }
    if (!/\(node:|at node:/.test(frame)) return true;
  }
  return false;
}

/**
 * @typedef {{ requires: Map<string, string>; resolves: Map<string, string>; impure: string | undefined; order: number; inputs: Set<string> }} Recorded
 * `inputs`: what the module's top level read that the key can check (`env:<NAME>`, `path:<file>`, `cwd:`).
 */

/** fs functions whose result depends only on what is at the path they are given (its identity is the key). */
const KEYED_FS = new Set(['existsSync', 'statSync', 'lstatSync', 'readFileSync', 'accessSync', 'realpathSync', 'readdirSync']);

/**
 * Loads the entries in this process with node's own loader, recording for each module the `require`s its top level
 * made (request -> resolved file, or `node:<name>`) and whether its top level read anything from outside. Returns
 * the modules that can go into a snapshot, in load order, and the others with the reason.
 */
function record(/** @type {string[]} */ entries) {
  /** @type {Map<string, Recorded>} */
  const mods = new Map();
  /** @type {Array<string | null>} the module whose top level runs; null while node's loader works */
  const stack = [];
  let order = 0;
  /** Records a read: keyed (`input`) when the key can check it, otherwise the module is left out. */
  const mark = (/** @type {string} */ what, /** @type {string[] | undefined} */ inputs = undefined) => {
    const top = stack[stack.length - 1];
    const m = top ? mods.get(top) : undefined;
    if (!m || m.impure !== undefined || !fromModuleCode()) return;
    if (inputs) for (const i of inputs) m.inputs.add(i);
    else m.impure = what;
  };
  const anyModule = /** @type {any} */ (Module);
  const originalCompile = anyModule.prototype._compile;
  anyModule.prototype._compile = function compileRecording(/** @type {string} */ content, /** @type {string} */ filename) {
    mods.set(filename, { requires: new Map(), impure: /\bimport\s*\(/.test(content) ? 'import()' : undefined, order: order++, inputs: new Set(), resolves: new Map() });
    stack.push(filename);
    try {
      return originalCompile.call(this, content, filename);
    } finally {
      stack.pop();
    }
  };
  const originalJson = anyModule._extensions['.json'];
  anyModule._extensions['.json'] = function (/** @type {any} */ module, /** @type {string} */ filename) {
    mods.set(filename, { requires: new Map(), impure: undefined, order: order++, inputs: new Set(), resolves: new Map() });
    stack.push(null);
    try {
      return originalJson.call(this, module, filename);
    } finally {
      stack.pop();
    }
  };
  // `require.resolve(request)` at a top level: recorded like a require (the snapshot's registry answers it).
  const originalResolve = anyModule._resolveFilename;
  anyModule._resolveFilename = function (/** @type {string} */ request, /** @type {any} */ parent, /** @type {boolean} */ isMain, /** @type {any} */ options) {
    const resolved = originalResolve.call(this, request, parent, isMain, options);
    const top = stack[stack.length - 1];
    if (top && parent?.filename === top) {
      if (options !== undefined) mark('require.resolve with options');
      else mods.get(top)?.resolves.set(request, resolved);
    }
    return resolved;
  };
  const originalLoad = anyModule._load;
  anyModule._load = function (/** @type {string} */ request, /** @type {any} */ parent, /** @type {boolean} */ isMain) {
    const top = stack[stack.length - 1];
    stack.push(null);
    try {
      const exports = originalLoad.call(this, request, parent, isMain);
      if (top && parent?.filename === top) {
        const builtin = Module.isBuiltin(request);
        const resolved = builtin ? `node:${request.replace(/^node:/, '')}` : anyModule._resolveFilename(request, parent, isMain);
        mods.get(top)?.requires.set(request, resolved);
        // A module that changes a built-in (graceful-fs patches fs) changes the process, not just its exports.
        if (builtin && (typeof exports === 'object' || typeof exports === 'function') && exports !== null) return guarded(exports, resolved);
      }
      return exports;
    } finally {
      stack.pop();
    }
  };
  /** @type {Map<any, any>} */
  const guards = new Map();
  const guarded = (/** @type {any} */ target, /** @type {string} */ name) => {
    let g = guards.get(target);
    if (!g) {
      g = new Proxy(target, {
        set: (t, k, v) => { mark(`sets ${name}.${String(k)}`); return Reflect.set(t, k, v); },
        defineProperty: (t, k, d) => { mark(`defines ${name}.${String(k)}`); return Reflect.defineProperty(t, k, d); },
        deleteProperty: (t, k) => { mark(`deletes ${name}.${String(k)}`); return Reflect.deleteProperty(t, k); },
        setPrototypeOf: (t, p) => { mark(`sets the prototype of ${name}`); return Reflect.setPrototypeOf(t, p); },
      });
      guards.set(target, g);
    }
    return g;
  };
  // What a top level must not read: the value would be frozen into the snapshot.
  /** @type {Array<() => void>} */
  const undo = [];
  let inside = 0;
  const wrap = (/** @type {any} */ obj, /** @type {string} */ key, /** @type {string} */ what, /** @type {((args: any[]) => string[] | undefined) | undefined} */ keyed = undefined) => {
    const d = Object.getOwnPropertyDescriptor(obj, key);
    const original = obj[key];
    if (typeof original !== 'function' || !d || !('value' in d) || !d.writable) return;
    obj[key] = function (/** @type {any[]} */ ...args) {
      // What a wrapped function calls on its own (readFileSync calls fs.openSync) is part of that one read.
      if (inside === 0) mark(what, keyed?.(args));
      inside++;
      try {
        return new.target ? Reflect.construct(original, args, new.target) : original.apply(this, args);
      } finally {
        inside--;
      }
    };
    undo.push(() => { obj[key] = original; });
  };
  const pathInput = (/** @type {any[]} */ args) => (typeof args[0] === 'string' || args[0] instanceof URL || Buffer.isBuffer(args[0])
    ? [`path:${path.resolve(args[0] instanceof URL ? args[0].pathname : String(args[0]))}`] : undefined);
  for (const key of Object.keys(fs)) if (/^[a-z]/.test(key)) wrap(fs, key, `fs.${key}`, KEYED_FS.has(key) ? pathInput : undefined);
  wrap(fs.realpathSync, 'native', 'fs.realpathSync.native', pathInput);
  for (const key of Object.keys(fs.promises)) wrap(fs.promises, key, `fs.promises.${key}`);
  const os = require('os');
  // os.tmpdir() is TMPDIR, TMP or TEMP, else /tmp (lib/os.js).
  for (const key of Object.keys(os)) wrap(os, key, `os.${key}`, key === 'tmpdir' ? () => ['env:TMPDIR', 'env:TMP', 'env:TEMP'] : undefined);
  for (const key of ['on', 'once', 'addListener', 'prependListener', 'prependOnceListener', 'setMaxListeners', 'setUncaughtExceptionCaptureCallback', 'nextTick']) wrap(process, key, `process.${key}`);
  for (const key of ['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask']) wrap(globalThis, key, key);
  for (const key of ['randomBytes', 'randomUUID', 'randomInt', 'randomFillSync', 'getRandomValues']) wrap(crypto, key, `crypto.${key}`);
  for (const key of ['hrtime', 'uptime', 'memoryUsage', 'cpuUsage', 'resourceUsage', 'emitWarning', 'getuid', 'getgid', 'umask', 'chdir']) wrap(process, key, `process.${key}`);
  wrap(process, 'cwd', 'process.cwd', () => ['cwd:']);
  wrap(Date, 'now', 'Date.now');
  wrap(Math, 'random', 'Math.random');
  const RealDate = Date;
  /** @type {any} */ (globalThis).Date = new Proxy(RealDate, {
    construct: (t, args, nt) => { if (args.length === 0) mark('new Date()'); return Reflect.construct(t, args, nt); },
    apply: (t, self, args) => { mark('Date()'); return Reflect.apply(t, self, args); },
  });
  undo.push(() => { globalThis.Date = RealDate; });
  for (const key of ['env', 'argv', 'execArgv']) {
    const real = /** @type {any} */ (process)[key];
    // One environment variable by name is keyed by its value; anything else (argv, enumerating) leaves it out.
    const one = (/** @type {string | symbol} */ k) => (key === 'env' && typeof k === 'string' ? [`env:${k}`] : undefined);
    const proxy = new Proxy(real, {
      get: (t, k) => { mark(`process.${key}`, one(k)); return Reflect.get(t, k); },
      has: (t, k) => { mark(`process.${key}`, one(k)); return Reflect.has(t, k); },
      ownKeys: (t) => { mark(`process.${key}`); return Reflect.ownKeys(t); },
      getOwnPropertyDescriptor: (t, k) => { mark(`process.${key}`, one(k)); return Reflect.getOwnPropertyDescriptor(t, k); },
      set: (t, k, v) => { mark(`process.${key} (set)`); return Reflect.set(t, k, v); },
      defineProperty: (t, k, d) => { mark(`process.${key} (set)`); return Reflect.defineProperty(t, k, d); },
      deleteProperty: (t, k) => { mark(`process.${key} (set)`); return Reflect.deleteProperty(t, k); },
    });
    const d = /** @type {PropertyDescriptor} */ (Object.getOwnPropertyDescriptor(process, key));
    Object.defineProperty(process, key, { ...d, value: proxy });
    undo.push(() => Object.defineProperty(process, key, d));
  }
  for (const key of ['stdout', 'stderr', 'stdin']) {
    const d = /** @type {PropertyDescriptor} */ (Object.getOwnPropertyDescriptor(process, key));
    Object.defineProperty(process, key, { ...d, get() { mark(`process.${key}`); return d.get?.call(process); } });
    undo.push(() => Object.defineProperty(process, key, d));
  }
  try {
    for (const file of entries) require(file);
  } finally {
    for (const u of undo.reverse()) u();
    anyModule.prototype._compile = originalCompile;
    anyModule._extensions['.json'] = originalJson;
    anyModule._load = originalLoad;
    anyModule._resolveFilename = originalResolve;
  }
  // Leave out the impure modules and, until nothing changes, every module that requires one left out.
  /** @type {Map<string, string>} */
  const excluded = new Map([...mods].filter(([, m]) => m.impure !== undefined).map(([f, m]) => [f, /** @type {string} */ (m.impure)]));
  for (let changed = true; changed;) {
    changed = false;
    for (const [file, m] of mods) {
      if (excluded.has(file)) continue;
      for (const dep of m.requires.values()) {
        if (!dep.startsWith('node:') && (!mods.has(dep) || excluded.has(dep))) {
          excluded.set(file, `requires ${path.relative(ROOT, dep)}`);
          changed = true;
          break;
        }
      }
    }
  }
  const kept = [...mods].filter(([f]) => !excluded.has(f)).sort((a, b) => a[1].order - b[1].order);
  return { kept, excluded };
}

/**
 * Every path whose entries or content decide how the recorded requests resolve: for a relative or absolute request
 * the folder node probes (a file added there could be found first) and the folder of what it found; for every
 * ancestor folder of what was found, its `node_modules` and `package.json` (where bare requests look, and the
 * `main`/`exports`/`type` node reads), whether or not they exist.
 */
function resolutionPaths(/** @type {Array<[string, Recorded]>} */ kept) {
  const paths = new Set();
  const seen = new Set();
  const ancestors = (/** @type {string} */ f) => {
    for (let d = path.dirname(f); !seen.has(d); d = path.dirname(d)) {
      seen.add(d);
      paths.add(path.join(d, 'node_modules'));
      paths.add(path.join(d, 'package.json'));
      if (path.dirname(d) === d) break;
    }
  };
  for (const [file, m] of kept) {
    ancestors(file);
    for (const [request, resolved] of [...m.requires, ...m.resolves]) {
      if (resolved.startsWith('node:')) continue;
      if (request.startsWith('.') || path.isAbsolute(request)) paths.add(path.dirname(path.resolve(path.dirname(file), request)));
      ancestors(resolved);
      paths.add(path.dirname(resolved));
    }
  }
  return [...paths].sort();
}

/** The source a kept module is compiled from in the snapshot: minified for dependencies and generated imports. */
function snapshotSource(/** @type {string} */ file) {
  const source = fs.readFileSync(file, 'utf8');
  const minify = file.endsWith('.js') && (file.includes(`${path.sep}node_modules${path.sep}`) || file.startsWith(path.join(BUILD, 'imports') + path.sep));
  if (!minify) return source;
  // No compression and no renaming: the same statements and names, without comments and layout; ASCII only, so V8
  // keeps it as a one-byte string. A file swc cannot print goes in as is.
  try {
    return require('@swc/core').minifySync(source, { compress: false, mangle: false, module: false, format: { comments: false, asciiOnly: true } }).code;
  } catch {
    return source;
  }
}

/** The snapshot entry script: the registry, the recorded requires and where each module's source is. */
function entrySource(/** @type {Array<[string, Recorded]>} */ kept, /** @type {string} */ sourceDir) {
  const defs = kept.map(([file, m], i) => [file, Object.fromEntries(m.requires), path.join(sourceDir, `${i}.js`), Object.fromEntries(m.resolves)]);
  return [
    '// Generated by scripts/snapshot.js: the entry of the synth start-up snapshot.',
    `(${snapshotMain.toString()})(${JSON.stringify(defs)}, require, ${JSON.stringify(ROOT)});`,
  ].join('\n');
}

/**
 * Runs inside the snapshot builder (only built-ins can be required there): evaluates every module in recorded order,
 * then registers what runs when node starts from the snapshot.
 */
function snapshotMain(/** @type {Array<[string, { [request: string]: string }, string, { [request: string]: string }]>} */ defs, /** @type {any} */ builtinRequire, /** @type {string} */ root) {
  const fs = builtinRequire('fs');
  const path = builtinRequire('path');
  const v8 = builtinRequire('v8');
  const vm = builtinRequire('vm');
  const byFile = new Map(defs.map((d) => [d[0], d]));
  /** @type {Map<string, { exports: any }>} */
  const modules = new Map();
  /** @type {((file: string, request: string, resolveOnly?: boolean) => any) | undefined} */
  let fallback;
  const load = (/** @type {string} */ file) => {
    const known = modules.get(file);
    if (known) return known.exports;
    const [, requires, sourceFile, resolves] = /** @type {[string, any, string, any]} */ (byFile.get(file));
    const module = { id: file, filename: file, exports: {}, loaded: false, children: [], paths: [] };
    modules.set(file, module);
    // Read here rather than embedded in this script: the heap then holds each source once, in its own script.
    const source = fs.readFileSync(sourceFile, 'utf8');
    if (file.endsWith('.json')) {
      module.exports = JSON.parse(source);
    } else {
      const require = (/** @type {string} */ request) => {
        const target = requires[request];
        if (fallback && (target === undefined || !modules.has(target)) && !(target && target.startsWith('node:'))) return fallback(file, request);
        if (target === undefined) throw new Error(`snapshot: ${file} requires ${request}, which was not recorded`);
        return target.startsWith('node:') ? builtinRequire(target) : load(target);
      };
      require.resolve = (/** @type {string} */ request, /** @type {any} */ options) => {
        if (fallback) return fallback(file, request, true, options);
        if (options === undefined && resolves[request] !== undefined) return resolves[request];
        throw new Error(`snapshot: require.resolve(${request}) in ${file} while building the snapshot`);
      };
      const wrapper = new vm.Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n});`, { filename: file }).runInThisContext();
      wrapper.call(module.exports, module.exports, require, module, file, path.dirname(file));
    }
    module.loaded = true;
    return module.exports;
  };
  for (const [file] of defs) load(file);
  byFile.clear();
  v8.startupSnapshot.setDeserializeMainFunction(() => {
    const Module = builtinRequire('module');
    // After start, a require the snapshot did not record (a lazy one, in a function) is node's.
    fallback = (file, request, resolveOnly, options) => {
      const req = Module.createRequire(file);
      return resolveOnly ? req.resolve(request, options) : req(request);
    };
    /** @type {any} */ (globalThis)[Symbol.for('cdk8s-gpu-platform.synth-snapshot')] = { modules };
    const req = Module.createRequire(path.join(root, 'scripts', 'synth.js'));
    req('./compile-cache.js');
    req('./snapshot.js').startFromSnapshot();
  });
}

/** Called by the snapshot's main: checks the key, hands the modules to node, then runs the script node was given. */
function startFromSnapshot() {
  const state = /** @type {any} */ (globalThis)[STATE];
  const script = process.argv[1];
  if (!script) {
    console.error('usage: node --snapshot-blob <blob> <script> [args]');
    process.exit(1);
  }
  process.argv[1] = path.resolve(script);
  state.valid = process.env.CDK8S_SYNTH_SNAPSHOT !== '0' && isCurrent(state.modules);
  if (state.valid) install(state.modules, (f) => !f.startsWith(BUILD));
  /** @type {any} */ (Module).runMain(process.argv[1]);
}

/**
 * The modules of build/ (the app and the validator), once scripts/build.js has brought build/ up to date: the app
 * (scripts/app.js) calls this after its build. A no-op without a current snapshot.
 */
function installBuild() {
  const state = /** @type {any} */ (globalThis)[STATE];
  if (!state?.valid) return;
  // The build may have rewritten files since the start: check again.
  state.valid = isCurrent(state.modules);
  if (state.valid) install(state.modules, (f) => f.startsWith(BUILD));
}

/** Whether this process started from a snapshot whose key matched. */
function usingSnapshot() {
  return /** @type {any} */ (globalThis)[STATE]?.valid === true;
}

/**
 * What differs between the snapshot's key and now (empty: the snapshot on disk is current). Given the modules of
 * a running snapshot, also whether the blob on disk is the one running.
 */
function changes(/** @type {Map<string, any> | undefined} */ modules = undefined) {
  /** @type {any} */
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(MANIFEST, 'utf8'));
  } catch {
    return ['no snapshot'];
  }
  const out = [];
  if (!fs.existsSync(BLOB)) out.push('no blob');
  if (manifest.builder !== builderKey()) out.push('builder');
  if (modules && Object.keys(manifest.files).length !== modules.size) out.push('another blob');
  for (const [file, id] of Object.entries(manifest.files)) {
    if (modules && !modules.has(file)) out.push('another blob');
    if (identity(file) !== id) out.push(file);
  }
  for (const [p, id] of Object.entries(manifest.paths)) if (identity(p) !== id) out.push(p);
  for (const [name, value] of Object.entries(manifest.env)) if ((process.env[name] ?? null) !== value) out.push(`$${name}`);
  if (manifest.cwd !== null && manifest.cwd !== process.cwd()) out.push('cwd');
  return out;
}

/** Whether the snapshot on disk matches the files (and, given the modules of a running snapshot, is that one). */
function isCurrent(/** @type {Map<string, any> | undefined} */ modules = undefined) {
  try {
    return changes(modules).length === 0;
  } catch {
    return false;
  }
}

/** Puts the snapshot's modules whose file passes `filter` into node's module cache. */
function install(/** @type {Map<string, { exports: any }>} */ modules, /** @type {(file: string) => boolean} */ filter) {
  const anyModule = /** @type {any} */ (Module);
  for (const [file, m] of modules) {
    if (!filter(file) || anyModule._cache[file]) continue;
    const real = new Module(file);
    real.filename = file;
    real.paths = anyModule._nodeModulePaths(path.dirname(file));
    real.exports = m.exports;
    real.loaded = true;
    anyModule._cache[file] = real;
  }
}

/** Builds the snapshot (blob + manifest), replacing the previous one atomically. */
function build({ verbose = false, entries = defaultEntries() } = {}) {
  fs.mkdirSync(DIR, { recursive: true });
  const key = builderKey();
  const { kept, excluded } = record(entries);
  if (verbose) {
    for (const [f, why] of excluded) console.log(`left out: ${path.relative(ROOT, f)} (${why})`);
    console.log(`snapshot: ${kept.length} modules, ${excluded.size} left out`);
  }
  const files = kept.map(([f]) => f);
  const inputs = new Set(kept.flatMap(([, m]) => [...m.inputs]));
  const keyOf = () => ({
    files: Object.fromEntries(files.map((f) => [f, identity(f)])),
    paths: Object.fromEntries([...new Set([...resolutionPaths(kept), ...[...inputs].filter((i) => i.startsWith('path:')).map((i) => i.slice(5))])].sort().map((p) => [p, identity(p)])),
    env: Object.fromEntries([...inputs].filter((i) => i.startsWith('env:')).sort().map((i) => [i.slice(4), process.env[i.slice(4)] ?? null])),
    cwd: inputs.has('cwd:') ? process.cwd() : null,
  });
  const before = keyOf();
  const tag = `${process.pid}-${Date.now()}`;
  const work = path.join(DIR, `build-${tag}`);
  const blob = path.join(DIR, `synth-${tag}.blob`);
  fs.mkdirSync(work);
  try {
    kept.forEach(([f], i) => fs.writeFileSync(path.join(work, `${i}.js`), snapshotSource(f)));
    const entry = path.join(work, 'entry.js');
    fs.writeFileSync(entry, entrySource(kept, work));
    const r = childProcess.spawnSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', entry], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`node --build-snapshot failed (${r.status ?? r.signal}): ${r.stderr}`);
    // Nothing may have changed while it was built.
    if (JSON.stringify(keyOf()) !== JSON.stringify(before)) throw new Error('files changed while the snapshot was built');
    const manifestTmp = path.join(work, 'manifest.json');
    fs.writeFileSync(manifestTmp, JSON.stringify({ builder: key, ...before }));
    // The manifest goes last: a reader that sees the new manifest sees the new blob (a blob is only read by
    // `node --snapshot-blob`, which reads it whole at start).
    fs.renameSync(blob, BLOB);
    fs.renameSync(manifestTmp, MANIFEST);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(blob, { force: true });
  }
}

/**
 * Called at the end of a synth: when this process could not use a current snapshot, builds one in a detached
 * background process at the lowest CPU priority, unless one is being built (a lock), CDK8S_SYNTH_SNAPSHOT=0 or CI.
 */
function refreshInBackground() {
  if (process.env.CDK8S_SYNTH_SNAPSHOT === '0' || process.env.CI || usingSnapshot()) return;
  if (isCurrent()) return;
  try {
    fs.mkdirSync(DIR, { recursive: true });
    const age = Date.now() - fs.statSync(LOCK).mtimeMs;
    if (age < LOCK_STALE_MS) return;
    fs.rmSync(LOCK, { force: true });
  } catch { /* no lock */ }
  try {
    const child = childProcess.spawn(process.execPath, [__filename, '--background'], { cwd: ROOT, detached: true, stdio: 'ignore' });
    child.unref();
  } catch { /* only a head start lost */ }
}

/** The background build: takes the lock, builds if still stale, releases it. Failures only mean no snapshot. */
function backgroundBuild() {
  /** @type {number | undefined} */
  let fd;
  try {
    try { require('os').setPriority(19); } catch { /* not allowed: normal priority */ }
    fd = fs.openSync(LOCK, 'wx');
    if (!isCurrent()) build();
  } catch {
    // Another build holds the lock, or this one failed: the next synth tries again.
  } finally {
    if (fd !== undefined) {
      fs.closeSync(fd);
      fs.rmSync(LOCK, { force: true });
    }
  }
}

module.exports = { build, record, startFromSnapshot, installBuild, usingSnapshot, refreshInBackground, isCurrent, changes, BLOB };

if (require.main === module) {
  if (process.argv.includes('--background')) backgroundBuild();
  else build({ verbose: process.argv.includes('--verbose') });
}
