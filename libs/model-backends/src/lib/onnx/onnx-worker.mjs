// Worker thread of the onnx backend: owns one onnxruntime-node InferenceSession and runs it, so that
// the service's main thread (gRPC, health checks, deadlines) never blocks on a model.
// Plain JavaScript on purpose: a worker file must load under plain Node, whatever runs the parent
// (tsx, jest, a bundle).
//
// Protocol (parent -> worker):  { type: 'run', id, inputs: { name: {dtype, shape, data} }, outputs }
// Worker -> parent: { type: 'ready', inputs, outputs }          once the session is loaded
//                   { type: 'load-error', message }               if it could not be loaded
//                   { type: 'result', id, outputs }               tensors' buffers are transferred
//                   { type: 'run-error', id, message }
import { parentPort, workerData } from 'node:worker_threads';
import ort from 'onnxruntime-node';

const ORT_TYPE_OF_DTYPE = { float32: 'float32', int32: 'int32', int64: 'int64', uint8: 'uint8', bool: 'bool' };
const DTYPE_OF_ORT_TYPE = { float32: 'float32', int32: 'int32', int64: 'int64', uint8: 'uint8', bool: 'bool' };

function describe(values) {
  return values.map((value) =>
    value.isTensor
      ? {
          name: value.name,
          dtype: DTYPE_OF_ORT_TYPE[value.type] ?? `unsupported:${value.type}`,
          shape: value.shape.map((dim) => (typeof dim === 'number' && dim >= 0 ? dim : null)),
        }
      : { name: value.name, dtype: 'unsupported:non-tensor', shape: [] },
  );
}

function toOrtTensor(tensor) {
  const data = tensor.dtype === 'bool' ? new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.length) : tensor.data;
  return new ort.Tensor(ORT_TYPE_OF_DTYPE[tensor.dtype], data, tensor.shape);
}

function fromOrtTensor(value) {
  const dtype = DTYPE_OF_ORT_TYPE[value.type];
  if (dtype === undefined) throw new Error(`output of unsupported type ${value.type}`);
  let data = value.data;
  if (dtype === 'bool') data = Uint8Array.from(data, (v) => (v ? 1 : 0));
  // Copy out of onnxruntime's buffer so it can be transferred whole.
  else data = data.slice();
  return { dtype, shape: Array.from(value.dims), data };
}

async function main() {
  const { modelPath, intraOpThreads, interOpThreads } = workerData;
  let session;
  try {
    session = await ort.InferenceSession.create(modelPath, {
      executionProviders: ['cpu'],
      intraOpNumThreads: intraOpThreads,
      interOpNumThreads: interOpThreads,
      graphOptimizationLevel: 'all',
    });
  } catch (error) {
    parentPort.postMessage({ type: 'load-error', message: String(error?.message ?? error) });
    return;
  }
  parentPort.postMessage({
    type: 'ready',
    inputs: describe(session.inputMetadata),
    outputs: describe(session.outputMetadata),
  });

  parentPort.on('message', async (message) => {
    if (message.type !== 'run') return;
    try {
      const feeds = {};
      for (const [name, tensor] of Object.entries(message.inputs)) feeds[name] = toOrtTensor(tensor);
      const results = message.outputs ? await session.run(feeds, message.outputs) : await session.run(feeds);
      const outputs = {};
      const transfer = [];
      for (const [name, value] of Object.entries(results)) {
        outputs[name] = fromOrtTensor(value);
        transfer.push(outputs[name].data.buffer);
        value.dispose?.();
      }
      parentPort.postMessage({ type: 'result', id: message.id, outputs }, transfer);
    } catch (error) {
      parentPort.postMessage({ type: 'run-error', id: message.id, message: String(error?.message ?? error) });
    }
  });
}

main();
