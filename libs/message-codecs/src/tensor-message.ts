// fmwiss.v1.Tensor <-> typed arrays. A Tensor carries product(shape) elements of its dtype, row-major,
// little-endian; anything else is refused with INVALID_ARGUMENT naming the field.
import { DataType, type Tensor } from '@fmwiss/contracts';
import { InvalidArgumentError } from '@fmwiss/service-kit';

export type MessageDType = 'float32' | 'uint8' | 'int32' | 'int64' | 'bool';

export interface TensorArrays {
  float32: Float32Array;
  uint8: Uint8Array;
  int32: Int32Array;
  int64: BigInt64Array;
  bool: Uint8Array;
}

/** A decoded Tensor message. */
export interface DecodedTensor<D extends MessageDType = MessageDType> {
  dtype: D;
  shape: number[];
  data: TensorArrays[D];
}

const DTYPE_OF_WIRE: ReadonlyMap<DataType, MessageDType> = new Map([
  [DataType.DATA_TYPE_FLOAT32, 'float32'],
  [DataType.DATA_TYPE_UINT8, 'uint8'],
  [DataType.DATA_TYPE_INT32, 'int32'],
  [DataType.DATA_TYPE_INT64, 'int64'],
  [DataType.DATA_TYPE_BOOL, 'bool'],
]);

const WIRE_OF_DTYPE: Readonly<Record<MessageDType, DataType>> = {
  float32: DataType.DATA_TYPE_FLOAT32,
  uint8: DataType.DATA_TYPE_UINT8,
  int32: DataType.DATA_TYPE_INT32,
  int64: DataType.DATA_TYPE_INT64,
  bool: DataType.DATA_TYPE_BOOL,
};

const BYTES: Readonly<Record<MessageDType, number>> = { float32: 4, uint8: 1, int32: 4, int64: 8, bool: 1 };

const WIRE_NAMES: Readonly<Record<number, string>> = {
  [DataType.DATA_TYPE_UNSPECIFIED]: 'DATA_TYPE_UNSPECIFIED',
  [DataType.DATA_TYPE_FLOAT16]: 'FLOAT16',
  [DataType.DATA_TYPE_UINT16]: 'UINT16',
};

export interface DecodeTensorOptions<D extends MessageDType> {
  /** Accepted dtypes (default: all). */
  dtypes?: readonly D[];
  /** Expected shape; `null` entries accept any size. */
  shape?: readonly (number | null)[];
  /** Largest element count accepted (default 2^28). */
  maxElements?: number;
}

/** Decodes a Tensor message; `what` names it in errors (e.g. "initial_masks[2].map"). */
export function decodeTensor<D extends MessageDType = MessageDType>(
  tensor: Tensor | undefined,
  what: string,
  options: DecodeTensorOptions<D> = {},
): DecodedTensor<D> {
  if (!tensor) throw new InvalidArgumentError(`${what} is missing`);
  const dtype = DTYPE_OF_WIRE.get(tensor.dtype);
  if (dtype === undefined) {
    throw new InvalidArgumentError(`${what} has unsupported dtype ${WIRE_NAMES[tensor.dtype] ?? tensor.dtype}`);
  }
  if (options.dtypes && !options.dtypes.includes(dtype as D)) {
    throw new InvalidArgumentError(`${what} has dtype ${dtype.toUpperCase()}, expected ${options.dtypes.map((d) => d.toUpperCase()).join(' or ')}`);
  }
  const shape = tensor.shape.map(Number);
  if (shape.some((dim) => !Number.isInteger(dim) || dim < 0)) {
    throw new InvalidArgumentError(`${what} has an invalid shape [${shape.join(',')}]`);
  }
  if (options.shape) {
    const expected = options.shape;
    const fits = expected.length === shape.length && expected.every((dim, axis) => dim === null || dim === shape[axis]);
    if (!fits) {
      throw new InvalidArgumentError(
        `${what} has shape [${shape.join(',')}], expected [${expected.map((dim) => (dim === null ? '*' : dim)).join(',')}]`,
      );
    }
  }
  const count = shape.reduce((product, dim) => product * dim, 1);
  const maxElements = options.maxElements ?? 2 ** 28;
  if (count > maxElements) throw new InvalidArgumentError(`${what} has ${count} elements, more than the limit of ${maxElements}`);
  const bytes = tensor.data;
  if (bytes.length !== count * BYTES[dtype]) {
    throw new InvalidArgumentError(
      `${what} of shape [${shape.join(',')}] ${dtype.toUpperCase()} needs ${count * BYTES[dtype]} bytes of data, got ${bytes.length}`,
    );
  }
  return { dtype: dtype as D, shape, data: viewAs(dtype, bytes, count) as TensorArrays[D] };
}

/** A typed array over the bytes (copied when they are not aligned for the element type). */
function viewAs(dtype: MessageDType, bytes: Uint8Array, count: number): TensorArrays[MessageDType] {
  const size = BYTES[dtype];
  const aligned = bytes.byteOffset % size === 0 ? bytes : Uint8Array.from(bytes);
  const { buffer, byteOffset } = aligned;
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer, byteOffset, count);
    case 'int32':
      return new Int32Array(buffer, byteOffset, count);
    case 'int64':
      return new BigInt64Array(buffer, byteOffset, count);
    case 'uint8':
    case 'bool':
      return new Uint8Array(buffer, byteOffset, count);
  }
}

/** A Tensor message of the given values (bytes are copied). */
export function encodeTensor<D extends MessageDType>(dtype: D, shape: readonly number[], data: TensorArrays[D], name = ''): Tensor {
  const count = shape.reduce((product, dim) => product * dim, 1);
  if (data.length !== count) throw new RangeError(`tensor ${name} of shape [${shape.join(',')}] needs ${count} values, got ${data.length}`);
  return {
    name,
    dtype: WIRE_OF_DTYPE[dtype],
    shape: [...shape],
    data: Buffer.from(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
  };
}
