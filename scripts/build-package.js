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
 * tsconfig.nonjsii.json `include` and in package.json `jsii.excludeTypescript`; tsc compiles them into the
 * same build/package/ before jsii runs, so jsii's output wins for any shared lib/ file they import. The jsii
 * entry point (lib/index.ts) must not import them. See docs/development.md, "The package".
 *
 * The fast dev loop does not use this: `npm run synth`, jest and `npm run build` transpile with swc.
 *
 * Cached by content: when the SHA-256 of every input (`packageInputs()`: lib/, imports/, README.md, the package
 * and compiler settings, this script, the CRDs of the schema bundle, the tool versions) equals the key stamped
 * by the last successful build and the outputs are there, the build is skipped (about 35 s of jsii). A clean
 * clone has no stamp; `--force` or `NO_BUILD_CACHE=1` always rebuilds.
 */
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, 'build', 'package');
const bin = (/** @type {string} */ name) => path.join(ROOT, 'node_modules', '.bin', name);
// jsii 5.9 supports Node 22 and 24 and prints a banner on Node 20 (end of life), which still builds this
// package correctly; package.json `engines` allows Node 20, so the banner is silenced for it only.
const ENV = { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' };
const run = (/** @type {string} */ cmd, /** @type {string[]} */ args) => execFileSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: ENV });
const { inputHash, installedVersion, readStamp, writeStamp, clearStamp, cacheDisabled } = require('./input-hash');

/** The key of the last successful build (written last, cleared first), relative to the repository. */
const STAMP = path.join('build', '.package-inputs.sha256');
/** What the build reads besides node_modules (whose versions are in the key through the npm lockfile). */
const INPUTS = [
  'lib', 'imports', 'README.md', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.nonjsii.json',
  'scripts/build-package.js', 'scripts/bundle-schemas.js', 'scripts/input-hash.js',
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

/** Whether tsconfig.nonjsii.json matches any source file (tsc fails on an empty program). */
function hasNonJsiiSources() {
  const cfgPath = path.join(ROOT, 'tsconfig.nonjsii.json');
  if (!fs.existsSync(cfgPath)) return false;
  const ts = require('typescript');
  const { config } = ts.readConfigFile(cfgPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, ROOT, undefined, cfgPath);
  return parsed.fileNames.length > 0;
}

/** Builds the package unless it is up to date (`force`: always). */
function buildPackage(force = false) {
  const started = Date.now();
  if (!force && isUpToDate()) {
    console.log(`build:package: inputs unchanged since the last build (${readStamp(path.join(ROOT, STAMP))?.slice(0, 12)}): build/package/ and .jsii reused, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return;
  }
  clearStamp(path.join(ROOT, STAMP));
  const key = packageInputs();
  // A clean build: outputs of deleted sources must not be published.
  fs.rmSync(OUT, { recursive: true, force: true });
  for (const f of ['.jsii', '.jsii.gz']) fs.rmSync(path.join(ROOT, f), { force: true });

  if (hasNonJsiiSources()) run(bin('tsc'), ['-p', 'tsconfig.nonjsii.json']);
  run(bin('jsii'), [
    // jsii would otherwise (re)write tsconfig.json, which is ours (tests, examples, bench).
    '--generate-tsconfig', 'tsconfig.jsii.json',
    '--compress-assembly',
    // reserved-word: the generated CRD imports use field names such as `from` and `namespace` (jsii renames them).
    // metadata/missing-dev-dependency: peer ranges are wider than the pinned dev versions on purpose.
    '--silence-warnings=reserved-word', '--silence-warnings=metadata/missing-dev-dependency',
  ]);
  // The validator's schema bundle (Kubernetes 1.27 and CRD schemas) next to its compiled code: no network and
  // no ../shared at validation time. Fails without ../shared/crds (or $CRDS_DIR).
  if (fs.existsSync(path.join(OUT, 'lib', 'validation', 'crd.js'))) {
    const bytes = require('./bundle-schemas').writeBundle(path.join(OUT, 'lib', 'validation'));
    console.log(`build:package: validator schema bundle ${(bytes / 1e6).toFixed(2)} MB`);
  }
  // The key of the inputs as they were when the build started: an edit during the build is seen next time.
  writeStamp(path.join(ROOT, STAMP), key);
  console.log(`build:package: build/package/ and .jsii written in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

module.exports = { buildPackage, isUpToDate, packageInputs, STAMP };

if (require.main === module) buildPackage(process.argv.includes('--force') || cacheDisabled());
