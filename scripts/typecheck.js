// @ts-check
/**
 * `npm run typecheck` (part of `npm test`): the type-check of every file tsconfig.json selects (lib, imports,
 * examples, test, bench), as `tsc --noEmit -p tsconfig.json` does, with one difference: the generated CRD
 * types in imports/ are parsed and used by the files that import them but get no semantic check of their own
 * here. jsii checks them in the package build that every `npm test` runs (scripts/build-package.js; strict,
 * with its own options), and their check is half of tsc's work on a clean clone (about 9 of 18 s of CPU).
 * Syntax errors, option errors and everything lib/, test/, examples/ and bench/ get from the CRD types are
 * still reported here.
 *
 * Skipped when the content key of its inputs (the files tsconfig.json selects, tsconfig.json itself, the npm
 * lockfile and the TypeScript and type packages' versions) equals the key of the last check that passed
 * (scripts/input-hash.js). A run that does check is incremental (TypeScript's builder, build/.tsbuildinfo-check:
 * files whose result cannot have changed are not checked again), but parses every file (about 5 s here).
 * A clone with no build-info yet (a fresh clone) starts from the one the last passing check on this machine
 * left (scripts/machine-cache.js, `typecheck/`): TypeScript names files in it relative to itself and compares
 * each file's content hash, so it checks again only the files that differ from that clone's and what they
 * affect. `--force` or `NO_BUILD_CACHE=1` always checks, from no build-info.
 */
'use strict';
const fs = require('fs');
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

/** Files that get no semantic check here (see the header): the generated CRD types. */
const UNCHECKED = path.join(ROOT, 'imports') + path.sep;

/** The machine cache's entry (step `typecheck`) for the build-info of the last passing check of any clone. */
const SEED = 'tsbuildinfo';

/**
 * Runs the check (TypeScript's incremental builder over tsconfig.json); returns the number of errors.
 * `fresh`: from no build-info.
 */
function check(fresh = false) {
  const ts = require('typescript');
  const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (/** @type {import('typescript').Diagnostic} */ d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); } };
  const parsed = /** @type {import('typescript').ParsedCommandLine} */ (ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.json'), { noEmit: true }, host));
  const buildInfo = /** @type {string} */ (parsed.options.tsBuildInfoFile);
  const machine = require('./machine-cache');
  if (fresh) fs.rmSync(buildInfo, { force: true });
  else if (!fs.existsSync(buildInfo)) {
    const seed = machine.readEntry('typecheck', SEED);
    if (seed) {
      fs.mkdirSync(path.dirname(buildInfo), { recursive: true });
      fs.writeFileSync(buildInfo, seed);
    }
  }
  const builder = ts.createIncrementalProgram({
    rootNames: parsed.fileNames, options: parsed.options, projectReferences: parsed.projectReferences,
    configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(parsed),
  });
  const unchecked = (/** @type {import('typescript').SourceFile} */ sf) => path.resolve(sf.fileName).startsWith(UNCHECKED);
  // The files a change can affect, as tsc finds them (their cached results are dropped), minus imports/.
  while (builder.getSemanticDiagnosticsOfNextAffectedFile(undefined, unchecked)) { /* results are kept by the builder */ }
  const diagnostics = [
    ...builder.getConfigFileParsingDiagnostics(), ...builder.getOptionsDiagnostics(), ...builder.getGlobalDiagnostics(),
    ...builder.getSyntacticDiagnostics(),
    ...builder.getSourceFiles().filter((sf) => !sf.isDeclarationFile && !unchecked(sf)).flatMap((sf) => builder.getSemanticDiagnostics(sf)),
  ];
  builder.emit(); // noEmit: writes only the build-info, for the next incremental run
  if (diagnostics.length === 0) machine.writeEntry('typecheck', SEED, fs.readFileSync(buildInfo)); // the next fresh clone's start
  if (diagnostics.length > 0) {
    const formatHost = { getCanonicalFileName: (/** @type {string} */ f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => ts.sys.newLine };
    const sorted = ts.sortAndDeduplicateDiagnostics(diagnostics);
    process.stdout.write(process.stdout.isTTY ? ts.formatDiagnosticsWithColorAndContext(sorted, formatHost) : ts.formatDiagnostics(sorted, formatHost));
  }
  return diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).length;
}

function typecheck(force = false) {
  const started = Date.now();
  if (!force && isUpToDate()) {
    console.log(`typecheck: inputs unchanged since the last clean check (${readStamp(path.join(ROOT, STAMP))?.slice(0, 12)}): skipped, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  }
  clearStamp(path.join(ROOT, STAMP));
  const key = typecheckInputs();
  const errors = check(force);
  if (errors > 0) {
    console.log(`typecheck: ${errors} error${errors === 1 ? '' : 's'}`);
    return 1;
  }
  writeStamp(path.join(ROOT, STAMP), key);
  console.log(`typecheck: passed (lib, examples, test, bench; imports/ parsed, checked by jsii) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

module.exports = { typecheck, typecheckInputs, isUpToDate, STAMP };

if (require.main === module) process.exitCode = typecheck(process.argv.includes('--force') || cacheDisabled());
