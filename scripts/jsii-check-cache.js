// @ts-check
/**
 * Preloaded into jsii by scripts/build-package.js (`node --require ./scripts/jsii-check-cache.js .../jsii`):
 * jsii type-checks and emits only the files whose result can have changed since the last build, and reuses the
 * rest. jsii's command line, its program, its assembler (the whole `.jsii` assembly is built every time), the
 * diagnostics it prints and its exit code are its own; build/package/ is still emptied and written whole.
 *
 * Why: whatever changed, jsii resolves, checks and emits every declaration of the 11 MB of generated CRD
 * types in imports/ and of every lib/ file: about 30 of its 35 s of CPU here, though a typical change
 * touches one lib/ file.
 *
 * The rule. What TypeScript reports for a file (semantic and declaration diagnostics) and what it emits for it
 * (its .js and .d.ts) are a function of the file's text, of the files it imports (transitively: their
 * declarations, inferred types, const enums, whether an import is a value), of what every file sees (the
 * TypeScript and Node libraries, the node_modules packages, any `declare global`, `declare module '...'` or
 * script file of the program), of the compiler options and, for the .js, of what jsii's one code transformer
 * adds: the runtime type info of each class the assembly publishes (its fully qualified name and the package
 * version). The key of a file is a SHA-256 over exactly those: its text and the text of every file it reaches
 * through relative imports and `/// <reference path>`; the program's global declarations; the compiler options,
 * the command line, package.json, package-lock.json (for node_modules), this script and the TypeScript, jsii
 * and Node versions; the fully qualified names jsii gives its classes. A file whose key equals the one recorded after a
 * build in which it had no diagnostic is not checked again, and its recorded output is written instead of
 * emitting it. Anything the rule cannot see through (an import that resolves to no file of the program;
 * `paths`, `baseUrl` or `rootDirs` in the options) keys the file on every file of the program. Files with a
 * diagnostic are never recorded: they are checked, reported and emitted every time.
 *
 * TypeScript's `noEmitOnError` is turned off in the program jsii builds, because with it TypeScript's emit
 * computes the diagnostics of every file itself. The outcome is the same: jsii fails the build and writes no
 * assembly when any diagnostic is an error, and what a failed build leaves in build/package/ is never used (no
 * stamp is written; the next build empties the folder).
 *
 * The record is shared by every clone of the repository on the machine (scripts/machine-cache.js, `jsii/`).
 * Keys name files by their path relative to the repository and compiler options by relative paths, so a fresh
 * clone reuses what another clone of the same content checked. It holds `<key>.pass` (the file had no
 * diagnostic under that key) and `<output key>.json` (its outputs, by path relative to the repository).
 * `JSII_CACHE=0` turns it off; with a jsii other than 5.9 (whose `Compiler.prototype.buildOnce` and
 * `consumeProgram` and whose assembler's runtime-info injector this relies on) nothing is patched and jsii does
 * all the work, as before.
 */
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { cacheFolder, writeWhole, touch, prune } = require('./machine-cache');

/**
 * Options as text that does not depend on where the repository is: keys sorted at every level, absolute
 * paths relative to `root`.
 */
function canonicalOptions(/** @type {unknown} */ value, /** @type {string} */ root) {
  return JSON.stringify(value, (_key, v) => {
    if (typeof v === 'string' && path.isAbsolute(v)) return `<root>/${path.relative(root, v).split(path.sep).join('/')}`;
    if (v && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]));
    return v;
  });
}

/** @param {string[]} parts */
const sha = (...parts) => {
  const h = crypto.createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
};

/**
 * The key of each file of the program (see the header) before the runtime type info, by file name. Files are
 * named in keys by their path relative to `root` (the repository), so that clones in other folders share keys.
 * @param {typeof import('typescript')} ts
 * @param {import('typescript').Program} program
 * @param {string} salt versions, command line, package.json and the lockfile
 * @param {string} root
 */
