/**
 * Host tensors: what goes into and comes out of a model backend. Row-major, little-endian, as in
 * the KServe v2 protocol and onnxruntime. No tfjs here: backends stay free of any training runtime.
 */

/** Element types the model contracts use. */
export type TensorDType = 'float32' | 'int32' | 'int64' | 'uint8' | 'bool';

/** Typed array for each element type (`bool` is one byte per element, 0 or 1). */
export interface TensorDataOf {
  float32: Float32Array;
  int32: Int32Array;
  int64: BigInt64Array;
  uint8: Uint8Array;
  bool: Uint8Array;
}

export type TensorData = TensorDataOf[TensorDType];

/** A tensor in host memory. `data.length` equals the product of `shape`. */
export interface HostTensor<D extends TensorDType = TensorDType> {
  dtype: D;
  shape: readonly number[];
  data: TensorDataOf[D];
}

/** Named tensors, as a model takes and gives them. */
export type NamedTensors = Record<string, HostTensor>;

/** Number of elements of a shape (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  let count = 1;
  for (const dim of shape) count *= dim;
  return count;
}

/** Bytes per element of each dtype. */
export const BYTES_PER_ELEMENT: Readonly<Record<TensorDType, number>> = {
  float32: 4,
  int32: 4,
  int64: 8,
  uint8: 1,
  bool: 1,
};

/** Builds a host tensor, checking that the data fits the shape. */
export function hostTensor<D extends TensorDType>(
  dtype: D,
  shape: readonly number[],
  data: TensorDataOf[D],
): HostTensor<D> {
  const expected = elementCount(shape);
  if (data.length !== expected) {
    throw new RangeError(
      `tensor of shape [${shape.join(',')}] needs ${expected} elements, got ${data.length}`,
    );
  }
  return { dtype, shape: [...shape], data };
}

/** A float32 host tensor. */
export function float32Tensor(shape: readonly number[], data: Float32Array): HostTensor<'float32'> {
  return hostTensor('float32', shape, data);
}
