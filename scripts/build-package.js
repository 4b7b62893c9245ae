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

/** Whether tsconfig.nonjsii.json matches any source file (tsc fails on an empty program). */
function hasNonJsiiSources() {
  const cfgPath = path.join(ROOT, 'tsconfig.nonjsii.json');
  if (!fs.existsSync(cfgPath)) return false;
  const ts = require('typescript');
  const { config } = ts.readConfigFile(cfgPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, ROOT, undefined, cfgPath);
  return parsed.fileNames.length > 0;
}

function buildPackage() {
  const started = Date.now();
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
  console.log(`build:package: build/package/ and .jsii written in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

module.exports = { buildPackage };

if (require.main === module) buildPackage();
