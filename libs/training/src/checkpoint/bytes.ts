import type { CheckpointDtype } from './manifest';

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Writes `values` into `target` at `offset` as little-endian 4-byte elements. */
export function encodeLittleEndian(values: Float32Array | Int32Array, target: Uint8Array, offset: number): void {
  if (HOST_IS_LITTLE_ENDIAN) {
    target.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), offset);
    return;
  }
  const view = new DataView(target.buffer, target.byteOffset + offset, values.byteLength);
  for (let i = 0; i < values.length; i++) {
    if (values instanceof Float32Array) view.setFloat32(i * 4, values[i] as number, true);
    else view.setInt32(i * 4, values[i] as number, true);
  }
}

/** Reads `length` bytes of little-endian 4-byte elements at `offset` into a new, aligned array. */
export function decodeLittleEndian(
  dtype: CheckpointDtype,
  source: Uint8Array,
  offset: number,
  length: number,
): Float32Array | Int32Array {
  const copy = new Uint8Array(length);
  copy.set(source.subarray(offset, offset + length));
  const values = dtype === 'float32' ? new Float32Array(copy.buffer) : new Int32Array(copy.buffer);
  if (!HOST_IS_LITTLE_ENDIAN) {
    const view = new DataView(copy.buffer);
    for (let i = 0; i < values.length; i++) {
      values[i] = dtype === 'float32' ? view.getFloat32(i * 4, true) : view.getInt32(i * 4, true);
    }
  }
  return values;
}
