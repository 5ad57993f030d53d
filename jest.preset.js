// Shared jest settings: every project's jest.config.js spreads this preset.
// @swc/jest strips types only; type errors are caught by each project's `typecheck` target.
const { pathsToModuleNameMapper } = require('./tools/ci/jest-paths.cjs');

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['**/?(*.)+(spec|test).ts'],
  moduleNameMapper: pathsToModuleNameMapper(),
  testTimeout: 60_000,
};
