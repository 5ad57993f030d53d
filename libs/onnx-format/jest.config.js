module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'onnx-format',
  rootDir: __dirname,
};
