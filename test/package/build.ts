/**
 * The package build (`npm run build:package`: jsii into build/package/ plus the `.jsii` assembly) that the
 * package and docs tests use. `npm test` builds it before jest; a jest run on its own builds it here when an
 * input changed since the last build (the content key in scripts/build-package.js), under a lock so that
 * parallel test files build it once.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const ROOT = path.join(__dirname, '..', '..');
export const ASSEMBLY = path.join(ROOT, '.jsii');
const LOCK = path.join(ROOT, 'build', '.package-build.lock');

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { isUpToDate } = require('../../scripts/build-package.js') as { isUpToDate: () => boolean };

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Makes sure build/package/ and `.jsii` reflect the sources (builds them if not); returns the root. */
export function ensurePackageBuilt(): string {
  if (isUpToDate()) return ROOT;
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
    if (!isUpToDate()) execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-package.js')], { cwd: ROOT, stdio: 'pipe' });
  } catch (e: any) {
    throw new Error(`npm run build:package failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
  return ROOT;
}
