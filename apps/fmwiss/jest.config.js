module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'fmwiss',
  rootDir: __dirname,
};
