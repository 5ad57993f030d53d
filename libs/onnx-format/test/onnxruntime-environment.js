// Jest environment for tests that run onnxruntime-node in-process.
//
// Jest runs each test file in its own vm context, with its own typed array constructors. The native
// binding makes output tensors' arrays in Node's main realm, and onnxruntime-common (loaded inside
// the test's context) checks `data instanceof Float32Array` against the context's constructor, so
// every run fails with "A float32 tensor's data must be type of function Float32Array()". This
// environment gives the test context the main realm's typed arrays, as a plain Node process has.
const { TestEnvironment } = require('jest-environment-node');

const SHARED_GLOBALS = [
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
];

class OnnxRuntimeEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED_GLOBALS) this.global[name] = globalThis[name];
  }
}

module.exports = OnnxRuntimeEnvironment;
