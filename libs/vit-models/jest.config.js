module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'vit-models',
  rootDir: __dirname,
};
