module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'pseudo-masks',
  rootDir: __dirname,
};
