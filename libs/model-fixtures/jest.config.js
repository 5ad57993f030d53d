module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'model-fixtures',
  rootDir: __dirname,
};
