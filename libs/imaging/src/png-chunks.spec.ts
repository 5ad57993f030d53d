import * as zlib from 'node:zlib';
import { crc32, describeStart, hasPngSignature, PNG_SIGNATURE, pngChunk, readPngChunks, tableCrc32 } from './png-chunks';
import { ImageError } from './image-error';

describe('crc32', () => {
  it('gives the standard check value for "123456789"', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(tableCrc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('continues from a previous value, and the table agrees with zlib', () => {
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7919) % 256);
    expect(crc32(bytes.subarray(300), crc32(bytes.subarray(0, 300)))).toBe(crc32(bytes));
    expect(tableCrc32(bytes.subarray(300), tableCrc32(bytes.subarray(0, 300)))).toBe(zlib.crc32(bytes) >>> 0);
  });
});

describe('PNG chunks', () => {
  const file = Buffer.concat([PNG_SIGNATURE, pngChunk('abCd', Uint8Array.of(1, 2, 3)), pngChunk('IEND', new Uint8Array(0))]);

  it('writes length, type, data and CRC, and reads them back up to IEND', () => {
    const chunks = readPngChunks(Buffer.concat([file, Buffer.from('trailing')]), 'f', true);
    expect(chunks.map((c) => [c.type, [...c.data], c.offset])).toEqual([
      ['abCd', [1, 2, 3], 8],
      ['IEND', [], 23],
    ]);
  });

  it('refuses a file cut before IEND and a CRC mismatch', () => {
    expect(() => readPngChunks(file.subarray(0, file.length - 12), 'f', false)).toThrow('before its IEND chunk');
    expect(() => readPngChunks(file.subarray(0, 18), 'f', false)).toThrow('PNG ends inside its abCd chunk');
    const bad = Buffer.from(file);
    bad[17]! ^= 1;
    expect(() => readPngChunks(bad, 'f', true)).toThrow(ImageError);
    expect(() => readPngChunks(bad, 'f', true)).toThrow(/f: truncated or corrupt: CRC mismatch in abCd chunk/);
    expect(readPngChunks(bad, 'f', false)).toHaveLength(2);
  });

  it('checks the signature and describes a file start', () => {
    expect(hasPngSignature(file)).toBe(true);
    expect(hasPngSignature(Buffer.from('GIF89a'))).toBe(false);
    expect(describeStart(Buffer.from('GIF89a\x01\x00\x02'))).toBe('4749463839610100...');
    expect(describeStart(Uint8Array.of(1, 2))).toBe('0102');
  });
});
