module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'onnx-format',
  rootDir: __dirname,
  // onnxruntime-node's output tensors need the main realm's typed arrays (see the file).
  testEnvironment: '<rootDir>/test/onnxruntime-environment.js',
};
