module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'tensor-runtime',
  rootDir: __dirname,
  // tfjs keeps its engine on globalThis; jest's between-file cleanup of globals only produces warnings here.
  testEnvironmentOptions: { globalsCleanup: 'off' },
};
