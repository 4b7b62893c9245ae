// @ts-check
/**
 * The app's output of the last `npm run synth`, replayed when nothing it read has changed, as a build system's
 * action cache does (the run of this repository's own app in scripts/synth.js; `cdk8s synth` never uses it).
 *
 * A synth is a function of what it reads: `recordRun` runs the app with every way it can observe the outside
 * watched, and keeps its output only when everything it observed can be checked again later:
 * - every file or folder it looked at through `fs` (read, stat, exists, list), every module of the process and how
 *   node resolved each `require` since the synth started (`resolutionPaths`), by size, mtime, ctime and inode (any
 *   write changes the ctime, which cannot be set back: git's index relies on the same);
 * - each environment variable it read, by name and value; `process.argv`, `process.execArgv` and the working
 *   folder if it read them; the node version, platform and this file.
 * A run that did anything else is not kept: it read the clock, random numbers, `os`, timers, child processes,
 * workers, the network, enumerated the environment, wrote outside its output folder and `node_modules/.cache`,
 * changed a file it read, threw, or left work running after it returned. Reads of the output folder (its own
 * writes) and of `node_modules/.cache` (content-keyed caches: compile cache, YAML cache, this) are not inputs.
 * What is kept: the output folder's files and folders, byte for byte, and what the app wrote to stderr (its
 * warnings); its stdout is dropped, as cdk8s-cli drops an app's stdout.
 *
 * `replay` checks every recorded input (one stat per path: ~10 ms) and, when all match, writes the same tree and
 * warnings. The validation plugin then runs on the files as after any synth. CDK8S_SYNTH_MEMO=0 turns it off.
 */
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');

/** Identity of a file's or folder's content without reading it; `-` when it is missing. */
function identity(/** @type {string} */ file) {
  try {
    const s = fs.statSync(file, { throwIfNoEntry: false });
    return s ? `${s.size}:${s.mtimeMs}:${s.ctimeMs}:${s.ino}` : '-';
  } catch (e) {
    return `!${/** @type {any} */ (e).code}`; // ENOTDIR: a file where a folder would be
  }
}

/**
 * Every path that decides how the recorded requests resolve (node's CommonJS resolution: lib/internal/modules/cjs/
 * loader.js of Node 20): for a relative or absolute request, each candidate node tries before and at what it found
 * (`x`, `x.js`, `x.json`, `x.node`, `x/package.json`, `x/index.js`, ...), present or not; for a bare request, the
 * folder of what it found inside the package (its `main` may leave out the extension); for every ancestor folder of
 * the requiring module and of what was found, its `node_modules` (a package added or removed changes the folder) and
 * `package.json` (`exports`, `type`, self-references).
 */
function resolutionPaths(/** @type {Array<[string, { requires: Map<string, string> }]>} */ kept) {
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
  const extensions = Object.keys(/** @type {any} */ (Module)._extensions);
  for (const [file, m] of kept) {
    ancestors(file);
    for (const [request, resolved] of m.requires) {
      if (resolved.startsWith('node:')) continue;
      ancestors(resolved);
      paths.add(resolved);
      if (request.startsWith('.') || path.isAbsolute(request)) {
        const base = path.resolve(path.dirname(file), request);
        paths.add(base);
        for (const ext of extensions) paths.add(base + ext);
        paths.add(path.join(base, 'package.json'));
        for (const ext of extensions) paths.add(path.join(base, `index${ext}`));
      } else {
        paths.add(path.dirname(resolved));
      }
    }
  }
  return [...paths].sort();
}

const ROOT = path.join(__dirname, '..');
const CACHE = path.join(ROOT, 'node_modules', '.cache');
const DIR = process.env.CDK8S_SYNTH_MEMO_DIR ?? path.join(CACHE, 'synth-memo');
/**
 * `DIR/entries.json` lists the entry folders (`DIR/<name>`: `meta.json` and the `tree/`) of the last kept runs, newest
 * first: a few, so that alternating settings (`--no-validate` records no construct metadata) each find theirs.
 */
const INDEX = 'entries.json';
const KEEP = 4;
const META = 'meta.json';
const TREE = 'tree';

/** Locale and time zone: they change what Intl and Date methods return without the app asking for them. */
const ALWAYS_ENV = ['TZ', 'LANG', 'LANGUAGE', 'LC_ALL', 'LC_CTYPE', 'LC_NUMERIC', 'LC_TIME', 'LC_COLLATE', 'LC_MONETARY', 'LC_MESSAGES'];

