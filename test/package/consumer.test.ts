/**
 * What a user gets from the published package: `npm pack` the jsii build, install the tarball into a fresh
 * cdk8s app in a temp folder, compile that app with the tsconfig `cdk8s init typescript-app` writes, run
 * `cdk8s synth` on it and validate what it wrote. The same compile checks every TypeScript snippet of
 * README.md and docs/*.md against the installed package (conventions: test/docs/snippets.ts), and every
 * declaration file the app reaches (the template leaves skipLibCheck off, so the app's tsc does). A type-check
 * that passed is not repeated while nothing it reads changed (`compileKey`).
 *
 * No network: the tarball is installed by npm from the file, and the peers (cdk8s, cdk8s-plus-27,
 * constructs) are linked from this repository's node_modules, the versions `npm ci` installed; the test
 * checks that they satisfy the package's peer ranges.
 */
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import * as ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { allSnippets, Snippet, snippetModule } from '../docs/snippets';
import { expectValid } from '../harness';
import { ensurePackageBuilt, ROOT } from './build';
/* eslint-disable @typescript-eslint/no-require-imports */
const { inputHash } = require('../../scripts/input-hash.js') as {
  inputHash: (root: string, paths: string[], options?: { filter?: (relPath: string) => boolean; extra?: string[] }) => string;
};
const machineCache = require('../../scripts/machine-cache.js') as {
  readEntry: (step: string, key: string) => Buffer | undefined;
  writeEntry: (step: string, key: string, data: string | Uint8Array) => void;
};
/* eslint-enable @typescript-eslint/no-require-imports */

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** The environment for a nested npm: without the npm_* variables `npm test` sets for its own script. */
function cleanEnv(): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig']);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if ((/^npm_/i.test(k) && !keep.has(k.toLowerCase())) || k === 'INIT_CWD') continue;
    env[k] = v;
  }
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
}

