module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'memory-bank-demo',
  rootDir: __dirname,
};
