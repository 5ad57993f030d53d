/**
 * Equal for wasm. The stock comparison kernels walk a generic element-by-element broadcast loop:
 * the gradient of max / min (`equal(x, max(x, axis, keepDims))`, the dense contrastive loss's row
 * maximum: [210,210] against [210,1]) ran at ~70 ns an element, ~60x a broadcast Sub. Float32
 * operands of different shapes take one pass in TypeScript over the heap instead: the last axis as
 * an inner loop, the others as an odometer. Everything else stays on the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { isWasmBackend } from './host';
import { callWasmKernel } from './wasm-ops';

/** Element strides of x (rank-aligned to outShape from the right), 0 along broadcast axes. */
function broadcastStrides(shape: number[], outShape: number[]): number[] {
  const strides = new Array<number>(outShape.length).fill(0);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = i + outShape.length - shape.length;
    strides[d] = shape[i] === 1 ? 0 : stride;
    stride *= shape[i];
  }
  return strides;
}

export const equalWasm: KernelFunc = ({ inputs, backend }) => {
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const sameShape = a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
  if (!isWasmBackend(backend) || a.dtype !== 'float32' || b.dtype !== 'float32' || sameShape) {
    return callWasmKernel(tf.Equal, backend, inputs);
  }
  const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  const out = backend.makeOutput(outShape, 'bool');
  const size = tf.util.sizeFromShape(outShape);
  if (size === 0) return out;
  const av = backend.typedArrayFromHeap(a) as Float32Array;
  const bv = backend.typedArrayFromHeap(b) as Float32Array;
  const ov = backend.typedArrayFromHeap(out) as Uint8Array;
  const rank = outShape.length; // >= 1: different shapes
  const sa = broadcastStrides(a.shape, outShape);
  const sb = broadcastStrides(b.shape, outShape);
  const inner = outShape[rank - 1];
  const [ia, ib] = [sa[rank - 1], sb[rank - 1]];
  const index = new Array<number>(rank - 1).fill(0);
  let pa = 0;
  let pb = 0;
  for (let o = 0; o < size; o += inner) {
    for (let j = 0, qa = pa, qb = pb; j < inner; j++, qa += ia, qb += ib) ov[o + j] = +(av[qa] === bv[qb]); // branch-free
    // Next row: advance the odometer over the outer axes.
    for (let d = rank - 2; d >= 0; d--) {
      index[d]++;
      pa += sa[d];
      pb += sb[d];
      if (index[d] < outShape[d]) break;
      pa -= sa[d] * outShape[d];
      pb -= sb[d] * outShape[d];
      index[d] = 0;
    }
  }
  return out;
};
