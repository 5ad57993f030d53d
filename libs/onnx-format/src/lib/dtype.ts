// Element types fmwiss carries, their ONNX codes (TensorProto.DataType), and their typed arrays.
import { TensorProto_DataType as OnnxDataType } from '../generated/onnx/onnx';
import { OnnxFormatError } from './errors';

/** Tensor element types of fmwiss models (the KServe/onnxruntime names, lower case). */
export type DType = 'float32' | 'int32' | 'int64' | 'uint8' | 'bool';

/** Every supported `DType`. */
export const DTYPES: readonly DType[] = ['float32', 'int32', 'int64', 'uint8', 'bool'];

/** Elements of a tensor, row-major. `bool` is a `Uint8Array` of 0 and 1. */
export type TensorData = Float32Array | Int32Array | BigInt64Array | Uint8Array;

const ONNX_CODE: Readonly<Record<DType, OnnxDataType>> = {
  float32: OnnxDataType.FLOAT,
  int32: OnnxDataType.INT32,
  int64: OnnxDataType.INT64,
  uint8: OnnxDataType.UINT8,
  bool: OnnxDataType.BOOL,
};

const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = { float32: 4, int32: 4, int64: 8, uint8: 1, bool: 1 };

/**
 * The ONNX element type code of a dtype (`TensorProto.DataType`): float32 1, uint8 2, int32 6,
 * int64 7, bool 9. It is also the value of Cast's `to` attribute.
 */
export function onnxElemType(dtype: DType): number {
  return ONNX_CODE[dtype];
}

/** The dtype of an ONNX element type code, or undefined when fmwiss does not carry that type. */
export function dtypeOfOnnxElemType(code: number): DType | undefined {
  return DTYPES.find((dtype) => ONNX_CODE[dtype] === code);
}

/** A readable name of an ONNX element type code for messages, e.g. `FLOAT16 (10)`. */
export function onnxElemTypeName(code: number): string {
  const name = OnnxDataType[code];
  return name === undefined || code === OnnxDataType.UNRECOGNIZED ? `unknown type ${code}` : `${name} (${code})`;
}

/** The dtype a typed array holds by default (`Uint8Array` is uint8; bool must be asked for). */
export function dtypeOfData(data: TensorData): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Uint8Array) return 'uint8';
  throw new TypeError(`unsupported tensor data ${Object.prototype.toString.call(data)}: use Float32Array, Int32Array, BigInt64Array or Uint8Array`);
}

/** Checks that `data` is the typed array of `dtype` (bool: Uint8Array of 0/1). */
export function checkDataMatches(dtype: DType, data: TensorData, what: string): void {
  const natural = dtypeOfData(data);
  const ok = natural === dtype || (dtype === 'bool' && natural === 'uint8');
  if (!ok) throw new TypeError(`${what}: dtype ${dtype} needs ${arrayNameOf(dtype)}, got ${data.constructor.name}`);
  if (dtype === 'bool') {
    const bad = (data as Uint8Array).findIndex((v) => v > 1);
    if (bad >= 0) throw new RangeError(`${what}: bool elements must be 0 or 1, element ${bad} is ${data[bad]}`);
  }
}

function arrayNameOf(dtype: DType): string {
  return { float32: 'Float32Array', int32: 'Int32Array', int64: 'BigInt64Array', uint8: 'Uint8Array', bool: 'Uint8Array' }[dtype];
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The elements as fixed-width little-endian bytes (ONNX raw_data). No copy on little-endian hosts. */
export function toLittleEndianBytes(dtype: DType, data: TensorData): Buffer {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const width = BYTES_PER_ELEMENT[dtype];
  if (LITTLE_ENDIAN || width === 1) return bytes;
  const swapped = Buffer.from(bytes);
  if (width === 4) swapped.swap32();
  else swapped.swap64();
  return swapped;
}

/** Throws an OnnxFormatError for an element type fmwiss does not carry. */
export function requireDType(code: number | undefined, what: string): DType {
  if (code === undefined) throw new OnnxFormatError(`${what} declares no element type`);
  const dtype = dtypeOfOnnxElemType(code);
  if (dtype === undefined) {
    throw new OnnxFormatError(`${what} has element type ${onnxElemTypeName(code)}, which fmwiss does not carry (supported: ${DTYPES.join(', ')})`);
  }
  return dtype;
}
