// Host tensors to and from the open inference protocol: datatype names, raw little-endian bytes
// (`raw_input_contents` / `raw_output_contents`) and the typed `contents` fields. Pure functions;
// each side wraps a TensorCodecError into the error its caller should see.
import type { inference } from '@fmwiss/contracts';

import { BYTES_PER_ELEMENT, elementCount, type HostTensor, type TensorDType } from '../tensor';

/** The protocol's datatype name of each dtype the backends carry. */
export const KSERVE_DATATYPES: Readonly<Record<TensorDType, string>> = {
  float32: 'FP32',
  int32: 'INT32',
  int64: 'INT64',
  uint8: 'UINT8',
  bool: 'BOOL',
};

const DTYPE_OF_DATATYPE: ReadonlyMap<string, TensorDType> = new Map(
  (Object.entries(KSERVE_DATATYPES) as [TensorDType, string][]).map(([dtype, datatype]) => [datatype, dtype]),
);

/** The dtype of a protocol datatype name, or undefined for one the backends do not carry (FP16, BYTES...). */
export function dtypeOfDatatype(datatype: string): TensorDType | undefined {
  return DTYPE_OF_DATATYPE.get(datatype.toUpperCase());
}

/** A tensor that cannot be encoded or decoded; the message says why. */
export class TensorCodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TensorCodecError';
  }
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses the bytes of each `size`-byte element in place (big-endian hosts only). */
function swapElements(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let at = 0; at < bytes.length; at += size) bytes.subarray(at, at + size).reverse();
}

/** Checks a shape that came off the wire: integers >= 0. */
function checkShape(shape: readonly number[]): void {
  if (!shape.every((dim) => Number.isSafeInteger(dim) && dim >= 0)) {
    throw new TensorCodecError(`shape [${shape.join(',')}] has a dimension that is not an integer >= 0`);
  }
}

/**
 * The raw little-endian bytes of a tensor, row-major, as the protocol sends them: a view of the
 * tensor's own memory on a little-endian host (no copy), a byte-swapped copy elsewhere.
 */
export function encodeRaw(tensor: HostTensor): Uint8Array {
  const { data } = tensor;
  const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (LITTLE_ENDIAN_HOST) return view;
  const copy = view.slice();
  swapElements(copy, BYTES_PER_ELEMENT[tensor.dtype]);
  return copy;
}

/**
 * A tensor from raw little-endian bytes. The bytes are copied into the tensor's own (aligned)
 * memory, so the message buffer they came in can go. Throws TensorCodecError when the byte length
 * is not product(shape) * element size. BOOL bytes other than 0 read as 1.
 */
export function decodeRaw(dtype: TensorDType, shape: readonly number[], bytes: Uint8Array): HostTensor {
  checkShape(shape);
  const count = elementCount(shape);
  const size = BYTES_PER_ELEMENT[dtype];
  if (bytes.byteLength !== count * size) {
    throw new TensorCodecError(
      `${KSERVE_DATATYPES[dtype]} [${shape.join(',')}] needs ${count * size} bytes (${count} x ${size}), got ${bytes.byteLength}`,
    );
  }
  const buffer = new ArrayBuffer(count * size);
  const target = new Uint8Array(buffer);
  target.set(bytes);
  if (!LITTLE_ENDIAN_HOST) swapElements(target, size);
  switch (dtype) {
    case 'float32':
      return { dtype, shape: [...shape], data: new Float32Array(buffer) };
    case 'int32':
      return { dtype, shape: [...shape], data: new Int32Array(buffer) };
    case 'int64':
      return { dtype, shape: [...shape], data: new BigInt64Array(buffer) };
    case 'uint8':
      return { dtype, shape: [...shape], data: target };
    case 'bool':
      for (let i = 0; i < target.length; i++) if (target[i] !== 0) target[i] = 1;
      return { dtype, shape: [...shape], data: target };
  }
}

/**
 * The typed `contents` of a tensor: FP32 in fp32_contents, INT32 in int_contents, INT64 in
 * int64_contents, UINT8 in uint_contents, BOOL in bool_contents. INT64 values beyond +-2^53 cannot
 * travel this way in this project's generated code (int64 fields are JS numbers): TensorCodecError.
 */
export function encodeContents(tensor: HostTensor): inference.InferTensorContents {
  const contents: inference.InferTensorContents = {
    boolContents: [],
    intContents: [],
    int64Contents: [],
    uintContents: [],
    uint64Contents: [],
    fp32Contents: [],
    fp64Contents: [],
    bytesContents: [],
  };
  switch (tensor.dtype) {
    case 'float32':
      contents.fp32Contents = Array.from(tensor.data as Float32Array);
      break;
    case 'int32':
      contents.intContents = Array.from(tensor.data as Int32Array);
      break;
    case 'int64':
      contents.int64Contents = Array.from(tensor.data as BigInt64Array, (value) => {
        const number = Number(value);
        if (!Number.isSafeInteger(number)) throw new TensorCodecError(`INT64 value ${value} is beyond +-2^53 and cannot be sent as typed contents`);
        return number;
      });
      break;
    case 'uint8':
      contents.uintContents = Array.from(tensor.data as Uint8Array);
      break;
    case 'bool':
      contents.boolContents = Array.from(tensor.data as Uint8Array, (value) => value !== 0);
      break;
  }
  return contents;
}

/** Where each dtype's values sit in InferTensorContents: the generated field and the proto name. */
const CONTENTS_FIELD: Readonly<Record<TensorDType, [keyof inference.InferTensorContents, string]>> = {
  float32: ['fp32Contents', 'fp32_contents'],
  int32: ['intContents', 'int_contents'],
  int64: ['int64Contents', 'int64_contents'],
  uint8: ['uintContents', 'uint_contents'],
  bool: ['boolContents', 'bool_contents'],
};

/**
 * A tensor from typed `contents` (see encodeContents for which field holds which dtype). Throws
 * TensorCodecError when the field holds other than product(shape) values, or a UINT8 value is out
 * of range.
 */
export function decodeContents(dtype: TensorDType, shape: readonly number[], contents: inference.InferTensorContents | undefined): HostTensor {
  checkShape(shape);
  const count = elementCount(shape);
  const [field, protoName] = CONTENTS_FIELD[dtype];
  const values = (contents?.[field] ?? []) as readonly (number | boolean | Uint8Array)[];
  if (values.length !== count) {
    throw new TensorCodecError(
      `${KSERVE_DATATYPES[dtype]} [${shape.join(',')}] needs ${count} values in contents.${protoName}, got ${values.length}` +
        (contents === undefined && count > 0 ? ' (neither raw contents nor typed contents were sent)' : ''),
    );
  }
  switch (dtype) {
    case 'float32':
      return { dtype, shape: [...shape], data: Float32Array.from(values as number[]) };
    case 'int32':
      return { dtype, shape: [...shape], data: Int32Array.from(values as number[]) };
    case 'int64':
      return { dtype, shape: [...shape], data: BigInt64Array.from(values as number[], (value) => BigInt(value)) };
    case 'uint8': {
      const bad = (values as number[]).find((value) => !Number.isInteger(value) || value < 0 || value > 255);
      if (bad !== undefined) throw new TensorCodecError(`UINT8 value ${bad} in contents.uint_contents is out of range 0..255`);
      return { dtype, shape: [...shape], data: Uint8Array.from(values as number[]) };
    }
    case 'bool':
      return { dtype, shape: [...shape], data: Uint8Array.from(values as boolean[], (value) => (value ? 1 : 0)) };
  }
}
