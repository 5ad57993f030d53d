module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'model-backends',
  rootDir: __dirname,
};