/** Whether stdout and stderr are terminals: an app may print differently to one (not read through anything watched). */
const tty = () => `${Boolean(process.stdout.isTTY)}/${Boolean(process.stderr.isTTY)}`;

function memoKey() {
  return crypto.createHash('sha256').update(fs.readFileSync(__filename)).update(`\0${process.version}\0${process.platform}\0${process.arch}`).digest('hex');
}

const inside = (/** @type {string} */ dir, /** @type {string} */ p) => p === dir || p.startsWith(dir + path.sep);

/** fs functions that only look at the path given first. */
const READS = new Set(['existsSync', 'statSync', 'lstatSync', 'readFileSync', 'accessSync', 'realpathSync', 'readdirSync', 'readlinkSync', 'opendirSync', 'statfsSync']);
/** fs functions that work on a descriptor (checked when it was opened). */
const ON_FD = new Set(['closeSync', 'fstatSync', 'readSync', 'readvSync', 'fsyncSync', 'fdatasyncSync', 'writeSync', 'writevSync', 'ftruncateSync', 'futimesSync', 'fchmodSync', 'fchownSync']);
/** fs functions that change the paths given (which: their argument indexes). */
const WRITES = new Map([
  ['writeFileSync', [0]], ['appendFileSync', [0]], ['mkdirSync', [0]], ['rmSync', [0]], ['rmdirSync', [0]], ['unlinkSync', [0]],
  ['truncateSync', [0]], ['chmodSync', [0]], ['chownSync', [0]], ['lchownSync', [0]], ['utimesSync', [0]], ['lutimesSync', [0]],
  ['symlinkSync', [1]], ['linkSync', [1]], ['renameSync', [0, 1]], ['copyFileSync', [1]],
]);

const asPath = (/** @type {any} */ p) => (typeof p === 'string' || Buffer.isBuffer(p) ? path.resolve(String(p)) : p instanceof URL ? path.resolve(p.pathname) : undefined);

/** Every `require` resolved in this process since `watchResolutions` (see `save`). */
/** @type {Array<[string, any]>} */
const resolutions = [];
let unkeyedResolution = false;

/**
 * Records how node resolves every `require` of this process from now on (scripts/synth.js calls it first): the
 * app's output depends on every module it loads, including what its modules loaded before the run.
 */
function watchResolutions() {
  const anyModule = /** @type {any} */ (Module);
  if (anyModule._resolveFilename.watched) return;
  const original = anyModule._resolveFilename;
  const watched = function (/** @type {string} */ request, /** @type {any} */ parent, /** @type {boolean} */ isMain, /** @type {any} */ options) {
    const resolved = original.call(this, request, parent, isMain, options);
    if (Module.isBuiltin(request)) return resolved;
    // `{ paths }` resolves as from a module in each of those folders.
    const from = options === undefined ? [parent?.filename ?? path.join(process.cwd(), 'x')]
      : Object.keys(options).every((k) => k === 'paths') && Array.isArray(options.paths) ? options.paths.map((/** @type {string} */ p) => path.join(path.resolve(p), 'x')) : undefined;
    if (from === undefined) unkeyedResolution = true;
    else for (const f of from) resolutions.push([f, { requires: new Map([[request, resolved]]) }]);
    return resolved;
  };
  watched.watched = true;
  anyModule._resolveFilename = watched;
}