function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, env: cleanEnv(), encoding: 'utf8', stdio: 'pipe' });
  } catch (e: any) {
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** The file in a consumer install cache naming the repository it belongs to. */
const OWNER = 'repository';

/**
 * Removes the consumer install caches of clones that no longer exist (each clone keeps one install, about
 * 24 MB, in the shared temporary folder; CI clones come and go). A cache without an owner file (older
 * layouts, or leftovers of a killed run) goes when it is a day old.
 */
function pruneOtherInstalls(cacheRoot: string): void {
  const base = path.dirname(cacheRoot);
  for (const e of fs.readdirSync(base)) {
    const dir = path.join(base, e);
    if (!e.startsWith('cdk8s-gpu-platform-consumer-') || dir === cacheRoot) continue;
    try {
      const owner = fs.existsSync(path.join(dir, OWNER)) ? fs.readFileSync(path.join(dir, OWNER), 'utf8') : undefined;
      const gone = owner !== undefined ? !fs.existsSync(path.join(owner, 'package.json')) : Date.now() - fs.statSync(dir).mtimeMs > 86_400_000;
      if (gone) fs.rmSync(dir, { recursive: true, force: true });
    } catch { /* another run removed it */ }
  }
}

/**
 * The consumer app's node_modules: the tarball installed by npm (offline), the peers and @types/node linked
 * from this repository. Installed once per tarball content (the tarball is byte-for-byte reproducible, so its
 * SHA-256 is the key) into a cache outside the repository (a node_modules under it would let the package
 * resolve this repository's dependencies); NO_BUILD_CACHE=1 installs afresh. Returns the folder.
 */
function installedNodeModules(tarball: string): string {
  const key = crypto.createHash('sha256').update(fs.readFileSync(tarball)).update(process.version).digest('hex').slice(0, 32);
  // The real temporary folder, not the run's (test/support/tmp-run.js), which goes at the end of the run.
  const cacheRoot = path.join(process.env.TEST_CACHE_TMPDIR ?? os.tmpdir(), `cdk8s-gpu-platform-consumer-${crypto.createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}`);
  const cached = path.join(cacheRoot, key);
  const complete = path.join(cached, 'node_modules', 'cdk8s-gpu-platform', 'package.json');
  if (/^(1|true|yes)$/i.test(process.env.NO_BUILD_CACHE ?? '')) fs.rmSync(cached, { recursive: true, force: true });
  if (fs.existsSync(complete)) return path.join(cached, 'node_modules');

  fs.mkdirSync(cacheRoot, { recursive: true });
  pruneOtherInstalls(cacheRoot);
  const scratch = fs.mkdtempSync(path.join(cacheRoot, 'install-'));
  fs.copyFileSync(tarball, path.join(scratch, path.basename(tarball)));
  fs.writeFileSync(path.join(scratch, 'package.json'), JSON.stringify({
    name: 'my-platform', version: '1.0.0', private: true,
    dependencies: { 'cdk8s-gpu-platform': `file:./${path.basename(tarball)}` },
  }, null, 2));
  // --legacy-peer-deps: npm leaves the peers alone (no registry); they are linked below.
  run('npm', ['install', '--offline', '--legacy-peer-deps', '--ignore-scripts', '--no-package-lock'], scratch);
  const nodeModules = path.join(scratch, 'node_modules');
  for (const peer of Object.keys(pkg.peerDependencies)) {
    fs.symlinkSync(path.join(ROOT, 'node_modules', peer), path.join(nodeModules, peer), 'dir');
  }
  // The template's dev dependency that snippets may use (console, process).
  fs.mkdirSync(path.join(nodeModules, '@types'));
  fs.symlinkSync(path.join(ROOT, 'node_modules', '@types', 'node'), path.join(nodeModules, '@types', 'node'), 'dir');
  // Older installs go; the new one appears whole (a rename) or not at all, so a killed run leaves no half install.
  for (const e of fs.readdirSync(cacheRoot)) if (e !== path.basename(scratch)) fs.rmSync(path.join(cacheRoot, e), { recursive: true, force: true });
  fs.writeFileSync(path.join(cacheRoot, OWNER), ROOT);
  fs.renameSync(scratch, cached);
  return path.join(cached, 'node_modules');
}

/** The version of the npm that `npm` runs, if found next to node (part of the pack key). */
function npmVersion(): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

/**
 * `npm pack` of the repository into `dest`: its JSON report (file name, files). The tarball is byte for byte
 * reproducible, so one packed before from the same inputs, by this clone or another, is reused (the machine
 * cache, scripts/machine-cache.js, `pack/`): the key covers every top-level file (package.json, the lockfile
 * for the bundled dependencies, README, LICENSE, API.md, `.jsii`, `validation.js`, ...), build/package/ and
 * bin/, more than npm reads. NO_BUILD_CACHE=1 packs afresh.
 */
function pack(dest: string): { filename: string; files: Array<{ path: string }> } {
  const topLevel = fs.readdirSync(ROOT, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name).sort();
  const key = inputHash(ROOT, [...topLevel, 'build/package', 'bin'], { extra: [process.version, `npm@${npmVersion()}`] });
  if (!/^(1|true|yes)$/i.test(process.env.NO_BUILD_CACHE ?? '')) {
    const report = machineCache.readEntry('pack', `${key}.json`);
    const tarball = machineCache.readEntry('pack', `${key}.tgz`);
    if (report && tarball) {
      const packed = JSON.parse(report.toString('utf8'));
      fs.writeFileSync(path.join(dest, packed.filename), tarball);
      return packed;
    }
  }
  const [packed] = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dest], ROOT));
  const result = { filename: packed.filename, files: packed.files };
  machineCache.writeEntry('pack', `${key}.tgz`, fs.readFileSync(path.join(dest, packed.filename)));
  machineCache.writeEntry('pack', `${key}.json`, JSON.stringify(result));
  return result;
}

/**
 * The key of the consumer app's type-check: everything it reads and how its result is judged. The installed
 * package's declaration files and package.json files (its .js files do not affect types), the app's root files
 * and tsconfig, this repository's lockfile (the peers and @types/node are linked from its node_modules), the
 * TypeScript version, and this test file and test/docs/snippets.ts. A check
 * that passed is remembered by it (the machine cache, scripts/machine-cache.js, `consumer-compile/`): an edit
 * inside a function body changes no declaration, so the same check is not run again. NO_BUILD_CACHE=1 always
 * checks.
 */
function compileKey(app: string, roots: string[]): string {
  return inputHash(path.join(app, 'node_modules', 'cdk8s-gpu-platform'), ['.'], {
    filter: (f) => f.endsWith('.d.ts') || path.basename(f) === 'package.json',
    extra: [ts.version, fs.readFileSync(path.join(app, 'tsconfig.json'), 'utf8'), fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'),
      // The checks themselves: this file (which diagnostics count) and the snippet conventions.
      fs.readFileSync(__filename, 'utf8'), fs.readFileSync(path.join(__dirname, '..', 'docs', 'snippets.ts'), 'utf8'),
      ...roots.flatMap((f) => [path.relative(app, f), fs.readFileSync(f, 'utf8')])],
  });
}