function fileKeys(ts, program, salt, root) {
  const rel = (/** @type {string} */ f) => path.relative(root, f).split(path.sep).join('/');
  const options = program.getCompilerOptions();
  const files = program.getSourceFiles().filter((sf) => !program.isSourceFileFromExternalLibrary(sf) && !program.isSourceFileDefaultLibrary(sf) && !sf.fileName.includes('/node_modules/'));
  const byName = new Map(files.map((sf) => [sf.fileName, sf]));
  // Declarations every file sees: script files and module files that augment the global scope or a module.
  const global = files.filter((sf) => !ts.isExternalModule(sf) || /\bdeclare\s+(global\b|module\s+['"])/.test(sf.text));
  const programKey = sha(salt, canonicalOptions(options, root), ts.version, ...global.flatMap((sf) => [rel(sf.fileName), sf.text]));
  const everything = sha(programKey, ...files.flatMap((sf) => [rel(sf.fileName), sf.text]));
  const opaque = options.paths !== undefined || options.baseUrl !== undefined || options.rootDirs !== undefined;

  /** The files a file reaches directly, or undefined when one of its relative imports is not a file of the program. */
  const direct = new Map();
  const edges = (/** @type {import('typescript').SourceFile} */ sf) => {
    if (direct.has(sf.fileName)) return direct.get(sf.fileName);
    const info = ts.preProcessFile(sf.text, true, true);
    const dir = path.dirname(sf.fileName);
    /** @type {string[] | undefined} */
    let out = [];
    for (const ref of info.referencedFiles) {
      const target = path.resolve(dir, ref.fileName);
      if (byName.has(target)) out.push(target); else { out = undefined; break; }
    }
    for (const imp of out ? info.importedFiles : []) {
      if (!imp.fileName.startsWith('.')) continue; // a package: its version is in the lockfile
      const base = path.resolve(dir, imp.fileName);
      const found = [base, `${base}.ts`, `${base}.tsx`, `${base}.d.ts`, path.join(base, 'index.ts'), path.join(base, 'index.d.ts')]
        .find((f) => byName.has(f));
      if (found) out.push(found); else { out = undefined; break; }
    }
    direct.set(sf.fileName, out);
    return out;
  };

  const keys = new Map();
  for (const sf of files) {
    if (sf.isDeclarationFile) continue;
    let key = opaque ? everything : undefined;
    if (!key) {
      const seen = new Set([sf.fileName]);
      const todo = [sf.fileName];
      while (todo.length > 0 && key === undefined) {
        const next = edges(/** @type {import('typescript').SourceFile} */ (byName.get(/** @type {string} */ (todo.pop()))));
        if (!next) key = everything;
        else for (const f of next) if (!seen.has(f)) { seen.add(f); todo.push(f); }
      }
      // The file's own name first: files that import each other reach the same set.
      key ??= sha(programKey, rel(sf.fileName), ...[...seen].map(rel).sort().flatMap((f) => [f, /** @type {import('typescript').SourceFile} */ (byName.get(path.resolve(root, f))).text]));
    }
    keys.set(sf.fileName, key === everything ? sha(everything, rel(sf.fileName)) : key);
  }
  return keys;
}

function patch() {
  if (/^(0|false|no)$/i.test(process.env.JSII_CACHE ?? '')) return;
  let Compiler;
  let Assembler;
  let ts;
  let jsiiVersion;
  try {
    const jsiiDir = path.dirname(require.resolve('jsii/package.json'));
    ({ Compiler } = require(path.join(jsiiDir, 'lib', 'compiler.js')));
    ({ Assembler } = require(path.join(jsiiDir, 'lib', 'assembler.js')));
    ts = require(require.resolve('typescript', { paths: [jsiiDir] }));
    jsiiVersion = require(path.join(jsiiDir, 'package.json')).version;
  } catch {
    return;
  }
  const proto = Compiler?.prototype;
  if (!/^5\.9\./.test(jsiiVersion) || typeof proto?.consumeProgram !== 'function' || typeof proto?.buildOnce !== 'function'
    || typeof Assembler?.prototype?.emit !== 'function') return;
  const consumeProgram = proto.consumeProgram;

  /** The assembler of the build under way (its runtime type info decides what the .js files get). */
  let assembler;
  const assemblerEmit = Assembler.prototype.emit;
  Assembler.prototype.emit = function (/** @type {any[]} */ ...args) {
    assembler = this;
    return assemblerEmit.apply(this, args);
  };

  /** jsii 5.9's buildOnce with noEmitOnError off (see the header). */
  proto.buildOnce = function () {
    const host = this.compilerHost;
    if (!host.getDefaultLibLocation) throw new Error('No default library location was found on the TypeScript compiler host!');
    const options = { ...this.tsconfig.compilerOptions, noEmitOnError: false };
    const libs = options.lib ?? [ts.getDefaultLibFileName(options)];
    const libDir = host.getDefaultLibLocation();
    const prog = ts.createIncrementalProgram({
      rootNames: this.rootFiles.concat(libs.map((/** @type {string} */ name) => path.join(libDir, name))),
      options,
      projectReferences: this.tsconfig.references?.map((/** @type {{ path: string }} */ ref) => ({ path: path.resolve(path.dirname(this.configPath), ref.path) })),
      host,
    });
    return this.consumeProgram(prog.getProgram(), libDir);
  };

  proto.consumeProgram = function (/** @type {import('typescript').Program} */ program, /** @type {string} */ stdlib) {
    const root = this.projectRoot ?? process.cwd();
    /** The record's folder; undefined (nothing found, nothing kept) when it cannot be used. */
    let dir;
    try { dir = cacheFolder('jsii'); } catch { /* see scripts/machine-cache.js */ }
    const read = (/** @type {string} */ f) => { try { return fs.readFileSync(path.join(root, f), 'utf8'); } catch { return ''; } };
    const keys = fileKeys(ts, program, sha(`jsii@${jsiiVersion}`, fs.readFileSync(__filename, 'utf8'), process.version, JSON.stringify(process.argv.slice(2)), read('package.json'), read('package-lock.json')), root);
    const rel = (/** @type {string} */ file) => path.relative(root, file).split(path.sep).join('/');
    /** @type {{ [file: string]: string }} the files this build recorded outputs for, with their key */
    const next = {};
    /** Files with a diagnostic in this build: never recorded. */
    const failed = new Set();
    /** Whether a file's key passed in an earlier build (of any clone): then its check is skipped. */
    const passed = new Map();
    const reusable = (/** @type {import('typescript').SourceFile} */ sf) => {
      if (!passed.has(sf.fileName)) passed.set(sf.fileName, dir !== undefined && keys.has(sf.fileName) && fs.existsSync(path.join(dir, `${keys.get(sf.fileName)}.pass`)));
      return passed.get(sf.fileName);
    };
    /** @type {string[]} the entries this build read: touched at the end, so that pruning keeps them */
    const used = [];
    let reused = 0;
    let emitted = 0;

    /** Semantic or declaration diagnostics of one file, or none when its check is reused. */
    const diagnose = (/** @type {'getSemanticDiagnostics' | 'getDeclarationDiagnostics'} */ kind, /** @type {import('typescript').SourceFile} */ sf, /** @type {any} */ token) => {
      if (reusable(sf)) return [];
      const diags = program[kind](sf, token);
      if (diags.length > 0) failed.add(sf.fileName);
      return diags;
    };
    /** The runtime type info jsii's transformer adds to each file's classes (filled in when the emit starts). */
    const rtti = new Map();
    /** The key of a file's outputs: its check key and the runtime type info of its classes. */
    const outputKey = (/** @type {string} */ file) => sha(/** @type {string} */ (keys.get(file)), ...(rtti.get(file) ?? []).sort(), String(assembler?.runtimeTypeInfoInjector?.version));

    const emit = (/** @type {any} */ target, /** @type {any} */ writeFile, /** @type {any} */ token, /** @type {any} */ dtsOnly, /** @type {any} */ transformers) => {
      if (target || dtsOnly || writeFile || !assembler?.runtimeTypeInfoInjector?.fqnsByClass) {
        return program.emit(target, writeFile, token, dtsOnly, transformers);
      }
      for (const [clazz, fqn] of assembler.runtimeTypeInfoInjector.fqnsByClass) {
        const f = clazz.getSourceFile().fileName;
        rtti.set(f, [...(rtti.get(f) ?? []), `${clazz.pos}:${clazz.name?.text}=${fqn}`]);
      }
      const write = (/** @type {string} */ file, /** @type {string} */ text) => {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
      };
      const sources = program.getSourceFiles().filter((sf) => !sf.isDeclarationFile && keys.has(sf.fileName));
      const stored = (/** @type {string} */ file) => path.join(/** @type {string} */ (dir), `${outputKey(file)}.json`);
      const todo = [];
      for (const sf of sources) {
        if (reusable(sf) && fs.existsSync(stored(sf.fileName))) {
          for (const [file, text] of Object.entries(JSON.parse(fs.readFileSync(stored(sf.fileName), 'utf8')))) write(path.resolve(root, file), text);
          used.push(stored(sf.fileName), path.join(/** @type {string} */ (dir), `${keys.get(sf.fileName)}.pass`));
          reused++;
        } else {
          todo.push(sf);
        }
      }
      /** The outputs of each emitted source file. */
      const outputs = new Map();
      const capture = (/** @type {string} */ file, /** @type {string} */ text, /** @type {any} */ _bom, /** @type {any} */ _onError, /** @type {readonly import('typescript').SourceFile[] | undefined} */ of) => {
        if (file.endsWith('.tsbuildinfo')) return; // TypeScript's incremental state: no build reads it
        write(file, text);
        const owner = of?.length === 1 ? of[0].fileName : undefined;
        if (owner) outputs.set(owner, { ...outputs.get(owner), [rel(file)]: text });
      };
      // Nothing to reuse (a first build): one emit of the whole program, as jsii does; else file by file.
      const results = todo.length === sources.length ? [program.emit(undefined, capture, token, false, transformers)]
        : todo.map((sf) => program.emit(sf, capture, token, false, transformers));
      emitted += todo.length;
      const diagnostics = results.flatMap((r) => r.diagnostics);
      const emitSkipped = results.some((r) => r.emitSkipped);
      for (const d of diagnostics) if (d.file) failed.add(d.file.fileName);
      if (dir !== undefined && !emitSkipped && diagnostics.every((d) => d.file)) {
        try {
          for (const sf of todo) {
            if (failed.has(sf.fileName) || !outputs.has(sf.fileName)) continue;
            writeWhole(stored(sf.fileName), JSON.stringify(outputs.get(sf.fileName)));
            next[sf.fileName] = /** @type {string} */ (keys.get(sf.fileName));
          }
        } catch { /* a folder this user cannot write: nothing recorded, all the work next time */ }
      }
      return { emitSkipped, diagnostics, emittedFiles: undefined };
    };

    const viaCache = new Proxy(program, {
      get(target, prop) {
        if (prop === 'getSemanticDiagnostics' || prop === 'getDeclarationDiagnostics') {
          return (/** @type {any} */ sf, /** @type {any} */ token) => (sf ? diagnose(prop, sf, token)
            : target.getSourceFiles().flatMap((f) => (prop === 'getDeclarationDiagnostics' && f.isDeclarationFile ? [] : diagnose(prop, f, token))));
        }
        if (prop === 'emit') return emit;
        return Reflect.get(target, prop);
      },
    });
    assembler = undefined;
    const result = consumeProgram.call(this, viaCache, stdlib);
    if (dir !== undefined) {
      try {
        // Only files with no diagnostic at all, whose outputs are recorded under their current key. Also after a
        // failed build: what it recorded had no diagnostic, and its key says what it depends on.
        for (const [f, key] of Object.entries(next)) if (!failed.has(f)) writeWhole(path.join(dir, `${key}.pass`), '');
        touch(used);
        prune(dir);
      } catch { /* a read-only folder, or another build pruned it: all the work next time */ }
    }
    console.log(`jsii cache: ${reused} files' check and output reused, ${emitted} checked and emitted (scripts/jsii-check-cache.js)`);
    return result;
  };
}

module.exports = { fileKeys, canonicalOptions };

// Patches only jsii's own process (preloaded: `node --require ./scripts/jsii-check-cache.js .../jsii/bin/jsii`).
if (/[\\/]jsii[\\/]bin[\\/]jsii$/.test(process.argv[1] ?? '')) patch();
