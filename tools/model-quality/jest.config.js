module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'model-quality',
  rootDir: __dirname,
};
