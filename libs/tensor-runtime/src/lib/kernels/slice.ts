/**
 * Slice and SplitV for wasm. The stock Slice kernel reads its input with `backend.readSync`, which
 * copies the whole tensor out of the wasm heap on every call, and the stock SplitV calls it once per
 * piece: the gradient of a channel concat (every ASPP step) copies the feature map once per branch.
 * These read the heap in place and copy contiguous runs.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { isWasmBackend, type WasmBackendInternals } from './host';
import { callStockWasmKernel, transposeWasm } from './wasm-ops';

type Flat = Float32Array | Int32Array | Uint8Array;

function heapView(backend: WasmBackendInternals, info: TensorInfo): Flat {
  return backend.typedArrayFromHeap(info);
}

/** dst = src[begin : begin+size] for a row-major tensor of `shape`, copying maximal contiguous runs. */
function copySlice(src: Flat, shape: number[], begin: number[], size: number[], dst: Flat): void {
  const rank = shape.length;
  if (size.some((d) => d === 0)) return;
  if (rank === 0) {
    dst[0] = src[0];
    return;
  }
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let i = rank - 2; i >= 0; i--) strides[i] = strides[i + 1] * shape[i + 1];
  // Dims k..rank-1 form one contiguous run: every dim after k is taken whole.
  let k = rank - 1;
  let run = size[k];
  while (k > 0 && size[k] === shape[k]) {
    k -= 1;
    run *= size[k];
  }
  const base = begin[k] * strides[k];
  const idx = new Array<number>(k).fill(0);
  let dstOff = 0;
  for (;;) {
    let srcOff = base;
    for (let i = 0; i < k; i++) srcOff += (begin[i] + idx[i]) * strides[i];
    if (run >= 16) {
      dst.set(src.subarray(srcOff, srcOff + run), dstOff);
    } else {
      for (let j = 0; j < run; j++) dst[dstOff + j] = src[srcOff + j];
    }
    dstOff += run;
    let d = k - 1;
    while (d >= 0) {
      idx[d] += 1;
      if (idx[d] < size[d]) break;
      idx[d] = 0;
      d -= 1;
    }
    if (d < 0) return;
  }
}

function sliceOne(backend: WasmBackendInternals, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  copySlice(heapView(backend, x), x.shape, begin, size, heapView(backend, out));
  return out;
}

const HEAP_DTYPES = new Set(['float32', 'int32', 'bool']);

export const sliceWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const x = inputs.x as TensorInfo;
  if (!isWasmBackend(backend) || !HEAP_DTYPES.has(x.dtype)) return callStockWasmKernel(tf.Slice, backend, inputs, attrs);
  const a = attrs as unknown as { begin: number | number[]; size?: number | number[] };
  const [begin, size] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, a.begin, a.size);
  return sliceOne(backend, x, begin, size);
};

/**
 * x [..., k*s] -> k tensors [..., s] (the gradient of a channel concat): one stock Transpose
 * [P, k, s] -> [k, P, s], then one contiguous copy per piece, instead of P short runs per piece.
 */
function splitLastAxis(backend: WasmBackendInternals, x: TensorInfo, k: number): TensorInfo[] {
  const s = x.shape[x.shape.length - 1] / k;
  const P = tf.util.sizeFromShape(x.shape) / (k * s);
  const pieceShape = [...x.shape.slice(0, -1), s];
  const grouped = transposeWasm(backend, x, [P, k, s], [1, 0, 2]); // [k, P, s]
  const outs = Array.from({ length: k }, () => backend.makeOutput(pieceShape, x.dtype));
  const src = heapView(backend, grouped);
  outs.forEach((out, i) => heapView(backend, out).set(src.subarray(i * P * s, (i + 1) * P * s)));
  backend.disposeData(grouped.dataId);
  return outs;
}

export const splitVWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const x = inputs.x as TensorInfo;
  if (!isWasmBackend(backend) || !HEAP_DTYPES.has(x.dtype)) return callStockWasmKernel(tf.SplitV, backend, inputs, attrs);
  const a = attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
  const axis = tf.util.parseAxisParam(a.axis, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x, a.numOrSizeSplits, axis);
  const last = x.shape.length - 1;
  const equal = sizes.length > 1 && sizes[0] > 0 && sizes.every((s) => s === sizes[0]);
  if (x.dtype === 'float32' && axis === last && last > 0 && equal) return splitLastAxis(backend, x, sizes.length);
  const begin = new Array<number>(x.shape.length).fill(0);
  const outs: TensorInfo[] = [];
  for (const s of sizes) {
    const size = x.shape.slice();
    size[axis] = s;
    outs.push(sliceOne(backend, x, begin.slice(), size));
    begin[axis] += s;
  }
  return outs;
};
