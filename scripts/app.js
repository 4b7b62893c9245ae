// @ts-check
/**
 * The cdk8s app of the examples (cdk8s.yaml `app:`): brings build/ up to date from the TypeScript sources
 * (swc, changed files only; a no-op is a few stat calls), then synthesizes the example platform. So
 * `cdk8s synth` alone always reflects the sources, as the ts-node template does, without its 3 s type-check.
 */
'use strict';
require('./build').build();
require('../build/examples/main').buildExamples().synth();
