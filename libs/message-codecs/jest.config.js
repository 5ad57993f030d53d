module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'message-codecs',
  rootDir: __dirname,
};
