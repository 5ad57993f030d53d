import { SeededRandom } from '@fmwiss/random';
import { cutWindow } from './crop';
import { resizeBilinear, resizeBilinearWindow, resizeNearest, resizeNearestWindow } from './resize';
import type { FloatImage, LabelImage, RgbImage } from './types';

/** An RGB image whose three channels all hold `values` (row-major). */
function grayRgb(width: number, height: number, values: number[]): RgbImage {
  return { width, height, data: Uint8Array.from(values.flatMap((v) => [v, v, v])) };
}

const channel0 = (image: RgbImage) => [...image.data.filter((_, i) => i % 3 === 0)];

describe('resizeBilinear', () => {
  // Source [[0, 100], [200, 40]]. With half-pixel centres, 2 -> 4 samples the source at
  // -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1) along each axis.
  const expected4x4 = [
    [0, 25, 75, 100],
    [50, 58.75, 76.25, 85],
    [150, 126.25, 78.75, 55],
    [200, 160, 80, 40],
  ];

  it('upscales a 2x2 float image to 4x4 as computed by hand', () => {
    const image: FloatImage = { width: 2, height: 2, channels: 1, data: Float32Array.of(0, 100, 200, 40) };
    const resized = resizeBilinear(image, 4, 4);
    expect(resized.channels).toBe(1);
    expect([...resized.data]).toEqual(expected4x4.flat());
  });

  it('upscales a 2x2 RGB image to 4x4, rounding to uint8, each channel alike', () => {
    const resized = resizeBilinear(grayRgb(2, 2, [0, 100, 200, 40]), 4, 4);
    expect([resized.width, resized.height]).toEqual([4, 4]);
    expect(channel0(resized)).toEqual([0, 25, 75, 100, 50, 59, 76, 85, 150, 126, 79, 55, 200, 160, 80, 40]);
    expect(resized.data.every((v, i) => v === resized.data[i - (i % 3)])).toBe(true);
  });

  it('keeps channels apart (3-channel float, 1x2 -> 1x4)', () => {
    const image: FloatImage = { width: 2, height: 1, channels: 3, data: Float32Array.of(0, 10, -4, 8, 30, 4) };
    expect([...resizeBilinear(image, 4, 1).data]).toEqual([0, 10, -4, 2, 15, -2, 6, 25, 2, 8, 30, 4]);
  });

  it('downscales 4x4 -> 2x2 by averaging 2x2 blocks (samples at 0.5 and 2.5)', () => {
    const values = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150];
    expect(channel0(resizeBilinear(grayRgb(4, 4, values), 2, 2))).toEqual([25, 45, 105, 125]);
  });

  it('gives an equal copy when the size does not change', () => {
    const image = grayRgb(3, 2, [1, 2, 3, 4, 5, 6]);
    const same = resizeBilinear(image, 3, 2);
    expect(same).toEqual(image);
    expect(same.data).not.toBe(image.data);
    const float: FloatImage = { width: 1, height: 2, channels: 2, data: Float32Array.of(0.1, 0.2, 0.3, 0.4) };
    expect(resizeBilinear(float, 1, 2)).toEqual(float);
  });

  it('refuses a bad target size or malformed input', () => {
    const image = grayRgb(2, 2, [0, 0, 0, 0]);
    expect(() => resizeBilinear(image, 0, 2)).toThrow(RangeError);
    expect(() => resizeBilinear(image, 2.5, 2)).toThrow(RangeError);
    expect(() => resizeBilinear({ width: 2, height: 2, data: new Uint8Array(4) }, 4, 4)).toThrow(/needs 12 bytes/);
  });
});

describe('resizeNearest', () => {
  it('upscales 3 -> 5 taking floor((d + 0.5) * 3 / 5): 0, 0, 1, 2, 2', () => {
    const labels: LabelImage = { width: 3, height: 1, data: Uint8Array.of(7, 8, 9) };
    expect([...resizeNearest(labels, 5, 1).data]).toEqual([7, 7, 8, 9, 9]);
  });

  it('downscales 4x4 -> 2x2 taking source rows and columns 1 and 3', () => {
    const labels: LabelImage = { width: 4, height: 4, data: Uint8Array.from({ length: 16 }, (_, i) => i) };
    expect([...resizeNearest(labels, 2, 2).data]).toEqual([5, 7, 13, 15]);
  });

  it('doubles a 2x2 map into 2x2 blocks, and copies when the size matches', () => {
    const labels: LabelImage = { width: 2, height: 2, data: Uint8Array.of(1, 2, 3, 255) };
    expect([...resizeNearest(labels, 4, 4).data]).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 255, 255, 3, 3, 255, 255]);
    const same = resizeNearest(labels, 2, 2);
    expect(same).toEqual(labels);
    expect(same.data).not.toBe(labels.data);
  });

  it('never invents a label value', () => {
    const random = new SeededRandom(5, 'nearest');
    const values = [0, 3, 15, 255];
    const labels: LabelImage = {
      width: 37,
      height: 23,
      data: Uint8Array.from({ length: 37 * 23 }, () => values[random.int(values.length)]!),
    };
    for (const [w, h] of [
      [50, 31],
      [11, 7],
      [128, 128],
      [1, 1],
    ]) {
      const out = resizeNearest(labels, w!, h!);
      expect(new Set(out.data).size).toBeLessThanOrEqual(4);
      expect([...new Set(out.data)].every((v) => values.includes(v))).toBe(true);
    }
  });
});

describe('resize windows', () => {
  const random = new SeededRandom(11, 'window');
  const image: RgbImage = { width: 23, height: 17, data: Uint8Array.from({ length: 23 * 17 * 3 }, () => random.int(256)) };
  const labels: LabelImage = { width: 23, height: 17, data: Uint8Array.from({ length: 23 * 17 }, () => random.int(21)) };

  it.each([
    [46, 34, { x: 5, y: 3, width: 20, height: 30 }],
    [12, 9, { x: 0, y: 0, width: 12, height: 9 }],
    [23, 17, { x: 4, y: 2, width: 10, height: 10 }],
    [60, 8, { x: 59, y: 7, width: 1, height: 1 }],
  ])('give exactly that part of the full %ix%i resize', (width, height, window) => {
    const full = resizeBilinear(image, width, height);
    const part = resizeBilinearWindow(image, width, height, window);
    expect(part.data).toEqual(cutWindow(full.data, width, height, 3, window.x, window.y, window.width, window.height, [0, 0, 0]));
    const fullLabels = resizeNearest(labels, width, height);
    const partLabels = resizeNearestWindow(labels, width, height, window);
    expect(partLabels).toEqual({
      width: window.width,
      height: window.height,
      data: cutWindow(fullLabels.data, width, height, 1, window.x, window.y, window.width, window.height, [0]),
    });
  });

  it('refuse a window outside the resized image', () => {
    expect(() => resizeBilinearWindow(image, 10, 10, { x: 5, y: 0, width: 6, height: 2 })).toThrow(RangeError);
    expect(() => resizeNearestWindow(labels, 10, 10, { x: -1, y: 0, width: 2, height: 2 })).toThrow(RangeError);
  });
});
