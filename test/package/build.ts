/**
 * The package build (`npm run build:package`: jsii into build/package/ plus the `.jsii` assembly) that the
 * package and docs tests use. `npm test` builds it before jest; a jest run on its own rebuilds it here when a
 * source is newer than the assembly, under a lock so that parallel test files build it once.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const ROOT = path.join(__dirname, '..', '..');
export const ASSEMBLY = path.join(ROOT, '.jsii');
const LOCK = path.join(ROOT, 'build', '.package-build.lock');

/** What the package is built from: a change to any of these makes the assembly stale. */
function newestSource(): number {
  let newest = 0;
  const visit = (p: string) => {
    let st: fs.Stats;
    try { st = fs.statSync(p); } catch { return; }
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) visit(path.join(p, e));
    else if (/\.(ts|json|md)$/.test(p)) newest = Math.max(newest, st.mtimeMs);
  };
  // README.md is left out: jsii copies it into the assembly, but no test reads it there.
  for (const p of ['lib', 'imports', 'package.json', 'tsconfig.nonjsii.json']) visit(path.join(ROOT, p));
  return newest;
}

function isFresh(): boolean {
  try {
    return fs.statSync(ASSEMBLY).mtimeMs >= newestSource() && fs.existsSync(path.join(ROOT, 'build', 'package', 'lib', 'index.js'));
  } catch {
    return false;
  }
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Makes sure build/package/ and `.jsii` reflect the sources (builds them if not); returns the root. */
export function ensurePackageBuilt(): string {
  if (isFresh()) return ROOT;
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      break;
    } catch {
      // Another test file is building; a lock older than the deadline was left by a killed run.
      if (Date.now() > deadline) fs.rmSync(LOCK, { recursive: true, force: true });
      sleep(500);
    }
  }
  try {
    if (!isFresh()) execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-package.js')], { cwd: ROOT, stdio: 'pipe' });
  } catch (e: any) {
    throw new Error(`npm run build:package failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
  return ROOT;
}