/** `^x.y.z` (the only form our peer ranges use): same major, at least x.y.z. */
function satisfiesCaret(version: string, range: string): boolean {
  const m = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range);
  if (!m) throw new Error(`peer range ${range}: only ^x.y.z is supported here`);
  const want = m.slice(1).map(Number);
  const have = version.split(/[.-]/).slice(0, 3).map(Number);
  if (have[0] !== want[0]) return false;
  for (let i = 1; i < 3; i++) if (have[i] !== want[i]) return have[i] > want[i];
  return true;
}

function formatDiagnostics(diags: readonly ts.Diagnostic[], where: (d: ts.Diagnostic) => string): string {
  return diags.map((d) => `${where(d)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`).join('\n');
}

/** The names the installed package's `.jsii` assembly gives the root module: its types and submodules. */
function assemblyRootNames(packageDir: string): string[] {
  let assembly = JSON.parse(fs.readFileSync(path.join(packageDir, '.jsii'), 'utf8'));
  if (assembly.schema === 'jsii/file-redirect') {
    assembly = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(packageDir, assembly.filename))).toString('utf8'));
  }
  const prefix = `${assembly.name}.`;
  const root = (fqn: string) => fqn.startsWith(prefix) && !fqn.slice(prefix.length).includes('.') ? [fqn.slice(prefix.length)] : [];
  return [...Object.keys(assembly.types ?? {}).flatMap(root), ...Object.keys(assembly.submodules ?? {}).flatMap(root)].sort();
}

/** TypeScript's "declared but never used" diagnostics: a snippet shows one thing and may leave names unused. */
const UNUSED = new Set([6133, 6138, 6192, 6196, 6198, 6199, 6205]);

