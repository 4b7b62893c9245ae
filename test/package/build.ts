/**
 * The package build (`npm run build:package`: jsii into build/package/ plus the `.jsii` assembly) that the
 * package and docs tests use. `npm test` builds it before jest; a jest run on its own builds it here when an
 * input changed since the last build (the content key in scripts/build-package.js); the build's lock makes
 * parallel test files build it once.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';

export const ROOT = path.join(__dirname, '..', '..');
export const ASSEMBLY = path.join(ROOT, '.jsii');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { isUpToDate } = require('../../scripts/build-package.js') as { isUpToDate: () => boolean };

/**
 * Makes sure build/package/ and `.jsii` reflect the sources (builds them if not); returns the root. The build
 * takes a lock (scripts/build-package.js): parallel test files and `npm test`'s own build run it once.
 */
export function ensurePackageBuilt(): string {
  if (isUpToDate()) return ROOT;
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-package.js')], { cwd: ROOT, stdio: 'pipe' });
  } catch (e: any) {
    throw new Error(`npm run build:package failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
  return ROOT;
}
