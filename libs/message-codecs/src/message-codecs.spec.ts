import * as grpc from '@grpc/grpc-js';
import { DataType, ImageFormat, MapEncoding, type Image } from '@fmwiss/contracts';
import { encodePng } from '@fmwiss/imaging';
import { InvalidArgumentError } from '@fmwiss/service-kit';

import { checkMapEncoding, decodeClassMap, encodeBinaryMask, encodeSoftMap } from './class-map-message';
import { decodeImageMessage } from './image-message';
import { decodeLabelMapMessage, encodeLabelMapMessage } from './label-map-message';
import { decodeTensor, encodeTensor } from './tensor-message';

function expectInvalid(action: () => unknown, pattern: RegExp): void {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((error as Error).message).toMatch(pattern);
    return;
  }
  throw new Error('expected an InvalidArgumentError');
}

describe('tensor messages', () => {
  it('round-trips every dtype, also from unaligned bytes', () => {
    const floats = Float32Array.from([1.5, -2, 3.25, 0, 1e-7, 6]);
    const decoded = decodeTensor(encodeTensor('float32', [2, 3], floats, 'x'), 'x');
    expect(decoded).toEqual({ dtype: 'float32', shape: [2, 3], data: floats });
    const longs = BigInt64Array.from([1n, -2n, 2n ** 40n]);
    expect(decodeTensor(encodeTensor('int64', [3], longs), 'y').data).toEqual(longs);
    const message = encodeTensor('int32', [2], Int32Array.from([7, -9]));
    const shifted = new Uint8Array(message.data.length + 1);
    shifted.set(message.data, 1);
    expect(Array.from(decodeTensor({ ...message, data: Buffer.from(shifted.buffer, 1, message.data.length) }, 'z').data as Int32Array)).toEqual([7, -9]);
  });

  it('refuses wrong byte counts, dtypes, shapes and sizes, naming the field', () => {
    const good = encodeTensor('float32', [2, 2], new Float32Array(4));
    expectInvalid(() => decodeTensor({ ...good, data: good.data.subarray(1) }, 'masks[0]'), /masks\[0\] of shape \[2,2\] FLOAT32 needs 16 bytes of data, got 15/);
    expectInvalid(() => decodeTensor({ ...good, dtype: DataType.DATA_TYPE_FLOAT16 }, 'm'), /m has unsupported dtype FLOAT16/);
    expectInvalid(() => decodeTensor(good, 'm', { dtypes: ['uint8'] }), /m has dtype FLOAT32, expected UINT8/);
    expectInvalid(() => decodeTensor(good, 'm', { shape: [3, null] }), /m has shape \[2,2\], expected \[3,\*\]/);
    expectInvalid(() => decodeTensor({ ...good, shape: [-1, 2] }, 'm'), /invalid shape/);
    expectInvalid(() => decodeTensor(good, 'm', { maxElements: 3 }), /4 elements, more than the limit of 3/);
    expectInvalid(() => decodeTensor(undefined, 'm'), /m is missing/);
  });
});

