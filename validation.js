// `cdk8s-gpu-platform/validation`: the validator (lib/validation, not part of the jsii API). Also the path a
// cdk8s.yaml `validations:` entry names (`package: ./node_modules/cdk8s-gpu-platform/validation`), since
// cdk8s-cli requires plugins by file path. This repository's dev loop (swc, build/lib) wins over the package
// build (tsc, build/package), which is all an installed package has.
'use strict';
const fs = require('fs');
const path = require('path');
const dev = path.join(__dirname, 'build', 'lib', 'validation', 'index.js');
module.exports = require(fs.existsSync(dev) ? dev : './build/package/lib/validation');