describe('the packed package in a fresh cdk8s app', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-gpu-platform-consumer-'));
  const app = path.join(work, 'my-platform');
  const mainFile = path.join(app, 'main.ts');
  const snippets = allSnippets(ROOT);
  const quickStart = snippets.find((s) => s.app);
  let files: string[] = [];
  let rootNames: string[] = [];
  /** Snippet module file -> its snippet and hidden line count. */
  const snippetFiles = new Map<string, { snippet: Snippet; hiddenLines: number }>();
  let program: ts.Program | undefined;
  let options: ts.CompilerOptions | undefined;
  /** The options of the tsconfig `cdk8s init typescript-app` writes. */
  const appOptions = (): ts.CompilerOptions => (options ??= ts.getParsedCommandLineOfConfigFile(path.join(app, 'tsconfig.json'), {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!.options);
  /**
   * One program for main.ts (the quick start) and every snippet (parsing the package's declarations once),
   * with that tsconfig: what a user who pastes a snippet into that app gets.
   */
  const consumerProgram = (): ts.Program => (program ??= ts.createProgram({ rootNames: [mainFile, ...snippetFiles.keys()], options: appOptions() }));
  /** Whether a check of the same inputs passed before (see compileKey), and recording that one passed. */
  let key: string | undefined;
  const entry = (check: string) => `${(key ??= compileKey(app, [mainFile, ...snippetFiles.keys()]))}-${check}`;
  const passedBefore = (check: string) => !/^(1|true|yes)$/i.test(process.env.NO_BUILD_CACHE ?? '') && machineCache.readEntry('consumer-compile', entry(check)) !== undefined;
  const recordPass = (check: string) => machineCache.writeEntry('consumer-compile', entry(check), '');

  beforeAll(() => {
    ensurePackageBuilt();
    const packed = pack(work);
    files = packed.files.map((f: { path: string }) => f.path);
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({
      name: 'my-platform', version: '1.0.0', private: true,
      dependencies: { 'cdk8s-gpu-platform': `file:../${packed.filename}` },
    }, null, 2));
    fs.symlinkSync(installedNodeModules(path.join(work, packed.filename)), path.join(app, 'node_modules'), 'dir');
    // What `cdk8s init typescript-app` writes, with the app precompiled instead of run by ts-node.
    fs.copyFileSync(path.join(ROOT, 'node_modules', 'cdk8s-cli', 'templates', 'typescript-app', 'tsconfig.json'), path.join(app, 'tsconfig.json'));
    // The package's validation plugin, as docs/validation.md tells users to name it.
    fs.writeFileSync(path.join(app, 'cdk8s.yaml'), 'language: typescript\napp: node main.js\nvalidations:\n'
      + '  - package: ./node_modules/cdk8s-gpu-platform/validation\n    version: 0.1.0\n    class: GpuPlatformValidation\n');
    fs.writeFileSync(mainFile, quickStart?.code ?? '');

    // The names a fragment's hidden preamble imports: every root export, read from the installed assembly.
    rootNames = assemblyRootNames(path.join(app, 'node_modules', 'cdk8s-gpu-platform'));
    const dir = path.join(app, 'snippets');
    fs.mkdirSync(dir);
    snippets.filter((sn) => !sn.skip).forEach((sn, i) => {
      const { source, hiddenLines } = snippetModule(sn, rootNames);
      const file = path.join(dir, `${sn.file.replace(/[^\w]+/g, '_')}_${sn.line}_${i}.ts`);
      fs.writeFileSync(file, source);
      snippetFiles.set(file, { snippet: sn, hiddenLines });
    });
  }, 600_000);

  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('the tarball holds the jsii build, its assembly, the docs and the license; no sources or tests', () => {
    for (const f of ['package.json', 'README.md', 'LICENSE', 'API.md', '.jsii', '.jsii.gz', pkg.main, pkg.types]) {
      expect({ file: f, packed: files.includes(f) }).toEqual({ file: f, packed: true });
    }
    // Bundled dependencies (ajv, yaml: the validator's) ship as their authors publish them.
    expect(files.filter((f) => !f.startsWith('node_modules/') && /^(test|examples|bench|scripts)\/|(?<!\.d)\.ts$/.test(f))).toEqual([]);
    const installed = JSON.parse(fs.readFileSync(path.join(app, 'node_modules', 'cdk8s-gpu-platform', 'package.json'), 'utf8'));
    expect(installed.engines.node).toMatch(/^>=\s*20/);
    // The assembly is what jsii-pacmak would turn into Python, Java, .NET and Go packages.
    expect(rootNames).toEqual(expect.arrayContaining(['TenantNamespace', 'GpuInferenceService', 'CanaryRollout', 'rollouts']));
  });

  test('the peers this repository installs satisfy the package\'s peer ranges', () => {
    for (const [peer, range] of Object.entries<string>(pkg.peerDependencies)) {
      const { version } = JSON.parse(fs.readFileSync(path.join(app, 'node_modules', peer, 'package.json'), 'utf8'));
      expect({ peer, version, range, ok: satisfiesCaret(version, range) }).toEqual({ peer, version, range, ok: true });
    }
  });

  test('the README quick start compiles with the cdk8s init tsconfig and `cdk8s synth` writes valid manifests', () => {
    expect(quickStart).toBeDefined();
    if (!passedBefore('quick-start')) {
      const program = consumerProgram();
      const main = program.getSourceFile(mainFile)!;
      const diags = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics(),
        ...program.getSyntacticDiagnostics(main), ...program.getSemanticDiagnostics(main)];
      const at = (d: ts.Diagnostic) => `README.md:${quickStart!.line + (d.file ? d.file.getLineAndCharacterOfPosition(d.start ?? 0).line : 0)}`;
      if (diags.length > 0) throw new Error(`the quick start does not compile:\n${formatDiagnostics(diags, at)}`);
      recordPass('quick-start');
    }
    // The JavaScript of one type-checked file, as tsc writes it (main.js next to main.ts; no type is needed).
    const emitted = ts.transpileModule(fs.readFileSync(mainFile, 'utf8'), { compilerOptions: appOptions(), fileName: mainFile, reportDiagnostics: true });
    expect(emitted.diagnostics).toEqual([]);
    fs.writeFileSync(path.join(app, 'main.js'), emitted.outputText);

    run(process.execPath, [path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth', '--no-check-upgrade'], app);
    const dist = path.join(app, 'dist');
    const manifests = fs.readdirSync(dist).filter((f) => f.endsWith('.yaml')).sort()
      .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dist, f), 'utf8')).map((d) => d.toJSON()))
      .filter((m) => m);
    expect(manifests.map((m: any) => m.kind)).toEqual(expect.arrayContaining(['Namespace', 'ResourceQuota', 'Deployment', 'Service']));
    expectValid(manifests);
  }, 120_000);

  test('the declaration files the app reads type-check with the cdk8s init tsconfig (no skipLibCheck, as the app\'s tsc)', () => {
    // The template leaves skipLibCheck off, so `npm run compile` checks every .d.ts the app reaches: the package's
    // (lib/ and the CRD modules), its peers' and the default library (es2016). The other tests look at the app's
    // own files only.
    expect(appOptions().skipLibCheck).toBeFalsy();
    if (passedBefore('declarations')) return;
    const program = consumerProgram();
    const declarations = program.getSourceFiles().filter((sf) => sf.isDeclarationFile);
    // (TypeScript names the installed files by their real path: node_modules is a link to the cached install.)
    const ours = declarations.map((sf) => sf.fileName.replace(/\\/g, '/')).filter((f) => f.includes('/node_modules/cdk8s-gpu-platform/'));
    expect(ours).toEqual(expect.arrayContaining([expect.stringMatching(`/node_modules/cdk8s-gpu-platform/${pkg.types}$`),
      expect.stringMatching('/node_modules/cdk8s-gpu-platform/build/package/imports/')]));
    const diags = declarations.flatMap((sf) => program.getSemanticDiagnostics(sf));
    // Named from the app's node_modules on (the install's real path is a cache folder).
    const where = (d: ts.Diagnostic) => (d.file
      ? `${d.file.fileName.replace(/\\/g, '/').replace(/^.*?\/(node_modules\/)/, '$1')}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
      : 'tsc');
    expect(formatDiagnostics(diags, where)).toBe('');
    recordPass('declarations');
  }, 120_000);

  test('the installed validator: `cdk8s synth` ran the plugin, and the command validates dist/ with the bundled schemas only', () => {
    expect(files).toEqual(expect.arrayContaining(['validation.js', 'validation.d.ts', 'bin/cdk8s-gpu-platform.js', 'build/package/lib/validation/schemas.json']));
    // The quick start's synth (above) passed the plugin; a broken manifest fails the command with exit code 1.
    const bin = path.join(app, 'node_modules', '.bin', 'cdk8s-gpu-platform');
    const env: NodeJS.ProcessEnv = cleanEnv();
    delete env.CRDS_DIR; // no ../shared: the package's own bundle
    const report = JSON.parse(execFileSync(bin, ['validate', 'dist', '--json'], { cwd: app, env, encoding: 'utf8' }));
    expect(report.summary).toEqual(expect.objectContaining({ errors: 0 }));
    expect(report.summary.objects).toBeGreaterThan(3);
    expect(report.schemas.crds.map((c: any) => `${c.project} ${c.version}`)).toEqual(expect.arrayContaining(['argo-cd v3.5.1', 'lws commit 060ab4da17ee']));
    const bad = path.join(work, 'bad');
    fs.mkdirSync(bad, { recursive: true });
    fs.writeFileSync(path.join(bad, 'lws.yaml'), 'apiVersion: leaderworkerset.x-k8s.io/v1\nkind: LeaderWorkerSet\nmetadata:\n  name: x\nspec:\n  leaderWorkerTemplate:\n    size: two\n');
    let status = 0;
    let stdout = '';
    try {
      execFileSync(bin, ['validate', bad], { cwd: app, env, encoding: 'utf8' });
    } catch (e: any) {
      status = e.status;
      stdout = e.stdout;
    }
    expect(status).toBe(1);
    expect(stdout).toContain('error   crd: spec.leaderWorkerTemplate.size: must be integer');
    // The function form, from the user's own code.
    const fn = execFileSync(process.execPath, ['-e', "const v = require('cdk8s-gpu-platform/validation'); console.log(typeof v.validate, typeof v.GpuPlatformValidation)"], { cwd: app, env, encoding: 'utf8' });
    expect(fn.trim()).toBe('function function');
  }, 120_000);

  test('every TypeScript snippet of README.md and docs/*.md compiles against the installed package', () => {
    expect(snippetFiles.size).toBeGreaterThan(5);
    if (passedBefore('snippets')) return;
    const program = consumerProgram();
    const diags = [...snippetFiles.keys()].flatMap((f) => {
      const sf = program.getSourceFile(f)!;
      return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].filter((d) => !UNUSED.has(d.code));
    });
    const at = (d: ts.Diagnostic) => {
      const entry = d.file && snippetFiles.get(path.resolve(d.file.fileName));
      if (!entry) return d.file?.fileName ?? 'tsc';
      const line = d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line - entry.hiddenLines;
      return line < 0 ? `${entry.snippet.file}:${entry.snippet.line} (setup)` : `${entry.snippet.file}:${entry.snippet.line + line}`;
    };
    const report = formatDiagnostics(diags, at).split('\n').filter(Boolean)
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).join('\n');
    expect(report).toBe('');
    recordPass('snippets');
  }, 120_000);
});
