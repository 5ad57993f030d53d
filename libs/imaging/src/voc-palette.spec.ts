import { VOC_PALETTE } from './voc-palette';

const colour = (index: number) => [...VOC_PALETTE.subarray(index * 3, index * 3 + 3)];

describe('VOC_PALETTE', () => {
  it('holds 256 RGB triples', () => {
    expect(VOC_PALETTE).toHaveLength(768);
  });

  it.each([
    [0, [0, 0, 0]],
    [1, [128, 0, 0]],
    [2, [0, 128, 0]],
    [3, [128, 128, 0]],
    [7, [128, 128, 128]],
    [8, [64, 0, 0]],
    [15, [192, 128, 128]],
    [20, [0, 64, 128]],
    [255, [224, 224, 192]],
  ])('index %i is %j', (index, rgb) => {
    expect(colour(index)).toEqual(rgb);
  });

  it('gives every index its own colour', () => {
    const seen = new Set(Array.from({ length: 256 }, (_, i) => colour(i).join(',')));
    expect(seen.size).toBe(256);
  });
});
