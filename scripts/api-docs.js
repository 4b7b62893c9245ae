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

/** The key of what renderApiMarkdown reads: the assembly, the packages it documents against, this script. */
function apiDocsInputs(root = ROOT) {
  const { inputHash, installedVersion } = require('./input-hash');
  return inputHash(root, ['.jsii', '.jsii.gz', 'package.json', 'package-lock.json', 'scripts/api-docs.js'], {
    extra: [process.version, ...['jsii-docgen', 'cdk8s', 'cdk8s-plus-27', 'constructs'].map((n) => installedVersion(root, n))],
  });
}

/**
 * renderApiMarkdown, remembered for the assembly it was rendered from (build/.api-md-cache: the key, then the
 * text), so that `npm test` run again with an unchanged assembly does not run jsii-docgen (about 4 s).
 */
async function renderApiMarkdownCached() {
  const cache = path.join(ROOT, 'build', '.api-md-cache');
  const key = apiDocsInputs();
  try {
    const text = fs.readFileSync(cache, 'utf8');
    if (text.startsWith(`${key}\n`)) return text.slice(key.length + 1);
  } catch { /* none yet */ }
  const md = await renderApiMarkdown();
  fs.mkdirSync(path.dirname(cache), { recursive: true });
  fs.writeFileSync(cache, `${key}\n${md}`);
  return md;
}

module.exports = { renderApiMarkdown, renderApiMarkdownCached, apiDocsInputs, API_MD };

if (require.main === module) {
  renderApiMarkdown().then((md) => {
    fs.writeFileSync(API_MD, md);
    console.log(`API.md: ${(md.length / 1024).toFixed(0)} KB`);
  }, (e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
