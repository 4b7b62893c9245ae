// @ts-check
/**
 * `npm run typecheck` (part of `npm test`): `tsc --noEmit -p tsconfig.json` over every file (lib, imports,
 * examples, test, bench), skipped when the content key of its inputs (the files tsconfig.json selects,
 * tsconfig.json itself, the npm lockfile and the TypeScript and type packages' versions) equals the key of the
 * last check that passed (scripts/input-hash.js). A run that does check still uses tsc's incremental
 * buildinfo (build/.tsbuildinfo-check), which saves the type-check of unchanged files but not the parse of
 * all of them (about 5 s here). `--force` or `NO_BUILD_CACHE=1` always checks.
 */
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');
const { inputHash, installedVersion, readStamp, writeStamp, clearStamp, cacheDisabled } = require('./input-hash');

const ROOT = path.join(__dirname, '..');
/** The key of the last check that passed (written last, cleared first), relative to the repository. */
const STAMP = path.join('build', '.typecheck-inputs.sha256');

/** The key of what `tsc -p tsconfig.json` reads from the repository, plus the versions of what it reads from node_modules. */
function typecheckInputs(root = ROOT) {
  const ts = require('typescript');
  const cfgPath = path.join(root, 'tsconfig.json');
  const { config } = ts.readConfigFile(cfgPath, ts.sys.readFile);
  const files = ts.parseJsonConfigFileContent(config, ts.sys, root, undefined, cfgPath).fileNames
    .map((f) => path.relative(root, f)).sort();
  return inputHash(root, ['tsconfig.json', 'package-lock.json', 'scripts/typecheck.js', ...files], {
    extra: [process.version, ...['typescript', '@types/node', '@types/jest'].map((n) => installedVersion(root, n))],
  });
}

/** Whether the last check that passed saw exactly the current inputs. */
function isUpToDate(root = ROOT) {
  const stamp = readStamp(path.join(root, STAMP));
  return stamp !== undefined && stamp === typecheckInputs(root);
}

function typecheck(force = false) {
  const started = Date.now();
  if (!force && isUpToDate()) {
    console.log(`typecheck: inputs unchanged since the last clean check (${readStamp(path.join(ROOT, STAMP))?.slice(0, 12)}): skipped, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  }
  clearStamp(path.join(ROOT, STAMP));
  const key = typecheckInputs();
  const r = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['--noEmit', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) return r.status ?? 1;
  writeStamp(path.join(ROOT, STAMP), key);
  console.log(`typecheck: tsc --noEmit passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

module.exports = { typecheck, typecheckInputs, isUpToDate, STAMP };

if (require.main === module) process.exitCode = typecheck(process.argv.includes('--force') || cacheDisabled());
