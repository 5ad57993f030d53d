module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'train-foundation',
  rootDir: __dirname,
};
