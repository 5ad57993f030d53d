import type { HostTensor } from '../tensor';
import { TensorCodecError, decodeContents, decodeRaw, dtypeOfDatatype, encodeContents, encodeRaw } from './tensor-codec';

const tensors: HostTensor[] = [
  { dtype: 'float32', shape: [2, 2], data: Float32Array.from([1, -2.5, 3.0e-38, Number.POSITIVE_INFINITY]) },
  { dtype: 'int32', shape: [3], data: Int32Array.from([-2147483648, 0, 2147483647]) },
  { dtype: 'int64', shape: [2], data: BigInt64Array.from([-(2n ** 52n), 2n ** 50n + 3n]) },
  { dtype: 'uint8', shape: [1, 3], data: Uint8Array.from([0, 128, 255]) },
  { dtype: 'bool', shape: [2], data: Uint8Array.from([1, 0]) },
  { dtype: 'float32', shape: [0, 4], data: new Float32Array(0) },
];

describe('tensor codec', () => {
  it('maps the protocol datatypes, case-insensitively, and nothing else', () => {
    expect(['FP32', 'INT32', 'INT64', 'UINT8', 'BOOL', 'fp32'].map(dtypeOfDatatype)).toEqual(['float32', 'int32', 'int64', 'uint8', 'bool', 'float32']);
    expect(['FP16', 'BF16', 'FP64', 'BYTES', 'INT8', 'UINT64'].map(dtypeOfDatatype)).toEqual(Array(6).fill(undefined));
  });

  it('writes raw bytes little-endian, row-major', () => {
    expect([...encodeRaw({ dtype: 'float32', shape: [1], data: Float32Array.from([1]) })]).toEqual([0, 0, 0x80, 0x3f]);
    expect([...encodeRaw({ dtype: 'int32', shape: [2], data: Int32Array.from([1, -2]) })]).toEqual([1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff]);
    expect([...encodeRaw({ dtype: 'int64', shape: [1], data: BigInt64Array.from([0x0102030405060708n]) })]).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it.each(tensors.map((t) => [`${t.dtype} [${t.shape.join(',')}]`, t] as const))('round-trips %s through raw bytes and typed contents', (_name, tensor) => {
    expect(decodeRaw(tensor.dtype, tensor.shape, encodeRaw(tensor))).toEqual(tensor);
    expect(decodeContents(tensor.dtype, tensor.shape, encodeContents(tensor))).toEqual(tensor);
  });

  it('decodes from unaligned bytes into memory of its own', () => {
    const bytes = new Uint8Array(9);
    bytes.set(encodeRaw({ dtype: 'float32', shape: [2], data: Float32Array.from([0.5, 7]) }), 1);
    const tensor = decodeRaw('float32', [2], bytes.subarray(1));
    expect(tensor.data).toEqual(Float32Array.from([0.5, 7]));
    bytes.fill(0);
    expect(tensor.data).toEqual(Float32Array.from([0.5, 7]));
  });

  it('reads any non-zero BOOL byte as 1', () => {
    expect(decodeRaw('bool', [3], Uint8Array.from([0, 2, 255])).data).toEqual(Uint8Array.from([0, 1, 1]));
  });

  it('refuses sizes that do not match the shape, out-of-range values and bad shapes', () => {
    expect(() => decodeRaw('int64', [2], new Uint8Array(15))).toThrow(new TensorCodecError('INT64 [2] needs 16 bytes (2 x 8), got 15'));
    expect(() => decodeRaw('float32', [-1, 2], new Uint8Array(8))).toThrow('not an integer >= 0');
    expect(() => decodeContents('float32', [2], encodeContents({ dtype: 'float32', shape: [1], data: Float32Array.from([1]) }))).toThrow(
      'FP32 [2] needs 2 values in contents.fp32_contents, got 1',
    );
    expect(() => decodeContents('uint8', [1], { ...encodeContents({ dtype: 'uint8', shape: [0], data: new Uint8Array(0) }), uintContents: [256] })).toThrow(
      'out of range 0..255',
    );
    expect(() => encodeContents({ dtype: 'int64', shape: [1], data: BigInt64Array.from([2n ** 60n]) })).toThrow(TensorCodecError);
  });
});
