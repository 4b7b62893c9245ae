/**
 * Temporary folders for tests that are removed when the test file ends (`afterAll` in
 * test/support/remove-temp-dirs.ts, a jest `setupFilesAfterEnv`). They live under os.tmpdir(), which in a
 * jest run is the run's own folder (test/support/tmp-run.js): anything a test leaves there is reported at
 * the end of the run as a leak.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const made: string[] = [];

/** A new empty folder `<tmp>/<prefix>XXXXXX`, removed after the test file's last test. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes every folder `tempDir` made in this test file. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}
