// @ts-check
/**
 * `npm run docs`: writes API.md, the API reference, with jsii-docgen from the `.jsii` assembly that
 * `npm run build:package` wrote (so build first). It documents the root module: the library's own constructs,
 * props and enum-like classes with their TSDoc. The generated custom-resource submodules (`rollouts`, `keda`,
 * ...) are left out: their reference is the upstream CRD. test/docs/api-md.test.ts fails when API.md is stale.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const API_MD = path.join(ROOT, 'API.md');

/** The API.md text for the assembly in the repository root. */
async function renderApiMarkdown() {
  const { Documentation, Language } = require('jsii-docgen');
  const docs = await Documentation.forProject(ROOT);
  try {
    const md = await docs.toMarkdown({ language: Language.TYPESCRIPT, readme: false, allSubmodules: false });
    return md.render();
  } finally {
    await docs.cleanup();
  }
}

module.exports = { renderApiMarkdown, API_MD };

if (require.main === module) {
  renderApiMarkdown().then((md) => {
    fs.writeFileSync(API_MD, md);
    console.log(`API.md: ${(md.length / 1024).toFixed(0)} KB`);
  }, (e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
