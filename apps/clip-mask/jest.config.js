module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'clip-mask',
  rootDir: __dirname,
};
