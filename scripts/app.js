// @ts-check
/**
 * The cdk8s app of the examples (cdk8s.yaml `app:`): brings build/ up to date from the TypeScript sources
 * (swc, changed files only; a no-op is a few stat calls), then synthesizes the example platform. So
 * `cdk8s synth` alone always reflects the sources, as the ts-node template does, without its 3 s type-check.
 * The YAML of each document is kept in node_modules/.cache/synth-yaml between synths (lib/gitops/yaml-cache.ts):
 * most of a synth's output has not changed since the last one.
 *
 * `npm run synth` (scripts/synth.js) calls `run()` in its own process instead of spawning this file; run as a
 * script (what `cdk8s synth` does), it does the same thing.
 */
'use strict';
const path = require('path');

/** Brings build/ up to date. */
function prepare() {
  require('./build').build();
}

/** Synthesizes the examples into `$CDK8S_OUTDIR` (cdk8s' App reads it; default `dist`). */
function synthesize() {
  require('../build/lib/gitops/yaml-cache').useYamlCache(path.join(__dirname, '..', 'node_modules', '.cache', 'synth-yaml'));
  require('../build/examples/main').buildExamples().synth();
}

/** Builds, then synthesizes. */
function run() {
  prepare();
  synthesize();
}

module.exports = { run, prepare, synthesize };

if (require.main === module) run();
