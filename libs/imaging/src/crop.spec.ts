import { centerCropOrPadImage, centerCropOrPadLabels, centerOffset, cutWindow } from './crop';
import type { LabelImage, RgbImage } from './types';

const labels4x3: LabelImage = { width: 4, height: 3, data: Uint8Array.from({ length: 12 }, (_, i) => i) };

describe('cutWindow', () => {
  it('cuts inside, pads outside with the fill, and mirrors on request', () => {
    const rows = (data: Uint8Array, width: number) =>
      Array.from({ length: data.length / width }, (_, y) => [...data.subarray(y * width, (y + 1) * width)]);
    expect(rows(cutWindow(labels4x3.data, 4, 3, 1, 1, 1, 2, 2, [99]), 2)).toEqual([
      [5, 6],
      [9, 10],
    ]);
    expect(rows(cutWindow(labels4x3.data, 4, 3, 1, -1, 2, 3, 2, [99]), 3)).toEqual([
      [99, 8, 9],
      [99, 99, 99],
    ]);
    expect(rows(cutWindow(labels4x3.data, 4, 3, 1, -1, 2, 3, 2, [99], true), 3)).toEqual([
      [9, 8, 99],
      [99, 99, 99],
    ]);
    expect(rows(cutWindow(labels4x3.data, 4, 3, 1, 10, 10, 2, 1, [7]), 2)).toEqual([[7, 7]]);
  });

  it('fills each channel of padded RGB pixels', () => {
    const rgb = Uint8Array.of(1, 2, 3);
    expect([...cutWindow(rgb, 1, 1, 3, 0, 0, 2, 1, [10, 20, 30])]).toEqual([1, 2, 3, 10, 20, 30]);
  });
});

describe('centerCropOrPad', () => {
  it('crops the centre (odd surplus: one more dropped at the bottom/right)', () => {
    expect(centerOffset(4, 1)).toBe(1);
    expect([...centerCropOrPadLabels(labels4x3, 1, 1).data]).toEqual([5]);
    expect([...centerCropOrPadLabels(labels4x3, 2, 1).data]).toEqual([5, 6]);
  });

  it('pads around with 255 by default (odd shortfall: one more at the top/left)', () => {
    const padded = centerCropOrPadLabels({ width: 1, height: 1, data: Uint8Array.of(3) }, 4, 2);
    expect(centerOffset(1, 4)).toBe(-2);
    expect([...padded.data]).toEqual([255, 255, 255, 255, 255, 255, 3, 255]);
    expect([...centerCropOrPadLabels({ width: 1, height: 1, data: Uint8Array.of(3) }, 3, 1, 0).data]).toEqual([0, 3, 0]);
  });

  it('crops one axis and pads the other of an RGB image with the mean fill', () => {
    const image: RgbImage = { width: 3, height: 1, data: Uint8Array.of(1, 1, 1, 2, 2, 2, 3, 3, 3) };
    const out = centerCropOrPadImage(image, 1, 3);
    expect([out.width, out.height]).toEqual([1, 3]);
    expect([...out.data]).toEqual([124, 116, 104, 2, 2, 2, 124, 116, 104]);
    expect([...centerCropOrPadImage(image, 1, 2, [0, 0, 9]).data]).toEqual([0, 0, 9, 2, 2, 2]);
  });
});
