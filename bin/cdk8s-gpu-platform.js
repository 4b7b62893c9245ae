#!/usr/bin/env node
// `npx cdk8s-gpu-platform validate <dir>`: see lib/validation/cli.ts and docs/validation.md. This repository's
// dev loop (swc, build/lib) wins over the package build (tsc, build/package), which is all an installed package has.
'use strict';
const fs = require('fs');
const path = require('path');
const dev = path.join(__dirname, '..', 'build', 'lib', 'validation', 'cli.js');
process.exitCode = require(fs.existsSync(dev) ? dev : '../build/package/lib/validation/cli').main(process.argv.slice(2));
