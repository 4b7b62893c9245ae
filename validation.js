// The validator's entry for paths that bypass package.json `exports`: cdk8s.yaml `validations:` loads a plugin
// by file path (`package: ./node_modules/cdk8s-gpu-platform/validation`). Same module as `cdk8s-gpu-platform/validation`.
'use strict';
module.exports = require('./build/lib/validation');
