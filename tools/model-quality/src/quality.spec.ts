import { blobAttention } from '@fmwiss/model-fixtures';

import { pickRows, seedAttentionIoU } from './quality';

describe('seedAttentionIoU', () => {
  it('matches the hand-worked case of one object patch under a self-attending ViT', () => {
    // 64x64 image, 8x8 grid of 8 px patches; the object is exactly patch (3, 3): pixels 24..31.
    // With radius 0 both heads attend to the query patch alone, so all 9 seeds give a patch map of 1
    // at (3, 3) and 0 elsewhere. Upsampled bilinearly (half-pixel centres) it is w(x) * w(y) with
    // w = 1/16, 3/16, ..., 15/16, 15/16, ..., 1/16 over pixels 20..35, i.e. a * b / 256 for odd a, b.
    // The products total 128^2 = 16384; taken in descending order they pass 0.7 * 16384 = 11468.8
    // inside the group a * b = 75 (11400 above it, 12000 with it), so the mask is every pixel with
    // a * b >= 75: 96 pixels holding the 64 of the object. IoU = 64 / 96.
    const size = 64;
    const labels = new Uint8Array(size * size);
    for (let y = 24; y < 32; y++) labels.fill(7, y * size + 24, y * size + 32);
    const attention = { heads: 2, tokens: 65, prefixTokens: 1, gridHeight: 8, gridWidth: 8, data: blobAttention(8, 0), modelMs: 0 };
    const iou = seedAttentionIoU(labels, { height: size, width: size }, 7, attention, { seed: 3, imageId: 'x' }, 9, 0.7);
    expect(iou).toBeCloseTo(2 / 3, 12);
    // The seeds do not matter here (all in the one patch), nor how many there are.
    expect(seedAttentionIoU(labels, { height: size, width: size }, 7, attention, { seed: 99, imageId: 'y' }, 1, 0.7)).toBeCloseTo(2 / 3, 12);
  });
});

describe('pickRows', () => {
  it('takes rows of a row-major matrix in the given order', () => {
    expect(Array.from(pickRows(Float32Array.of(1, 2, 3, 4, 5, 6), 2, [2, 0]))).toEqual([5, 6, 1, 2]);
  });
});
