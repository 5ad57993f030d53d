module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'step-training',
  rootDir: __dirname,
};
