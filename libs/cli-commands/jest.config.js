module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'cli-commands',
  rootDir: __dirname,
};
