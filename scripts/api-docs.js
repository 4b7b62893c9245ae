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

/**
 * The assembly as jsii-docgen reads it, without what it never prints: the source line of every type and member
 * (`locationInModule`, which moves whenever a line is added above it, so that an edit inside a function body
 * changes it) and the `fingerprint` over all of it. jsii-docgen 10 reads neither (its code never names them).
 * Undefined when the assembly cannot be read (then the key hashes its bytes).
 */
function assemblyForDocs(/** @type {string} */ root) {
  try {
    let text = fs.readFileSync(path.join(root, '.jsii'), 'latin1');
    const head = JSON.parse(text);
    // latin1: one character per byte (fast to decode; the patterns below are ASCII), hashed back as latin1.
    if (head.schema === 'jsii/file-redirect') text = require('zlib').gunzipSync(fs.readFileSync(path.join(root, head.filename))).toString('latin1');
    // Blanked in the text (jsii writes the assembly as compact JSON): parsing its 13 MB to drop them takes 1 s.
    return text.replace(/"locationInModule":\{[^{}]*\}/g, '"locationInModule":0').replace(/"fingerprint":"[^"]*"/g, '"fingerprint":0');
  } catch {
    return undefined;
  }
}

/** The key of what renderApiMarkdown reads: the assembly (as above), the packages it documents against, this script. */
function apiDocsInputs(root = ROOT) {
  const { inputHash, installedVersion } = require('./input-hash');
  const assembly = assemblyForDocs(root);
  return inputHash(root, [...(assembly === undefined ? ['.jsii', '.jsii.gz'] : []), 'package.json', 'package-lock.json', 'scripts/api-docs.js'], {
    extra: [process.version, ...['jsii-docgen', 'cdk8s', 'cdk8s-plus-27', 'constructs'].map((n) => installedVersion(root, n)),
      require('crypto').createHash('sha256').update(assembly ?? '', 'latin1').digest('hex')],
  });
}

/**
 * renderApiMarkdown, remembered for the assembly it was rendered from (the machine cache,
 * scripts/machine-cache.js, `api-md/`), so that `npm test` with an assembly rendered before, by this clone or
 * another, does not run jsii-docgen (about 4 s).
 */
async function renderApiMarkdownCached() {
  const { readEntry, writeEntry } = require('./machine-cache');
  const key = apiDocsInputs();
  const cached = require('./input-hash').cacheDisabled() ? undefined : readEntry('api-md', key); // NO_BUILD_CACHE=1: render
  if (cached) return cached.toString('utf8');
  const md = await renderApiMarkdown();
  writeEntry('api-md', key, md);
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
