import { minMaxNormalize, upsampleBilinear } from './map-ops';

describe('upsampleBilinear', () => {
  it('uses half-pixel centres with clamped edges', () => {
    // 2 -> 4 columns: x samples at (x + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25.
    expect(Array.from(upsampleBilinear(Float32Array.of(0, 4), { height: 1, width: 2 }, { height: 1, width: 4 }))).toEqual([0, 1, 3, 4]);
  });
});

describe('minMaxNormalize', () => {
  it('spans [0, 1] and turns a constant map into zeros', () => {
    expect(Array.from(minMaxNormalize(Float32Array.of(2, 4, 3)))).toEqual([0, 1, 0.5]);
    expect(Array.from(minMaxNormalize(Float32Array.of(0.3, 0.3)))).toEqual([0, 0]);
  });
});
