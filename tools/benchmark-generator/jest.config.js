module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'benchmark-generator',
  rootDir: __dirname,
};
