/**
 * Raw access to a backend's tensor memory for kernels written in TypeScript over typed arrays.
 *
 * Two backends are supported: `wasm` (tensors live in the WebAssembly heap; views are zero-copy and
 * become invalid when the heap grows, i.e. after any allocation) and `cpu` (tensors are plain typed
 * arrays). A kernel therefore allocates all of its outputs first and only then takes views.
 */
import type { DataId, DataType, KernelBackend, TensorInfo, TypedArray } from '@tensorflow/tfjs';

/** The parts of tfjs-backend-wasm's `BackendWasm` the kernels use (not exported as a type by the package). */
export interface WasmBackendInternals extends KernelBackend {
  dataIdMap: { get(dataId: DataId): { id: number; memoryOffset: number; shape: number[]; dtype: DataType } | undefined };
  makeOutput(shape: number[], dtype: DataType, memoryOffset?: number, values?: TypedArray): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** The parts of tfjs-backend-cpu's `MathBackendCPU` the kernels use. */
interface CpuBackendInternals extends KernelBackend {
  data: { get(dataId: DataId): { values: TypedArray } | undefined };
  makeTensorInfo(shape: number[], dtype: DataType, values: TypedArray): TensorInfo;
}

export function isWasmBackend(backend: unknown): backend is WasmBackendInternals {
  const b = backend as Partial<WasmBackendInternals> | null;
  return b != null && typeof b.typedArrayFromHeap === 'function' && typeof b.makeOutput === 'function';
}

function isCpuBackend(backend: unknown): backend is CpuBackendInternals {
  const b = backend as Partial<CpuBackendInternals> | null;
  return b != null && typeof b.makeTensorInfo === 'function' && b.data != null && !isWasmBackend(backend);
}

export interface KernelHost {
  /** Float32 view of a float32 tensor. */
  f32(info: TensorInfo): Float32Array;
  /** Int32 view of an int32 tensor. */
  i32(info: TensorInfo): Int32Array;
  /** Allocates an output tensor; `zero` fills it with zeros. Invalidates earlier wasm views. */
  alloc(shape: number[], dtype: 'float32' | 'int32', zero: boolean): TensorInfo;
  /** Frees an intermediate created by `alloc` or by a kernel call. */
  dispose(info: TensorInfo): void;
}

function checkDtype(info: TensorInfo, dtype: DataType): void {
  if (info.dtype !== dtype) {
    throw new Error(`tensor-runtime kernel: expected a ${dtype} tensor, got ${info.dtype} [${info.shape}]`);
  }
}

function sizeOf(shape: number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

export function kernelHost(backend: unknown): KernelHost {
  if (isWasmBackend(backend)) {
    return {
      f32(info) {
        checkDtype(info, 'float32');
        return backend.typedArrayFromHeap(info) as Float32Array;
      },
      i32(info) {
        checkDtype(info, 'int32');
        return backend.typedArrayFromHeap(info) as Int32Array;
      },
      alloc(shape, dtype, zero) {
        const out = backend.makeOutput(shape, dtype);
        if (zero) backend.typedArrayFromHeap(out).fill(0);
        return out;
      },
      dispose(info) {
        backend.disposeData(info.dataId);
      },
    };
  }
  if (isCpuBackend(backend)) {
    const values = (info: TensorInfo): TypedArray => {
      const data = backend.data.get(info.dataId);
      if (data == null) throw new Error('tensor-runtime kernel: tensor data not found on the cpu backend');
      return data.values;
    };
    return {
      f32(info) {
        checkDtype(info, 'float32');
        return values(info) as Float32Array;
      },
      i32(info) {
        checkDtype(info, 'int32');
        return values(info) as Int32Array;
      },
      alloc(shape, dtype) {
        const size = sizeOf(shape);
        return backend.makeTensorInfo(shape, dtype, dtype === 'float32' ? new Float32Array(size) : new Int32Array(size));
      },
      dispose(info) {
        backend.disposeData(info.dataId);
      },
    };
  }
  throw new Error('tensor-runtime kernels run on the wasm or cpu backend only');
}

export { sizeOf };
