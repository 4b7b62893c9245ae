// @ts-check
/**
 * Writes the schema bundle the validator ships with: `schemas.json` next to the compiled validator
 * (build/package/lib/validation/ for the package, from scripts/build-package.js; build/lib/validation/ for the
 * dev loop, from scripts/build.js), so an installed package validates with no network and no ../shared. It holds the Kubernetes 1.27
 * schemas of kubernetes-models (every built-in kind and what it references) and the openAPIV3Schema of every
 * served version of every CRD under ../shared/crds (or $CRDS_DIR), descriptions stripped, with each CRD
 * folder's upstream repository and release from its SOURCE.md. Format 2 keeps each schema as its JSON text, so
 * the validator parses only the schemas of the kinds it checks (about 0.1 s less per validation than parsing all). About 2 MB (measured in docs/validation.md):
 * generated at build time, not committed.
 *
 * `writeBundle(dir)` (the package build) always writes and fails without the CRDs; `ensureBundle()` (from
 * `npm run build`) rebuilds build/lib's when stale and only warns without them. Both take a bundle from the
 * machine cache (scripts/machine-cache.js, `schemas/`) when one was written from the same inputs: the
 * validator's TypeScript sources that write it (crd.ts, schema.ts and what they import; the dev loop's swc
 * output and the package's tsc output of them write the same bytes), the CRDs, the lockfile, this script and
 * the Node and kubernetes-models versions. So the dev build and the package build write it once (the second
 * waits for the first), and a fresh clone not at all. NO_BUILD_CACHE=1 always writes it.
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

/** The dev bundle is stale when any input (CRD files, kubernetes-models, the validator's code, this script) is newer. */
function isStale() {
  if (!fs.existsSync(OUT)) return true;
  const out = fs.statSync(OUT).mtimeMs;
  const inputs = [
    ...filesUnder(CRDS), __filename, require.resolve('kubernetes-models/package.json'),
    ...['crd.js', 'schema.js', 'cache.js'].map((f) => path.join(OUT_DIR, f)),
  ];
  return inputs.some((f) => fs.statSync(f).mtimeMs > out);
}

/** The key of the bundle's inputs (see the header), for the repository at `root` and the CRDs at `crds`. */
function bundleKey(root = ROOT, crds = CRDS) {
  const { inputHash, relativeImportClosure, installedVersion } = require('./input-hash');
  const sources = relativeImportClosure(root, ['lib/validation/crd.ts', 'lib/validation/schema.ts']) ?? ['lib'];
  return inputHash(root, [...sources, crds, 'package-lock.json', 'scripts/bundle-schemas.js'], {
    extra: [process.version, installedVersion(root, 'kubernetes-models')],
  });
}

/**
 * Writes `schemas.json` into `dir`, which holds the compiled validator (from the machine cache when it has it);
 * returns its size in bytes and whether it came from the cache.
 */
function writeBundle(dir = OUT_DIR) {
  if (!fs.existsSync(CRDS)) throw new Error(`bundle-schemas: the CRD folder ${CRDS} does not exist (set CRDS_DIR)`);
  const out = path.join(dir, 'schemas.json');
  // The modules read an existing bundle instead of the sources: remove it first (and load them in a child,
  // so this process's module cache and CRDS_DIR stay untouched).
  const make = () => {
    fs.rmSync(out, { force: true });
    const script = `
      process.env.CRDS_DIR = ${JSON.stringify(CRDS)};
      const { buildIndex, listCrdFiles } = require(${JSON.stringify(path.join(dir, 'crd.js'))});
      const { kubernetesBundle } = require(${JSON.stringify(path.join(dir, 'schema.js'))});
      const crds = buildIndex(process.env.CRDS_DIR, listCrdFiles(process.env.CRDS_DIR), undefined);
      require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify({
        format: 2,
        kubernetes: kubernetesBundle(),
        crds: { sources: crds.sources, entries: crds.entries },
      }));`;
    require('child_process').execFileSync(process.execPath, ['-e', script], { cwd: ROOT, stdio: 'inherit' });
    return fs.readFileSync(out);
  };
  if (require('./input-hash').cacheDisabled()) {
    const bundle = make();
    return { bytes: bundle.length, reused: false };
  }
  // The dev build and the package build of one `npm test` reach this at once: one writes, the other waits.
  const { data, reused } = require('./machine-cache').readOrMake('schemas', bundleKey(), make);
  if (reused) fs.writeFileSync(out, data);
  return { bytes: data.length, reused };
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
  const { bytes, reused } = writeBundle();
  console.log(`bundle-schemas: ${path.relative(ROOT, OUT)} (${(bytes / 1e6).toFixed(2)} MB${reused ? ', from the machine cache: written before from the same inputs' : ''})`);
}

module.exports = { ensureBundle, writeBundle, bundleKey, OUT };

if (require.main === module) ensureBundle(true);
