// @ts-check
/**
 * Writes the schema bundle the validator ships with: build/lib/validation/schemas.json, next to the compiled
 * validator, so an installed package validates with no network and no ../shared. It holds the Kubernetes 1.27
 * schemas of kubernetes-models (every built-in kind and what it references) and the openAPIV3Schema of every
 * served version of every CRD under ../shared/crds (or $CRDS_DIR), descriptions stripped, with each CRD
 * folder's upstream repository and release from its SOURCE.md. About 1.7 MB (measured in docs/validation.md):
 * generated at build time, not committed.
 *
 * `node scripts/bundle-schemas.js` (prepack) rebuilds when stale and fails without the CRDs; `ensureBundle()`
 * (from `npm run build`) rebuilds when stale and only warns without them.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const OUT_DIR = path.join(ROOT, 'build', 'lib', 'validation');
const OUT = path.join(OUT_DIR, 'schemas.json');
const CRDS = process.env.CRDS_DIR ?? path.resolve(ROOT, '../shared/crds');

/** @returns {string[]} */
function filesUnder(/** @type {string} */ dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : [p];
  });
}

/** The bundle is stale when any input (CRD files, kubernetes-models, the validator's code, this script) is newer. */
function isStale() {
  if (!fs.existsSync(OUT)) return true;
  const out = fs.statSync(OUT).mtimeMs;
  const inputs = [
    ...filesUnder(CRDS), __filename, require.resolve('kubernetes-models/package.json'),
    ...['crd.js', 'schema.js', 'cache.js'].map((f) => path.join(OUT_DIR, f)),
  ];
  return inputs.some((f) => fs.statSync(f).mtimeMs > out);
}

/** Writes the bundle; returns its size in bytes. */
function writeBundle() {
  // The modules read an existing bundle instead of the sources: remove it first.
  fs.rmSync(OUT, { force: true });
  process.env.CRDS_DIR = CRDS;
  const { buildIndex, listCrdFiles } = require(path.join(OUT_DIR, 'crd.js'));
  const { kubernetesBundle } = require(path.join(OUT_DIR, 'schema.js'));
  const crds = buildIndex(CRDS, listCrdFiles(CRDS), undefined);
  const text = JSON.stringify({
    format: 1,
    kubernetes: kubernetesBundle(),
    crds: { sources: crds.sources, entries: crds.entries },
  });
  fs.writeFileSync(OUT, text);
  return Buffer.byteLength(text);
}

/** Rebuilds the bundle when stale; without the CRDs, warns (`required` false) or throws. */
function ensureBundle(required = false) {
  if (!fs.existsSync(CRDS)) {
    const message = `bundle-schemas: the CRD folder ${CRDS} does not exist (set CRDS_DIR); the validator's schema bundle was not written`;
    if (required) throw new Error(message);
    if (!fs.existsSync(OUT)) console.warn(message);
    return;
  }
  if (!isStale()) return;
  const bytes = writeBundle();
  console.log(`bundle-schemas: ${path.relative(ROOT, OUT)} (${(bytes / 1e6).toFixed(2)} MB)`);
}

module.exports = { ensureBundle, OUT };

if (require.main === module) ensureBundle(true);
