module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'memory-archive',
  rootDir: __dirname,
};
