#!/usr/bin/env node
// `npx cdk8s-gpu-platform validate <dir>`: see lib/validation/cli.ts and docs/validation.md.
'use strict';
process.exitCode = require('../build/lib/validation/cli').main(process.argv.slice(2));