/** Whether the function a wrapper stands for was called by node's own code (the frame below the wrapper). */
function calledByNode() {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 6;
  const frames = /** @type {string} */ (new Error().stack).split('\n').slice(1).filter((f) => !f.includes(__filename));
  Error.stackTraceLimit = limit;
  return frames.length > 0 && /\(node:|at node:/.test(frames[0]);
}

/**
 * Runs `app` (synchronous) and, when the run can be replayed, keeps its output for `replay`. `outdir` must not
 * exist before (cdk8s-cli deletes it first).
 */
async function recordRun(/** @type {string} */ command, /** @type {string} */ outdir, /** @type {() => void} */ app) {
  if (process.env.CDK8S_SYNTH_MEMO === '0') {
    app();
    return;
  }
  const out = path.resolve(outdir);
  /** @type {string | undefined} why this run cannot be replayed */
  let unsafe;
  const refuse = (/** @type {string} */ why) => {
    if (unsafe === undefined && process.env.CDK8S_SYNTH_MEMO_DEBUG === 'stack') console.error(new Error(why).stack);
    unsafe ??= why;
  };
  const originalSetImmediate = setImmediate;
  /** After the app returned: any watched activity now is work it left behind. */
  let watchAfter = false;
  /** @type {Map<string, string>} path -> identity when first looked at */
  const looked = new Map();
  const look = (/** @type {string} */ p) => {
    if (inside(out, p) || inside(CACHE, p) || looked.has(p)) return;
    looked.set(p, identity(p));
  };
  /** @type {Map<string, string | null>} */
  const env = new Map();
  /** @type {{ argv?: string; execArgv?: string; cwd?: string }} */
  const proc = {};
  /** @type {Set<number>} descriptors this run opened */
  const fds = new Set();
  /** @type {string[]} */
  const stderr = [];

  // Created on first use (a net.Socket for a pipe): before the watching starts.
  const errStream = process.stderr;
  /** @type {Array<() => void>} */
  const undo = [];
  let depth = 0;
  const wrap = (/** @type {any} */ obj, /** @type {string} */ key, /** @type {(args: any[]) => void} */ check, /** @type {((result: any, args: any[]) => void) | undefined} */ after = undefined) => {
    const d = Object.getOwnPropertyDescriptor(obj, key);
    const original = obj[key];
    if (typeof original !== 'function' || !d || !('value' in d) || !d.writable) return;
    obj[key] = function (/** @type {any[]} */ ...args) {
      // A run already refused is not kept, whatever it does next: no more checks (after an edit the build step
      // writes build/ first, and the rest of the run then costs what an unwatched one does).
      if (unsafe !== undefined) return new.target ? Reflect.construct(original, args, new.target) : original.apply(this, args);
      // A wrapped function calling another on its own (readFileSync opens the file) is one observation.
      if (depth === 0) {
        depth++; // the check's own fs calls are not the app's
        try {
          if (watchAfter) refuse(`${key} after the app returned`);
          check(args);
        } finally { depth--; }
      }
      depth++;
      try {
        const result = new.target ? Reflect.construct(original, args, new.target) : original.apply(this, args);
        if (depth === 1) after?.(result, args);
        return result;
      } finally {
        depth--;
      }
    };
    undo.push(() => { obj[key] = original; });
  };
  const writable = (/** @type {any} */ p) => {
    const abs = asPath(p);
    if (abs === undefined || !(inside(out, abs) || inside(CACHE, abs))) refuse(`writes ${abs ?? p}`);
  };
  for (const key of Object.keys(fs)) {
    if (!/^[a-z]/.test(key) || typeof (/** @type {any} */ (fs))[key] !== 'function') continue;
    if (READS.has(key)) {
      wrap(fs, key, (args) => {
        const p = asPath(args[0]);
        if (p !== undefined) look(p);
        else if (!(typeof args[0] === 'number' && fds.has(args[0]))) refuse(`fs.${key} of ${args[0]}`);
      });
    } else if (ON_FD.has(key)) {
      wrap(fs, key, (args) => { if (!fds.has(args[0])) refuse(`fs.${key} on descriptor ${args[0]}`); }, key === 'closeSync' ? (_r, args) => fds.delete(args[0]) : undefined);
    } else if (key === 'openSync') {
      wrap(fs, key, (args) => {
        const flags = args[1] ?? 'r';
        const p = asPath(args[0]);
        if (p === undefined) refuse('fs.openSync without a path');
        else if (flags === 'r' || flags === 'rs' || flags === fs.constants.O_RDONLY) look(p);
        else writable(p);
      }, (fd) => fds.add(fd));
    } else if (WRITES.has(key)) {
      wrap(fs, key, (args) => {
        if (key === 'writeFileSync' || key === 'appendFileSync') {
          if (typeof args[0] === 'number') { if (!fds.has(args[0])) refuse(`fs.${key} on descriptor ${args[0]}`); return; }
        }
        if (key === 'copyFileSync') { const src = asPath(args[0]); if (src === undefined) refuse('fs.copyFileSync'); else look(src); }
        for (const i of /** @type {number[]} */ (WRITES.get(key))) writable(args[i]);
      });
    } else {
      wrap(fs, key, () => refuse(`fs.${key}`));
    }
  }
  wrap(fs.realpathSync, 'native', (args) => { const p = asPath(args[0]); if (p === undefined) refuse('fs.realpathSync.native'); else look(p); });
  for (const key of Object.keys(fs.promises)) wrap(fs.promises, key, () => refuse(`fs.promises.${key}`));
  const never = (/** @type {any} */ obj, /** @type {string} */ name) => {
    for (const key of Object.keys(obj)) if (typeof obj[key] === 'function') wrap(obj, key, () => refuse(`${name}.${key}`));
  };
  const os = require('os');
  for (const key of Object.keys(os)) {
    if (key === 'tmpdir') wrap(os, key, () => ['TMPDIR', 'TMP', 'TEMP'].forEach((n) => env.set(n, process.env[n] ?? null)));
    else if (typeof (/** @type {any} */ (os))[key] === 'function') wrap(os, key, () => refuse(`os.${key}`));
  }
  // Loading these builtins only to watch them costs ~40 ms: the ones not loaded yet are watched when first required.
  const forbidden = new Set(['child_process', 'worker_threads', 'net', 'http', 'https', 'http2', 'dns', 'tls', 'dgram', 'cluster', 'inspector', 'perf_hooks']);
  const loadList = /** @type {any} */ (process).moduleLoadList;
  const loaded = (/** @type {string} */ name) => !Array.isArray(loadList) || loadList.includes(`NativeModule ${name}`);
  for (const name of forbidden) {
    if (loaded(name)) {
      never(require(name), name);
      forbidden.delete(name);
    }
  }
  {
    const anyModule = /** @type {any} */ (Module);
    const originalLoad = anyModule._load;
    anyModule._load = function (/** @type {string} */ request, /** @type {any[]} */ ...rest) {
      const result = originalLoad.call(this, request, ...rest);
      const name = typeof request === 'string' ? request.replace(/^node:/, '') : '';
      if (forbidden.delete(name)) never(result, name);
      return result;
    };
    undo.push(() => { anyModule._load = originalLoad; });
  }
  for (const key of ['randomBytes', 'randomUUID', 'randomInt', 'randomFillSync', 'randomFill', 'getRandomValues', 'generateKeyPairSync', 'generateKeySync']) wrap(crypto, key, () => refuse(`crypto.${key}`));
  for (const key of ['hrtime', 'uptime', 'memoryUsage', 'cpuUsage', 'resourceUsage', 'emitWarning', 'chdir', 'umask', 'kill', 'exit', 'abort', 'on', 'once', 'addListener', 'prependListener', 'prependOnceListener', 'nextTick', 'setUncaughtExceptionCaptureCallback', 'getuid', 'getgid', 'geteuid', 'getegid', 'getgroups']) {
    // Node's streams schedule their callbacks with nextTick for a write to stderr: the app's own calls count.
    wrap(process, key, () => { if (key !== 'nextTick' || !calledByNode()) refuse(`process.${key}`); });
  }
  wrap(process.hrtime, 'bigint', () => refuse('process.hrtime.bigint'));
  wrap(process, 'cwd', () => { proc.cwd = process.cwd(); });
  for (const key of ['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask']) wrap(globalThis, key, () => { if (!calledByNode()) refuse(key); });
  wrap(performance, 'now', () => refuse('performance.now'));
  wrap(Date, 'now', () => refuse('Date.now'));
  wrap(Math, 'random', () => refuse('Math.random'));
  const RealDate = Date;
  /** @type {any} */ (globalThis).Date = new Proxy(RealDate, {
    construct: (t, args, nt) => { if (args.length === 0) refuse('new Date()'); return Reflect.construct(t, args, nt); },
    apply: (t, self, args) => { refuse('Date()'); return Reflect.apply(t, self, args); },
  });
  undo.push(() => { globalThis.Date = RealDate; });
  for (const key of ['pid', 'ppid']) {
    const d = /** @type {PropertyDescriptor} */ (Object.getOwnPropertyDescriptor(process, key));
    Object.defineProperty(process, key, { configurable: true, enumerable: d.enumerable, get() { refuse(`process.${key}`); return d.get ? d.get.call(process) : d.value; } });
    undo.push(() => Object.defineProperty(process, key, d));
  }
  {
    const real = process.env;
    const one = (/** @type {string | symbol} */ k) => { if (typeof k === 'string') env.set(k, real[k] ?? null); };
    const proxy = new Proxy(real, {
      get: (t, k) => { one(k); return Reflect.get(t, k); },
      has: (t, k) => { one(k); return Reflect.has(t, k); },
      getOwnPropertyDescriptor: (t, k) => { one(k); return Reflect.getOwnPropertyDescriptor(t, k); },
      ownKeys: (t) => { refuse('enumerates process.env'); return Reflect.ownKeys(t); },
      set: (t, k, v) => { refuse('sets process.env'); return Reflect.set(t, k, v); },
      defineProperty: (t, k, d) => { refuse('sets process.env'); return Reflect.defineProperty(t, k, d); },
      deleteProperty: (t, k) => { refuse('sets process.env'); return Reflect.deleteProperty(t, k); },
    });
    const d = /** @type {PropertyDescriptor} */ (Object.getOwnPropertyDescriptor(process, 'env'));
    Object.defineProperty(process, 'env', { ...d, value: proxy });
    undo.push(() => Object.defineProperty(process, 'env', d));
  }
  for (const key of /** @type {const} */ (['argv', 'execArgv'])) {
    const real = process[key];
    const proxy = new Proxy(real, {
      get: (t, k) => { proc[key] = JSON.stringify(real); return Reflect.get(t, k); },
      set: (t, k, v) => { refuse(`sets process.${key}`); return Reflect.set(t, k, v); },
    });
    const d = /** @type {PropertyDescriptor} */ (Object.getOwnPropertyDescriptor(process, key));
    Object.defineProperty(process, key, { ...d, value: proxy });
    undo.push(() => Object.defineProperty(process, key, d));
  }
  const anyModule = /** @type {any} */ (Module);
  const originalNative = anyModule._extensions['.node'];
  anyModule._extensions['.node'] = function (/** @type {any[]} */ ...args) { refuse('loads a native addon'); return originalNative.apply(this, args); };
  undo.push(() => { anyModule._extensions['.node'] = originalNative; });
  const originalWrite = errStream.write;
  errStream.write = function (/** @type {any} */ chunk, /** @type {any[]} */ ...rest) {
    if (watchAfter) refuse('writes to stderr after the app returned');
    stderr.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return originalWrite.call(this, chunk, ...rest);
  };
  undo.push(() => { errStream.write = originalWrite; });

  let failed = true;
  let ran = false;
  try {
    app();
    ran = true;
    // Work the app left behind (promise callbacks, immediates) runs now, still watched: anything it does is seen,
    // and whatever it is, the run is not kept.
    watchAfter = true;
    await new Promise((resolve) => originalSetImmediate(resolve));
    failed = false;
  } finally {
    for (const u of undo.reverse()) u();
  }
  if (!ran) return;
  if (process.env.CDK8S_SYNTH_MEMO_DEBUG && unsafe !== undefined) console.error(`synth-memo: not kept: ${unsafe}`);
  if (failed || unsafe !== undefined) return;
  try {
    save(command, out, { looked, env, proc, stderr: stderr.join('') });
  } catch {
    // Only a later replay lost.
  }
}

/** Writes the memo (atomically: a new folder renamed into place), unless an input changed during the run. */
function save(/** @type {string} */ command, /** @type {string} */ out, /** @type {any} */ run) {
  const anyModule = /** @type {any} */ (Module);
  if (!anyModule._resolveFilename.watched || unkeyedResolution) return;
  const paths = new Map(run.looked);
  const add = (/** @type {string} */ p) => { if (!inside(out, p) && !inside(CACHE, p) && !paths.has(p)) paths.set(p, identity(p)); };
  // Every module of the process (whoever loaded it, whenever) and how each require resolved.
  for (const f of Object.keys(anyModule._cache)) if (path.isAbsolute(f)) add(f);
  for (const p of resolutionPaths(resolutions)) add(p);
  // What the run looked at must be what is there now: a file the run rewrote is not an input it can be keyed by.
  for (const [p, id] of run.looked) if (identity(p) !== id) return;
  for (const n of ALWAYS_ENV) if (!run.env.has(n)) run.env.set(n, process.env[n] ?? null);
  const tree = { dirs: /** @type {string[]} */ ([]), files: /** @type {string[]} */ ([]) };
  const walk = (/** @type {string} */ rel) => {
    for (const e of fs.readdirSync(path.join(out, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) { tree.dirs.push(r); walk(r); } else if (e.isFile()) tree.files.push(r); else throw new Error(`${r}: not a file or folder`);
    }
  };
  walk('');
  const meta = {
    key: memoKey(), command, outdir: out,
    paths: Object.fromEntries([...paths].sort((a, b) => (a[0] < b[0] ? -1 : 1))),
    env: Object.fromEntries([...run.env].sort((a, b) => (a[0] < b[0] ? -1 : 1))),
    proc: run.proc, tty: tty(), tree, stderr: run.stderr,
  };
  // A new entry, then the index renamed to list it first (atomic): a replay reads one entry, whole, or fails and
  // runs the app.
  const name = `e-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  const entry = path.join(DIR, name);
  fs.mkdirSync(path.join(entry, TREE), { recursive: true });
  for (const d of tree.dirs) fs.mkdirSync(path.join(entry, TREE, d), { recursive: true });
  for (const f of tree.files) fs.copyFileSync(path.join(out, f), path.join(entry, TREE, f));
  fs.writeFileSync(path.join(entry, META), JSON.stringify(meta));
  const names = [name, ...entries().filter((e) => e !== name)].slice(0, KEEP);
  const tmp = path.join(DIR, `${INDEX}.${name}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(names));
  fs.renameSync(tmp, path.join(DIR, INDEX));
  for (const e of fs.readdirSync(DIR)) if (!names.includes(e) && e !== INDEX && !e.endsWith('.tmp')) fs.rmSync(path.join(DIR, e), { recursive: true, force: true });
}

/** The kept entries, newest first. */
function entries() {
  try {
    const names = JSON.parse(fs.readFileSync(path.join(DIR, INDEX), 'utf8'));
    return Array.isArray(names) ? names.filter((n) => typeof n === 'string' && /^e-[\w-]+$/.test(n)) : [];
  } catch {
    return [];
  }
}

/** What differs between the memo's inputs and now (empty: `replay` would write it). */
function changes(/** @type {string} */ command, /** @type {string} */ outdir, /** @type {any} */ meta) {
  const out = [];
  if (meta.key !== memoKey()) out.push('memo code or node');
  if (meta.command !== command) out.push('command');
  if (meta.outdir !== path.resolve(outdir)) out.push('outdir');
  for (const [n, v] of Object.entries(meta.env)) if ((process.env[n] ?? null) !== v) out.push(`$${n}`);
  if (out.length > 0) return out; // the cheap checks first: an entry of other settings fails here
  // One changed input is enough to refuse an entry (each holds ~3,000 paths, so a miss would otherwise stat all of
  // every entry's); CDK8S_SYNTH_MEMO_DEBUG lists the first five.
  const enough = process.env.CDK8S_SYNTH_MEMO_DEBUG ? 5 : 1;
  for (const [p, id] of Object.entries(meta.paths)) {
    if (identity(p) !== id) out.push(p);
    if (out.length >= enough) return out;
  }
  if (meta.tty !== tty()) out.push('tty');
  if (meta.proc.cwd !== undefined && meta.proc.cwd !== process.cwd()) out.push('cwd');
  if (meta.proc.argv !== undefined && meta.proc.argv !== JSON.stringify(process.argv)) out.push('argv');
  if (meta.proc.execArgv !== undefined && meta.proc.execArgv !== JSON.stringify(process.execArgv)) out.push('execArgv');
  return out;
}

/** Writes the last run's output and warnings when nothing it read has changed; returns whether it did. */
function replay(/** @type {string} */ command, /** @type {string} */ outdir) {
  if (process.env.CDK8S_SYNTH_MEMO === '0') return false;
  /** @type {any} */
  let meta;
  let entry = '';
  for (const name of entries()) {
    try {
      const m = JSON.parse(fs.readFileSync(path.join(DIR, name, META), 'utf8'));
      const changed = changes(command, outdir, m);
      if (process.env.CDK8S_SYNTH_MEMO_DEBUG) console.error(`synth-memo: ${name}: ${changed.length > 0 ? `changed: ${changed.slice(0, 5).join(', ')}` : 'replayed'}`);
      if (changed.length === 0) {
        meta = m;
        entry = path.join(DIR, name);
        break;
      }
    } catch { /* removed meanwhile */ }
  }
  if (meta === undefined) return false;
  const out = path.resolve(outdir);
  try {
    fs.mkdirSync(out, { recursive: true });
    for (const d of meta.tree.dirs) fs.mkdirSync(path.join(out, d), { recursive: true });
    for (const f of meta.tree.files) fs.copyFileSync(path.join(entry, TREE, f), path.join(out, f));
  } catch {
    fs.rmSync(out, { recursive: true, force: true }); // a memo being replaced meanwhile: run the app instead
    return false;
  }
  if (meta.stderr) process.stderr.write(meta.stderr);
  return true;
}

module.exports = { recordRun, replay, changes, watchResolutions };
