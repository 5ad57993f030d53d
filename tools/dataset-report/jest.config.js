module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'dataset-report',
  rootDir: __dirname,
};
