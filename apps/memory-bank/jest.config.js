module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'memory-bank',
  rootDir: __dirname,
};
