/**
 * Calls into the stock tfjs-backend-wasm kernels from inside our kernels, without the engine:
 * kernel functions take and return `TensorInfo`s, and intermediates are freed by the caller.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { transposeLast2 } from './conv-common';
import { isWasmBackend, kernelHost, type KernelHost } from './host';

/** Stock wasm kernels that `registerWasmKernels` replaced, kept so ours can delegate to them. */
const stockKernels = new Map<string, KernelConfig>();

export function rememberStockKernel(config: KernelConfig): void {
  if (config.backendName === 'wasm') stockKernels.set(config.kernelName, config);
}

export function stockKernel(kernelName: string): KernelConfig | undefined {
  return stockKernels.get(kernelName) ?? tf.getKernel(kernelName, 'wasm');
}

/** Runs the stock wasm kernel `kernelName` (the one ours replaced, if any). */
export function callStockWasmKernel(
  kernelName: string,
  backend: unknown,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap = {},
): TensorInfo | TensorInfo[] {
  const config = stockKernel(kernelName);
  if (config == null) throw new Error(`tensor-runtime: wasm kernel '${kernelName}' is not registered`);
  const kernelFunc = config.kernelFunc as KernelFunc;
  return kernelFunc({ inputs, backend: backend as tf.KernelBackend, attrs });
}

/** `callStockWasmKernel` for single-output kernels. */
export function callWasmKernel(
  kernelName: string,
  backend: unknown,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const out = callStockWasmKernel(kernelName, backend, inputs, attrs);
  if (Array.isArray(out)) throw new Error(`tensor-runtime: wasm kernel '${kernelName}' returned several outputs`);
  return out;
}

/** The same data seen with another shape of the same size (no copy, no reference count: never dispose it). */
export function view(info: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: info.dataId, dtype: info.dtype, shape };
}

/** [K, N] each right-hand-side data id was first multiplied with (see `stableRhs`). */
const rhsShapes = new WeakMap<object, string>();

/**
 * The stock matmul caches its XNNPACK operator (with `b` packed) under b's tensor id and never
 * looks at the shape again, so the same data seen as [K1,N1] and later as [K2,N2] (a reshape shares
 * the data id) silently multiplies with the stale operator. Returns `b`, or a copy with a fresh id
 * when this data id was first used with another shape. `owned` says whether the caller must free it.
 */
export function stableRhs(host: KernelHost, b: TensorInfo, K: number, N: number): { t: TensorInfo; owned: boolean } {
  const key = `${K}x${N}`;
  const seen = rhsShapes.get(b.dataId);
  if (seen === undefined) rhsShapes.set(b.dataId, key);
  if (seen === undefined || seen === key) return { t: b, owned: false };
  const copy = host.alloc([K, N], 'float32', false);
  host.f32(copy).set(host.f32(b));
  rhsShapes.set(copy.dataId, key);
  return { t: copy, owned: true };
}

/**
 * c [M,N] = a [M,K] x b [K,N] on XNNPACK's fully-connected operator: the stock BatchMatMul kernel's
 * only fast path (batch 1, no transposes). XNNPACK packs `b` once per tensor id, so pass the
 * smaller operand as `b` where there is a choice.
 */
export function matMul2d(backend: unknown, a: TensorInfo, b: TensorInfo): TensorInfo {
  const K = b.shape[b.shape.length - 2];
  const N = b.shape[b.shape.length - 1];
  const host = kernelHost(backend);
  const rhs = stableRhs(host, b, K, N);
  try {
    const out = callWasmKernel(tf.BatchMatMul, backend, { a: view(a, [a.shape[a.shape.length - 2], K]), b: view(rhs.t, [K, N]) }, { transposeA: false, transposeB: false });
    out.shape = [a.shape[a.shape.length - 2], N];
    return out;
  } finally {
    if (rhs.owned) host.dispose(rhs.t);
  }
}

/** The stock wasm Transpose of x seen with `shape` (same size). */
export function transposeWasm(backend: unknown, x: TensorInfo, shape: number[], perm: number[]): TensorInfo {
  return callWasmKernel(tf.Transpose, backend, { x: view(x, shape) }, { perm });
}

/**
 * x [..., R, C] viewed as [batch, R, C] -> new tensor [batch, C, R]. One matrix (batch 1, R even)
 * goes through the stock Transpose as [2, R/2, C] -> [C, 2, R/2]: its 3-D (2,0,1) loop is 2-6x
 * faster than its 2-D one and than a cache-blocked JS loop; the rest is that JS loop.
 */
export function transposeLast2d(backend: unknown, x: TensorInfo, batch: number, R: number, C: number): TensorInfo {
  if (batch === 1 && R % 2 === 0 && isWasmBackend(backend)) {
    const out = transposeWasm(backend, x, [2, R / 2, C], [2, 0, 1]);
    out.shape = [C, R];
    return out;
  }
  const host = kernelHost(backend);
  const out = host.alloc(batch === 1 ? [C, R] : [batch, C, R], 'float32', false);
  transposeLast2(host.f32(x), batch, R, C, host.f32(out));
  return out;
}
