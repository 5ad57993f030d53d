module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'training-jobs',
  rootDir: __dirname,
};
