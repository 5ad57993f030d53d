import { hwcToChw, IMAGENET_MEAN, IMAGENET_STD, toFloatTensor } from './normalize';
import type { RgbImage } from './types';

describe('toFloatTensor', () => {
  const image: RgbImage = { width: 2, height: 1, data: Uint8Array.of(0, 255, 51, 102, 204, 153) };

  it('computes ((pixel * scale) - mean) / std per channel, [H,W,3] float32', () => {
    const tensor = toFloatTensor(image, [0.5, 0.25, 0], [0.5, 0.25, 2]);
    expect([tensor.width, tensor.height, tensor.channels]).toEqual([2, 1, 3]);
    expect(tensor.data).toBeInstanceOf(Float32Array);
    const expected = [(0 - 0.5) / 0.5, (1 - 0.25) / 0.25, 0.2 / 2, (0.4 - 0.5) / 0.5, (0.8 - 0.25) / 0.25, 0.6 / 2];
    [...tensor.data].forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  });

  it('takes a custom scale, e.g. 1 for mean/std given in 0..255', () => {
    const tensor = toFloatTensor(image, [123.675, 116.28, 103.53], [58.395, 57.12, 57.375], 1);
    expect(tensor.data[0]).toBeCloseTo(-123.675 / 58.395, 6);
    expect(tensor.data[4]).toBeCloseTo((204 - 116.28) / 57.12, 6);
  });

  it('matches the ImageNet constants', () => {
    const tensor = toFloatTensor(image, IMAGENET_MEAN, IMAGENET_STD);
    expect(tensor.data[1]).toBeCloseTo((1 - 0.456) / 0.224, 6);
  });

  it('refuses a zero std', () => {
    expect(() => toFloatTensor(image, [0, 0, 0], [1, 0, 1])).toThrow(RangeError);
  });
});

describe('hwcToChw', () => {
  it('turns [H,W,C] into [C,H,W]', () => {
    const hwc = Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12); // H=2, W=2, C=3
    expect([...hwcToChw({ width: 2, height: 2, channels: 3, data: hwc })]).toEqual([1, 4, 7, 10, 2, 5, 8, 11, 3, 6, 9, 12]);
  });
});
