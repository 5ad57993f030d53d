module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'co-segmentation',
  rootDir: __dirname,
};
