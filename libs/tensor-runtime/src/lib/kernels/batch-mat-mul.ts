/**
 * BatchMatMul for wasm. The stock kernel is fast (XNNPACK) only for batch 1 without transposes and
 * falls back to a scalar loop otherwise, which is what every backward pass of a matmul hits. Here:
 * transposed operands are materialised once (C++ transpose), a shared right-hand side is folded into
 * one [B*M, K] x [K, N] matmul, and other batches run as one fast 2-D matmul per item.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { kernelHost, sizeOf, type KernelHost } from './host';
import { wasmKernelTuning } from './tuning';
import { callWasmKernel, matMul2d, stableRhs, transposeLast2d, view } from './wasm-ops';

/** Index into an operand's (broadcast) batch dims for flat output batch index `i`. */
function operandBatchIndex(i: number, outOuter: number[], inOuter: number[]): number {
  let index = 0;
  let stride = 1;
  let rest = i;
  const offset = outOuter.length - inOuter.length;
  for (let d = outOuter.length - 1; d >= 0; d--) {
    const coord = rest % outOuter[d];
    rest = Math.floor(rest / outOuter[d]);
    const inD = d - offset;
    if (inD >= 0) {
      const size = inOuter[inD];
      if (size !== 1) index += coord * stride;
      stride *= size;
    }
  }
  return index;
}

/** x as [batch, rows, cols] with the last two dims swapped when `transpose` (materialised). */
function asRowMajor3d(backend: unknown, x: TensorInfo, batch: number, transpose: boolean): { t: TensorInfo; owned: boolean } {
  const r = x.shape[x.shape.length - 2];
  const c = x.shape[x.shape.length - 1];
  if (!transpose) return { t: view(x, [batch, r, c]), owned: false };
  const t = transposeLast2d(backend, x, batch, r, c);
  return { t: view(t, [batch, c, r]), owned: true };
}

function sliceItem(host: KernelHost, src: TensorInfo, item: number, rows: number, cols: number): TensorInfo {
  const size = rows * cols;
  const out = host.alloc([rows, cols], 'float32', false);
  host.f32(out).set(host.f32(src).subarray(item * size, (item + 1) * size));
  return out;
}

/**
 * _FusedMatMul (tf.fused.matMul, tf.layers dense): the stock kernel, with the rhs shape guard of
 * `stableRhs` on its XNNPACK path (batch 1, no transposes), which shares the operator cache.
 */
export const fusedMatMulWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
  const xnnPath = !transposeA && !transposeB && sizeOf(a.shape.slice(0, -2)) === 1 && sizeOf(b.shape.slice(0, -2)) === 1;
  if (!xnnPath || b.dtype !== 'float32') return callWasmKernel(tf._FusedMatMul, backend, inputs, attrs);
  const host = kernelHost(backend);
  const K = b.shape[b.shape.length - 2];
  const N = b.shape[b.shape.length - 1];
  const rhs = stableRhs(host, b, K, N);
  try {
    return callWasmKernel(tf._FusedMatMul, backend, { ...inputs, b: rhs.owned ? view(rhs.t, b.shape) : b }, attrs);
  } finally {
    if (rhs.owned) host.dispose(rhs.t);
  }
};

export const batchMatMulWasm: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args;
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
  const stock = () => callWasmKernel(tf.BatchMatMul, backend, inputs, attrs);
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock();
  const aRank = a.shape.length;
  const bRank = b.shape.length;
  const M = transposeA ? a.shape[aRank - 1] : a.shape[aRank - 2];
  const K = transposeA ? a.shape[aRank - 2] : a.shape[aRank - 1];
  const Kb = transposeB ? b.shape[bRank - 1] : b.shape[bRank - 2];
  const N = transposeB ? b.shape[bRank - 2] : b.shape[bRank - 1];
  if (K !== Kb) {
    throw new Error(
      `Error in matMul: inner shapes (${K}) and (${Kb}) of tensors [${a.shape}] and [${b.shape}] ` +
        `(transposeA=${transposeA}, transposeB=${transposeB}) must match.`,
    );
  }
  const aOuter = a.shape.slice(0, -2);
  const bOuter = b.shape.slice(0, -2);
  const outOuter = tf.broadcast_util.assertAndGetBroadcastShape(aOuter, bOuter);
  const outShape = [...outOuter, M, N];
  const batchA = sizeOf(aOuter);
  const batchB = sizeOf(bOuter);
  const batch = sizeOf(outOuter);
  if (M === 0 || N === 0 || K === 0 || batch === 0) return stock();
  if (!transposeA && !transposeB && batchA === 1 && batchB === 1) {
    // The stock fast path, behind the rhs shape guard of matMul2d.
    const out = matMul2d(backend, view(a, [M, K]), view(b, [K, N]));
    out.shape = outShape;
    return out;
  }
  // Per-item overhead of the path below is ~15 us: tiny products stay on the stock loop (same batch
  // on both sides only, the broadcasting the stock kernel is known to handle).
  if (M * N * K < wasmKernelTuning.batchMatMulMinMacsPerItem && batchA === batchB) return stock();

  const host = kernelHost(backend);
  const temps: TensorInfo[] = [];
  try {
    const a3 = asRowMajor3d(backend, a, batchA, transposeA);
    if (a3.owned) temps.push(a3.t);
    const b3 = asRowMajor3d(backend, b, batchB, transposeB);
    if (b3.owned) temps.push(b3.t);
    if (batchB === 1) {
      // Shared right-hand side (this includes the plain 2-D case): one [batch*M, K] x [K, N] matmul.
      // Broadcasting a over more batch dims than it has never happens here (batch === batchA).
      const out = matMul2d(backend, view(a3.t, [batchA * M, K]), view(b3.t, [K, N]));
      out.shape = outShape;
      return out;
    }
    const out = host.alloc(outShape, 'float32', false);
    try {
      let lastB = -1;
      let bItem: TensorInfo | null = null;
      for (let i = 0; i < batch; i++) {
        const ia = operandBatchIndex(i, outOuter, aOuter);
        const ib = operandBatchIndex(i, outOuter, bOuter);
        const aItem = batchA === 1 ? view(a3.t, [M, K]) : sliceItem(host, a3.t, ia, M, K);
        if (ib !== lastB) {
          if (bItem != null) host.dispose(bItem);
          bItem = sliceItem(host, b3.t, ib, K, N);
          lastB = ib;
        }
        const c = matMul2d(backend, aItem, bItem as TensorInfo);
        host.f32(out).set(host.f32(c), i * M * N);
        host.dispose(c);
        if (batchA !== 1) host.dispose(aItem);
      }
      if (bItem != null) host.dispose(bItem);
    } catch (error) {
      host.dispose(out);
      throw error;
    }
    return out;
  } finally {
    for (const t of temps) host.dispose(t);
  }
};