describe('class maps', () => {
  const size = { width: 2, height: 2 };
  it('reads FLOAT32 maps, UINT8 binary masks, UINT8 scaled maps and BOOL masks', () => {
    expect(decodeClassMap({ classId: 3, map: encodeSoftMap(Float32Array.from([0, 0.25, 0.5, 1]), 2, 2, MapEncoding.MAP_ENCODING_FLOAT32) }, size, 'm').values).toEqual(
      Float32Array.from([0, 0.25, 0.5, 1]),
    );
    expect(decodeClassMap({ classId: 3, map: encodeBinaryMask(Uint8Array.from([0, 1, 1, 0]), 2, 2) }, size, 'm').values).toEqual(Float32Array.from([0, 1, 1, 0]));
    const scaled = encodeSoftMap(Float32Array.from([0, 0.5, 1, 0.2]), 2, 2, MapEncoding.MAP_ENCODING_UINT8);
    expect(Array.from(scaled.data)).toEqual([0, 128, 255, 51]);
    expect(decodeClassMap({ classId: 1, map: scaled }, size, 'm').values).toEqual(Float32Array.from([0, 128 / 255, 1, 51 / 255]));
    const bools = { ...encodeBinaryMask(Uint8Array.from([1, 0, 0, 1]), 2, 2), dtype: DataType.DATA_TYPE_BOOL };
    expect(decodeClassMap({ classId: 1, map: bools }, size, 'm').values).toEqual(Float32Array.from([1, 0, 0, 1]));
  });

  it('refuses a map of another size, or values outside [0,1]', () => {
    const map = encodeSoftMap(new Float32Array(6), 3, 2, MapEncoding.MAP_ENCODING_FLOAT32);
    expectInvalid(() => decodeClassMap({ classId: 1, map }, size, 'initial_masks[0]'), /initial_masks\[0\]\.map has shape \[2,3\], expected \[2,2\]/);
    const bad = encodeSoftMap(Float32Array.from([0, 2, 0, Number.NaN]), 2, 2, MapEncoding.MAP_ENCODING_FLOAT32);
    expectInvalid(() => decodeClassMap({ classId: 1, map: bad }, size, 'm'), /holds 2 at pixel 1/);
    expectInvalid(() => checkMapEncoding(9 as MapEncoding, 'options'), /unknown map encoding 9/);
  });
});

describe('images', () => {
  const rgb = { width: 4, height: 3, data: Uint8Array.from({ length: 36 }, (_, i) => i * 7) };

  it('decodes encoded PNGs and pixel tensors', async () => {
    const png: Image = { imageId: 'a', source: { $case: 'encoded', encoded: { format: ImageFormat.IMAGE_FORMAT_PNG, data: await encodePng(rgb) } } };
    expect(await decodeImageMessage(png, { maxPixels: 12 })).toEqual(rgb);
    const pixels: Image = { imageId: 'b', source: { $case: 'pixels', pixels: encodeTensor('uint8', [3, 4, 3], rgb.data) } };
    expect(await decodeImageMessage(pixels, { maxPixels: 12 })).toEqual(rgb);
  });

  it('refuses non-images, images above the pixel limit and empty messages', async () => {
    const junk: Image = { imageId: 'j', source: { $case: 'encoded', encoded: { format: 0, data: Buffer.from('hello world') } } };
    await expect(decodeImageMessage(junk, { maxPixels: 100 })).rejects.toThrow(/image "j": not a PNG or JPEG file/);
    await expect(decodeImageMessage(junk, { maxPixels: 100 })).rejects.toBeInstanceOf(InvalidArgumentError);
    const big: Image = { imageId: 'big', source: { $case: 'encoded', encoded: { format: 0, data: await encodePng(rgb) } } };
    await expect(decodeImageMessage(big, { maxPixels: 11 })).rejects.toThrow(/image "big" is 4x3 = 12 pixels, above this server's limit of 11/);
    await expect(decodeImageMessage({ imageId: '', source: undefined }, { maxPixels: 11 })).rejects.toThrow(/image has neither encoded bytes nor pixels/);
    const flat: Image = { imageId: 'f', source: { $case: 'pixels', pixels: encodeTensor('uint8', [3, 4], new Uint8Array(12)) } };
    await expect(decodeImageMessage(flat, { maxPixels: 100 })).rejects.toThrow(/has shape \[3,4\], expected \[\*,\*,3\]/);
  });
});

describe('label maps', () => {
  it('round-trips through a palette PNG and reads UINT8 tensors', () => {
    const labels = { width: 3, height: 2, data: Uint8Array.from([0, 1, 2, 255, 15, 0]) };
    expect(decodeLabelMapMessage(encodeLabelMapMessage(labels), 'pseudo')).toEqual(labels);
    expect(decodeLabelMapMessage({ source: { $case: 'labels', labels: encodeTensor('uint8', [2, 3], labels.data) } }, 'x')).toEqual(labels);
    expectInvalid(() => decodeLabelMapMessage({ source: undefined }, 'gt'), /gt has neither/);
  });
});
