// @ts-check
/**
 * `npm run build`: transpiles lib/, imports/, examples/ and bench/ to build/ with swc, only the files that
 * changed since the last build. A no-op build is a few stat calls (an incremental `tsc` still parses the
 * whole program, about 3 s here), so the cdk8s app (scripts/app.js) runs it first on every `cdk8s synth`.
 *
 * Type-checking is not done here: `npm test` runs `tsc --noEmit` once. The published package is built by jsii
 * (`npm run build:package`), not by this script. The swc options match the jest transform, so tests and build run the same code.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, 'build');
const SOURCE_DIRS = ['lib', 'imports', 'examples', 'bench'];
const SWC_OPTIONS = {
  jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
  module: { type: 'commonjs' },
  sourceMaps: false,
};
/** Changing the options or the swc version rebuilds everything. */
const STAMP = path.join(OUT, '.swc-build');

/**
 * Files under `base/dir` whose name passes `keep`, relative to `base`.
 * @returns {string[]}
 */
function filesUnder(/** @type {string} */ base, /** @type {string} */ dir, /** @type {(name: string) => boolean} */ keep) {
  /** @type {string[]} */
  const out = [];
  const walk = (/** @type {string} */ d) => {
    for (const e of fs.readdirSync(path.join(base, d), { withFileTypes: true })) {
      const rel = path.join(d, e.name);
      if (e.isDirectory()) walk(rel);
      else if (keep(e.name)) out.push(rel);
    }
  };
  if (fs.existsSync(path.join(base, dir))) walk(dir);
  return out;
}

/** Brings build/ up to date; returns how many files were transpiled or removed. */
function build() {
  /** @type {typeof import('@swc/core') | undefined} */
  let swc;
  const load = () => (swc ??= require('@swc/core'));
  const mtime = (/** @type {string} */ f) => { try { return fs.statSync(f).mtimeMs; } catch { return -1; } };

  // The stamp names what produced build/: when it differs, every file is stale.
  const stamp = JSON.stringify({ swc: require('@swc/core/package.json').version, options: SWC_OPTIONS });
  const stampOk = fs.existsSync(STAMP) && fs.readFileSync(STAMP, 'utf8') === stamp;
  const scriptTime = mtime(__filename);

  let built = 0;
  const expected = new Set();
  for (const dir of SOURCE_DIRS) {
    for (const rel of filesUnder(ROOT, dir, (n) => n.endsWith('.ts') && !n.endsWith('.d.ts'))) {
      const src = path.join(ROOT, rel);
      const jsRel = rel.replace(/\.ts$/, '.js');
      const js = path.join(OUT, jsRel);
      expected.add(jsRel);
      const outTime = mtime(js);
      if (stampOk && outTime >= mtime(src) && outTime >= scriptTime) continue;
      const { code } = load().transformFileSync(src, { ...SWC_OPTIONS, filename: src, swcrc: false, configFile: false });
      fs.mkdirSync(path.dirname(js), { recursive: true });
      fs.writeFileSync(js, code);
      built++;
    }
  }
  // Outputs whose source is gone would still be loadable (and wrong): remove them.
  let removed = 0;
  for (const dir of SOURCE_DIRS) {
    for (const rel of filesUnder(OUT, dir, (n) => n.endsWith('.js'))) {
      if (!expected.has(rel)) {
        fs.rmSync(path.join(OUT, rel));
        removed++;
      }
    }
  }
  if (!stampOk) fs.writeFileSync(STAMP, stamp);
  if (built > 0 || removed > 0) console.log(`build: ${built} transpiled, ${removed} removed, ${expected.size - built} up to date`);
  // The validator's schema bundle (build/lib/validation/schemas.json), rebuilt when its inputs changed.
  require('./bundle-schemas').ensureBundle();
  return built + removed;
}

module.exports = { build };

if (require.main === module) build();
