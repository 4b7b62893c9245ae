/**
 * The start-up snapshot of `npm run synth` (scripts/snapshot.js): what goes in, and that it is used only while
 * every input it was built from is unchanged; otherwise node loads the modules from disk as without it.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'snapshot.js');

/** Fixture modules: a -> b (reads FOO at its top level), d -> c (reads the clock at its top level). */
function fixture(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-snapshot-'));
  const write = (rel: string, text: string) => fs.writeFileSync(path.join(root, rel), text);
  write('a.js', "globalThis.__aEvaluations = (globalThis.__aEvaluations ?? 0) + 1;\nexports.b = require('./b');\nexports.name = 'a';\n");
  write('b.js', "exports.foo = process.env.FOO ?? 'unset';\nexports.text = require('fs').readFileSync(__dirname + '/data.txt', 'utf8');\n");
  write('data.txt', 'one');
  write('c.js', 'exports.at = Date.now();\n');
  write('d.js', "exports.c = require('./c');\n");
  write('e.js', "require('fs').writeFileSync = require('fs').writeFileSync;\n");
  write('main.js', [
    "const a = require('./a');",
    "const d = require('./d');",
    "const state = globalThis[Symbol.for('cdk8s-gpu-platform.synth-snapshot')];",
    'console.log(JSON.stringify({ used: state.valid, evaluations: globalThis.__aEvaluations, foo: a.b.foo, text: a.b.text, c: typeof d.c.at }));',
  ].join('\n'));
  return root;
}

/** Runs `build` of scripts/snapshot.js in a child process (it records by loading the modules). */
function build(root: string, env: NodeJS.ProcessEnv = {}): string {
  const code = `require(${JSON.stringify(SCRIPT)}).build({ verbose: true, entries: ['a.js', 'd.js', 'e.js'].map((f) => ${JSON.stringify(root)} + '/' + f) })`;
  const r = spawnSync(process.execPath, ['-e', code], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env, CDK8S_SYNTH_SNAPSHOT_DIR: path.join(root, 'snap') } });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

function run(root: string, env: NodeJS.ProcessEnv = {}): any {
  const r = spawnSync(process.execPath, ['--snapshot-blob', path.join(root, 'snap', 'synth.blob'), path.join(root, 'main.js')], {
    cwd: root, encoding: 'utf8', env: { ...process.env, ...env, CDK8S_SYNTH_SNAPSHOT_DIR: path.join(root, 'snap') },
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
}

/** What scripts/snapshot.js finds changed since the build (in a child: the module reads its folder at load). */
function changes(root: string, env: NodeJS.ProcessEnv = {}): string[] {
  const r = spawnSync(process.execPath, ['-e', `console.log(JSON.stringify(require(${JSON.stringify(SCRIPT)}).changes()))`], {
    cwd: root, encoding: 'utf8', env: { ...process.env, ...env, CDK8S_SYNTH_SNAPSHOT_DIR: path.join(root, 'snap') },
  });
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
}

describe('synth start-up snapshot', () => {
  let root: string;
  let built: string;
  beforeAll(() => {
    root = fixture();
    built = build(root, { FOO: 'x' });
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('keeps modules that read only what the key checks; leaves out the clock, changed built-ins and their importers', () => {
    expect(built).toMatch(/left out: .*c\.js \(Date\.now\)/);
    expect(built).toMatch(/left out: .*d\.js \(requires .*c\.js\)/);
    expect(built).toMatch(/left out: .*e\.js \(sets node:fs\.writeFileSync\)/);
    expect(built).toContain('snapshot: 2 modules, 3 left out');
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'snap', 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.files).sort()).toEqual([path.join(root, 'a.js'), path.join(root, 'b.js')]);
    expect(manifest.env).toEqual({ FOO: 'x' });
    expect(Object.keys(manifest.paths)).toContain(path.join(root, 'data.txt'));
  });

  test('is used while nothing changed, and not after any input changed', () => {
    // From the snapshot: a.js was evaluated once, when the snapshot was built.
    expect(run(root, { FOO: 'x' })).toEqual({ used: true, evaluations: 1, foo: 'x', text: 'one', c: 'number' });
    expect(changes(root, { FOO: 'x' })).toEqual([]);
    // Another value of an environment variable a top level read: everything loads from disk again.
    expect(run(root, { FOO: 'y' })).toEqual({ used: false, evaluations: 2, foo: 'y', text: 'one', c: 'number' });
    expect(run(root, { FOO: 'x', CDK8S_SYNTH_SNAPSHOT: '0' })).toMatchObject({ used: false, evaluations: 2 });
    // A file a top level read; a module rewritten with the same bytes; a new file that `require('./b')` finds first.
    fs.writeFileSync(path.join(root, 'data.txt'), 'two');
    expect(changes(root, { FOO: 'x' })).toEqual([path.join(root, 'data.txt')]);
    fs.writeFileSync(path.join(root, 'b.js'), fs.readFileSync(path.join(root, 'b.js')));
    expect(changes(root, { FOO: 'x' })).toEqual([path.join(root, 'b.js'), path.join(root, 'data.txt')]);
    fs.writeFileSync(path.join(root, 'b'), "exports.foo = 'shadow';");
    expect(changes(root, { FOO: 'x' })).toEqual([path.join(root, 'b.js'), root, path.join(root, 'data.txt')]);
    expect(run(root, { FOO: 'x' })).toMatchObject({ used: false, foo: 'shadow' });
  });
});
