// @ts-check
/**
 * `npm run build:package` (also `prepack` and part of `npm test`): builds what `npm pack` publishes.
 *
 * jsii compiles lib/ and imports/ into build/package/ and writes the `.jsii` assembly (gzip-compressed: the
 * generated CRD types make it about 20 MB of JSON). jsii is also the check that the public API can be
 * published for Python, Java, .NET and Go: it fails on union types, generics, `setXxx` methods, optional
 * parameters before required ones, classes extending Error, ...
 *
 * Non-jsii entry points (code the other languages cannot call, e.g. a module built on ajv) are listed in
 * tsconfig.nonjsii.json `include` and in package.json `jsii.excludeTypescript`; tsc compiles them (with the
 * lib/ files they import) into build/package-nonjsii/ while jsii runs, and the files jsii did not write are
 * copied into build/package/ after it: jsii's output wins for any shared lib/ file. The jsii entry point
 * (lib/index.ts) must not import them. The validator's schema bundle is written from that tsc output, also
 * beside jsii, unless the machine cache has it for the same inputs (scripts/bundle-schemas.js: most lib/
 * changes do not touch it). See docs/development.md, "The package".
 *
 * The fast dev loop does not use this: `npm run synth`, jest and `npm run build` transpile with swc.
 *
 * Cached by content: when the SHA-256 of every input (`packageInputs()`: lib/, imports/, README.md, the package
 * and compiler settings, this script, the CRDs of the schema bundle, the tool versions) equals the key stamped
 * by the last successful build and the outputs are there, the build is skipped (about 35 s of jsii). A clean
 * clone has no stamp; `--force` or `NO_BUILD_CACHE=1` always rebuilds. A build that runs reuses jsii's
 * type-check and output of the files an edit cannot have changed (scripts/jsii-check-cache.js; not with
 * NO_BUILD_CACHE=1).
 */
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, 'build', 'package');
const bin = (/** @type {string} */ name) => path.join(ROOT, 'node_modules', '.bin', name);
// jsii 5.9 supports Node 22 and 24 and prints a banner on Node 20 (end of life), which still builds this
// package correctly; package.json `engines` allows Node 20, so the banner is silenced for it only.
/** @type {NodeJS.ProcessEnv} */
const ENV = { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' };
/** Runs a command with inherited output; rejects when it fails. */
const run = (/** @type {string} */ cmd, /** @type {string[]} */ args) => new Promise((resolve, reject) => {
  const child = spawn(cmd, args, { cwd: ROOT, stdio: 'inherit', env: ENV });
  child.on('error', reject);
  child.on('exit', (code, signal) => (code === 0 ? resolve(undefined) : reject(new Error(`${path.basename(cmd)} ${args[0] ?? ''} failed (${signal ?? `exit code ${code}`})`))));
});
/** tsc's output for the non-jsii entry points (and the lib/ files they import), before the copy into OUT. */
const NONJSII_OUT = path.join(ROOT, 'build', 'package-nonjsii');
const { inputHash, relativeImportClosure, installedVersion, readStamp, writeStamp, clearStamp, cacheDisabled } = require('./input-hash');
const { tryLock } = require('./process-alive');

/** The key of the last successful build (written last, cleared first), relative to the repository. */
const STAMP = path.join('build', '.package-inputs.sha256');
/** What the build reads besides node_modules (whose versions are in the key through the npm lockfile). */
const INPUTS = [
  'lib', 'imports', 'README.md', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.nonjsii.json',
  'scripts/build-package.js', 'scripts/bundle-schemas.js', 'scripts/input-hash.js', 'scripts/jsii-check-cache.js',
];

/** The key of the package's inputs (see the header). */
function packageInputs(/** @type {string} */ root = ROOT) {
  const crds = process.env.CRDS_DIR ?? path.resolve(root, '../shared/crds');
  return inputHash(root, [...INPUTS, crds], {
    extra: [process.version, ...['jsii', 'typescript', 'kubernetes-models', 'cdk8s', 'cdk8s-plus-27', 'constructs'].map((n) => installedVersion(root, n))],
  });
}

/** What a skipped build must find from the last one. */
const OUTPUTS = ['.jsii', '.jsii.gz', 'build/package/lib/index.js', 'build/package/lib/index.d.ts'];

/** Whether build/package/ and `.jsii` were built from exactly the current inputs. */
function isUpToDate(root = ROOT) {
  const stamp = readStamp(path.join(root, STAMP));
  return stamp !== undefined && OUTPUTS.every((f) => fs.existsSync(path.join(root, f))) && stamp === packageInputs(root);
}

/** The source files tsconfig.nonjsii.json selects (tsc fails on an empty program). */
function nonJsiiRoots() {
  const cfgPath = path.join(ROOT, 'tsconfig.nonjsii.json');
  if (!fs.existsSync(cfgPath)) return [];
  const ts = require('typescript');
  const { config } = ts.readConfigFile(cfgPath, ts.sys.readFile);
  return ts.parseJsonConfigFileContent(config, ts.sys, ROOT, undefined, cfgPath).fileNames;
}

/**
 * The key of the non-jsii tsc's output: the root files and every file they reach through relative imports
 * (what tsc compiles; packages are in the lockfile), the tsconfigs, this script and the versions. Undefined
 * when an import does not resolve to a .ts file (then tsc always runs).
 */
function nonJsiiInputs(/** @type {string[]} */ roots) {
  const files = relativeImportClosure(ROOT, roots);
  return files && inputHash(ROOT, [...files, 'tsconfig.json', 'tsconfig.nonjsii.json', 'package-lock.json', 'scripts/build-package.js'],
    { extra: [process.version, installedVersion(ROOT, 'typescript')] });
}

/** The key of the non-jsii output in NONJSII_OUT (written last, cleared first). */
const NONJSII_STAMP = path.join(ROOT, 'build', '.package-nonjsii-inputs.sha256');

/** Every file under `dir`, relative to it. */
function filesUnder(/** @type {string} */ dir) {
  return /** @type {string[]} */ (fs.readdirSync(dir, { recursive: true })).filter((f) => fs.statSync(path.join(dir, f)).isFile());
}

/**
 * Writes the validator's schema bundle (Kubernetes 1.27 and CRD schemas) next to the compiled validator in
 * `dir`: no network and no ../shared at validation time. Fails without ../shared/crds (or $CRDS_DIR). Taken from
 * the machine cache when the dev build or another clone already wrote it from the same inputs
 * (scripts/bundle-schemas.js). Returns `[bytes, reused]`.
 */
function schemaBundle(/** @type {string} */ dir) {
  const { bytes, reused } = require('./bundle-schemas').writeBundle(dir);
  return [bytes, reused];
}

/** The non-jsii entry points: tsc into NONJSII_OUT, then the schema bundle there. Runs beside jsii. */
async function buildNonJsii() {
  const roots = nonJsiiRoots();
  if (roots.length === 0) {
    fs.rmSync(NONJSII_OUT, { recursive: true, force: true });
    return undefined;
  }
  // tsc's output is kept while nothing it compiles changed: most lib/ changes are outside lib/validation/
  // and the few lib/ files it imports.
  const key = cacheDisabled() ? undefined : nonJsiiInputs(roots);
  if (key === undefined || readStamp(NONJSII_STAMP) !== key || !fs.existsSync(NONJSII_OUT)) {
    clearStamp(NONJSII_STAMP);
    fs.rmSync(NONJSII_OUT, { recursive: true, force: true });
    await run(bin('tsc'), ['-p', 'tsconfig.nonjsii.json', '--outDir', NONJSII_OUT]);
    if (key !== undefined) writeStamp(NONJSII_STAMP, key);
  } else {
    console.log('build:package: the non-jsii entry points\' inputs are unchanged: their tsc output reused');
  }
  const validation = path.join(NONJSII_OUT, 'lib', 'validation');
  return fs.existsSync(path.join(validation, 'crd.js')) ? schemaBundle(validation) : undefined;
}

/** Taken by a build (a folder holding its process id): two builds never write build/package/ at once. */
const LOCK = path.join(ROOT, 'build', '.package-build.lock');

/** Runs `fn` holding LOCK; waits for another build to finish, takes over the lock of a build that is gone. */
async function withLock(/** @type {() => Promise<void>} */ fn) {
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  const deadline = Date.now() + 15 * 60_000;
  while (!tryLock(LOCK, deadline)) await new Promise((resolve) => setTimeout(resolve, 300));
  try {
    await fn();
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

/**
 * Builds the package unless it is up to date (`force`: always). Under LOCK: `npm test`'s build and a test
 * file's `ensurePackageBuilt` (test/package/build.ts) may start at once; the second waits, then finds the
 * package up to date.
 */
async function buildPackage(force = false) {
  const started = Date.now();
  const upToDate = () => {
    if (force || !isUpToDate()) return false;
    console.log(`build:package: inputs unchanged since the last build (${readStamp(path.join(ROOT, STAMP))?.slice(0, 12)}): build/package/ and .jsii reused, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return true;
  };
  if (upToDate()) return;
  await withLock(async () => {
    if (!upToDate()) await build(started);
  });
}

async function build(/** @type {number} */ started) {
  clearStamp(path.join(ROOT, STAMP));
  const key = packageInputs();
  // NO_BUILD_CACHE=1: jsii checks and emits every file (scripts/jsii-check-cache.js reuses nothing).
  if (cacheDisabled()) ENV.JSII_CACHE = '0';
  // A clean build: outputs of deleted sources must not be published.
  fs.rmSync(OUT, { recursive: true, force: true });
  for (const f of ['.jsii', '.jsii.gz']) fs.rmSync(path.join(ROOT, f), { force: true });

  // Both run to the end even when one fails, so that no process outlives the build.
  const [nonJsii, jsii] = await Promise.allSettled([
    buildNonJsii(),
    // jsii with its type-check results kept per file (scripts/jsii-check-cache.js).
    run(process.execPath, ['--require', path.join(__dirname, 'jsii-check-cache.js'), path.join(path.dirname(require.resolve('jsii/package.json')), 'bin', 'jsii'),
      // jsii would otherwise (re)write tsconfig.json, which is ours (tests, examples, bench).
      '--generate-tsconfig', 'tsconfig.jsii.json',
      '--compress-assembly',
      // reserved-word: the generated CRD imports use field names such as `from` and `namespace` (jsii renames them).
      // metadata/missing-dev-dependency: peer ranges are wider than the pinned dev versions on purpose.
      '--silence-warnings=reserved-word', '--silence-warnings=metadata/missing-dev-dependency',
    ]),
  ]);
  if (jsii.status === 'rejected') throw jsii.reason;
  if (nonJsii.status === 'rejected') throw nonJsii.reason;
  // What tsc wrote and jsii did not (jsii's output wins for a shared lib/ file), as if tsc had written it first.
  let copied = 0;
  if (fs.existsSync(NONJSII_OUT)) {
    for (const f of filesUnder(NONJSII_OUT)) {
      const to = path.join(OUT, f);
      if (fs.existsSync(to)) continue;
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.copyFileSync(path.join(NONJSII_OUT, f), to);
      copied++;
    }
  }
  if (nonJsii.value) {
    const [bytes, reused] = nonJsii.value;
    console.log(`build:package: validator schema bundle ${(bytes / 1e6).toFixed(2)} MB${reused ? ' (reused: its inputs are unchanged)' : ''}`);
  }
  // The key of the inputs as they were when the build started: an edit during the build is seen next time.
  writeStamp(path.join(ROOT, STAMP), key);
  console.log(`build:package: build/package/ and .jsii written in ${((Date.now() - started) / 1000).toFixed(1)} s (${copied} files of the non-jsii entry points)`);
}

module.exports = { buildPackage, isUpToDate, packageInputs, STAMP };

if (require.main === module) {
  buildPackage(process.argv.includes('--force') || cacheDisabled()).catch((e) => {
    console.error(`build:package: ${e.message}`);
    process.exitCode = 1;
  });
}
