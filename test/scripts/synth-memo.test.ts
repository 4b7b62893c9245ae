/**
 * The replay of the app's last output by `npm run synth` (scripts/synth-memo.js): kept only when everything the app
 * observed can be checked again, replayed only while all of it is unchanged.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'synth-memo.js');

/** A fixture app: reads data.txt, $FOO and a module; writes out/; optionally reads the clock or writes elsewhere. */
function fixture(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-memo-'));
  const write = (rel: string, text: string) => fs.writeFileSync(path.join(root, rel), text);
  write('data.txt', 'one');
  write('lib.js', "exports.suffix = '!';\n");
  write('app.js', `const fs = require('fs');
const path = require('path');
exports.run = (out) => {
  const { suffix } = require('./lib');
  fs.mkdirSync(path.join(out, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(out, 'sub', 'a.yaml'), fs.readFileSync(path.join(__dirname, 'data.txt'), 'utf8') + (process.env.FOO ?? '') + suffix);
  process.stderr.write('Warning: something\\n');
  if (process.env.APP_CLOCK) fs.writeFileSync(path.join(out, 'time'), String(Date.now()));
  if (process.env.APP_OUTSIDE) fs.writeFileSync(path.join(__dirname, 'elsewhere'), 'x');
  if (process.env.APP_CHILD) require('child_process').execFileSync(process.execPath, ['-e', '0'], { env: {} });
  if (process.env.APP_LATE) void Promise.resolve().then(() => fs.writeFileSync(path.join(out, 'late'), 'x'));
};
`);
  write('run.js', `const fs = require('fs');
const path = require('path');
const memo = require(${JSON.stringify(SCRIPT)});
memo.watchResolutions();
const out = path.join(__dirname, 'out');
fs.rmSync(out, { recursive: true, force: true });
if (memo.replay('app', out)) console.log('replayed');
else memo.recordRun('app', out, () => require('./app').run(out)).then(() => console.log('ran'));
`);
  return root;
}

function synth(root: string, env: NodeJS.ProcessEnv = {}): { how: string; out: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(root, 'run.js')], {
    cwd: root, encoding: 'utf8', env: { ...process.env, FOO: 'x', ...env, CDK8S_SYNTH_MEMO_DIR: path.join(root, 'memo') },
  });
  if (r.status !== 0) throw new Error(r.stderr);
  const file = path.join(root, 'out', 'sub', 'a.yaml');
  return { how: r.stdout.trim(), out: fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '', stderr: r.stderr };
}

describe('synth memo', () => {
  let root: string;
  beforeEach(() => {
    root = fixture();
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  test('replays the same files and warnings while nothing the app read changed', () => {
    expect(synth(root)).toEqual({ how: 'ran', out: 'onex!', stderr: 'Warning: something\n' });
    expect(synth(root)).toEqual({ how: 'replayed', out: 'onex!', stderr: 'Warning: something\n' });
    // An environment variable it read.
    expect(synth(root, { FOO: 'y' })).toMatchObject({ how: 'ran', out: 'oney!' });
    expect(synth(root, { FOO: 'y' })).toMatchObject({ how: 'replayed', out: 'oney!' });
    // A file it read, even rewritten with the same bytes.
    fs.writeFileSync(path.join(root, 'data.txt'), 'one');
    expect(synth(root, { FOO: 'y' })).toMatchObject({ how: 'ran', out: 'oney!' });
    // A module it required, and a new file that `require('./lib')` finds first.
    fs.writeFileSync(path.join(root, 'lib.js'), "exports.suffix = '?';\n");
    expect(synth(root, { FOO: 'y' })).toMatchObject({ how: 'ran', out: 'oney?' });
    expect(synth(root, { FOO: 'y' })).toMatchObject({ how: 'replayed', out: 'oney?' });
    fs.writeFileSync(path.join(root, 'lib'), "exports.suffix = '#';\n");
    expect(synth(root, { FOO: 'y' })).toMatchObject({ how: 'ran', out: 'oney#' });
    // Turned off.
    expect(synth(root, { FOO: 'y', CDK8S_SYNTH_MEMO: '0' })).toMatchObject({ how: 'ran', out: 'oney#' });
  });

  test('keeps nothing from a run that read the clock, wrote outside its output, started a process or left work behind', () => {
    // Nothing kept: no entry is ever written.
    // APP_CHILD: a builtin first required during the run (watched when loaded, not before).
    for (const env of [{ APP_CLOCK: '1' }, { APP_OUTSIDE: '1' }, { APP_LATE: '1' }, { APP_CHILD: '1' }]) {
      expect(synth(root, env).how).toBe('ran');
      expect(fs.existsSync(path.join(root, 'memo', 'entries.json'))).toBe(false);
    }
  });
});
