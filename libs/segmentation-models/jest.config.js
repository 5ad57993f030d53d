module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'segmentation-models',
  rootDir: __dirname,
};
