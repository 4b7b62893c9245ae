/**
 * Jest transpiles with swc (no type-check); `npm test` type-checks once with `tsc --noEmit`.
 * `sourceMaps: true`: swc returns the map apart and jest keeps it next to its cached transform, where stack
 * traces still find it. The default (a map inlined as base64) makes the cached transforms of the generated
 * CRD modules (imports/) 23 MB instead of 6 MB, which every test file reads and compiles again: about
 * 0.2 s per test file.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { sourceMaps: true, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['<rootDir>/test/support/fast-check-seed.js'],
  setupFilesAfterEnv: ['<rootDir>/test/support/remove-temp-dirs.ts'],
  // A temporary folder per run, reported on and removed at the end (see the file).
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  // Keeps module sources and V8 code cache from one test file to the next in a worker (see the file).
  runtime: '<rootDir>/test/support/runtime.js',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
