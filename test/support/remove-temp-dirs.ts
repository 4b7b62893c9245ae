// jest `setupFilesAfterEnv`: each test file's folders from `tempDir` (test/support/tmp.ts) go after its last test.
import { removeTempDirs } from './tmp';

afterAll(removeTempDirs);
