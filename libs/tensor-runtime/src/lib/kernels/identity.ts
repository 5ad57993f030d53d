/**
 * Identity and same-dtype Cast for wasm without a copy. The engine clones every tensor it saves for
 * a backward pass (each conv input and filter, each GroupNorm input, ...) through Identity, and
 * the relu gradient casts its float mask to float; the stock wasm kernels copy the data, while cpu
 * and webgl share it by reference count (tensors are immutable), which is what these do, like the
 * stock wasm Reshape.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { callWasmKernel } from './wasm-ops';

function share(backend: unknown, x: TensorInfo): TensorInfo {
  (backend as tf.KernelBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

export const identityWasm: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as { x: TensorInfo };
  return x.dtype === 'string' ? callWasmKernel(tf.Identity, backend, inputs) : share(backend, x);
};

export const castWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  const { dtype } = attrs as unknown as { dtype: tf.DataType };
  return dtype === x.dtype && dtype !== 'string' ? share(backend, x) : callWasmKernel(tf.Cast, backend, inputs, attrs);
};
