/** Jest transpiles with swc (no type-check); `npm test` type-checks once with `tsc --noEmit`. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['<rootDir>/test/support/fast-check-seed.js'],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
