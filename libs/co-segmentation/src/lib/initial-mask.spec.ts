import { InvalidArgumentError } from '@fmwiss/service-kit';
import { initialMasksFromScores } from './initial-mask';

function close(actual: Float32Array, expected: number[], digits = 5): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((v, i) => expect(actual[i]).toBeCloseTo(v, digits));
}

const LN3 = Math.log(3);
const row = (width: number) => ({ height: 1, width });

describe('initialMasksFromScores', () => {
  it('softmaxes over label classes and background, then min-max scales', () => {
    // One label class, one background prompt, grid = image 1x3 (no resampling), T = 1:
    // p = e^l / (e^l + e^b) = [1/2, 1/4, 3/4]; min-max -> [0.5, 0, 1].
    const scores = Float32Array.of(0, 0, LN3, /* background */ 0, LN3, 0);
    const [mask] = initialMasksFromScores({ scores, numLabelClasses: 1, grid: row(3), imageSize: row(3), temperature: 1 });
    close(mask!, [0.5, 0, 1]);
  });

  it('divides the scores by the temperature', () => {
    const scores = Float32Array.of(0, 0, LN3 / 2, 0, LN3 / 2, 0);
    const [mask] = initialMasksFromScores({ scores, numLabelClasses: 1, grid: row(3), imageSize: row(3), temperature: 0.5 });
    close(mask!, [0.5, 0, 1]);
  });

  it('returns one map per label class in order; the background gets none', () => {
    // Two label classes and a background prompt at 1 location each of 2, T = 1.
    const scores = Float32Array.of(LN3, 0, /* class 2 */ 0, LN3, /* background */ 0, 0);
    const masks = initialMasksFromScores({ scores, numLabelClasses: 2, grid: row(2), imageSize: row(2), temperature: 1 });
    expect(masks).toHaveLength(2);
    close(masks[0]!, [1, 0]); // p = [3/5, 1/5]
    close(masks[1]!, [0, 1]);
  });

  it('upsamples the scores before the softmax (our reading), not the probabilities after it', () => {
    // grid 1x2 -> image 1x4. Upsampled label scores [0, ln3/4, 3ln3/4, ln3], background the mirror;
    // label - background = ln3 * [-1, -1/2, 1/2, 1]; p = sigmoid(that) = [1/4, 1/(1+sqrt3), sqrt3/(1+sqrt3), 3/4].
    const scores = Float32Array.of(0, LN3, LN3, 0);
    const [mask] = initialMasksFromScores({ scores, numLabelClasses: 1, grid: row(2), imageSize: row(4), temperature: 1 });
    const s3 = Math.sqrt(3);
    const p = [0.25, 1 / (1 + s3), s3 / (1 + s3), 0.75];
    close(mask!, p.map((v) => (v - 0.25) / 0.5)); // [0, 0.2321, 0.7679, 1]
    // Softmax + min-max at the grid, then upsampling, would give [0, 0.25, 0.75, 1] instead.
    expect(Math.abs(mask![1]! - 0.25)).toBeGreaterThan(0.01);
  });

  it('gives all zeros for a constant probability map', () => {
    const one = initialMasksFromScores({ scores: Float32Array.of(0.2, 0.9), numLabelClasses: 1, grid: row(2), imageSize: row(3) });
    expect(Array.from(one[0]!)).toEqual([0, 0, 0]); // a single class and no background: p = 1 everywhere
    const tie = initialMasksFromScores({ scores: Float32Array.of(0.2, 0.9, 0.2, 0.9), numLabelClasses: 1, grid: row(2), imageSize: row(2) });
    expect(Array.from(tie[0]!)).toEqual([0, 0]); // p = 1/2 everywhere
  });

  it('stays finite with the default temperature 0.01 and large score gaps', () => {
    const [mask] = initialMasksFromScores({ scores: Float32Array.of(1, -1, -1, 1), numLabelClasses: 1, grid: row(2), imageSize: row(2) });
    expect(Array.from(mask!)).toEqual([1, 0]);
  });

  it('matches a per-pixel reference across several row blocks', () => {
    // W * K > 2^19 values per row: one row per block.
    const grid = { height: 2, width: 3 };
    const imageSize = { height: 3, width: (1 << 19) + 7 };
    const label = Float32Array.of(0.1, 0.5, 0.3, 0.2, 0.0, 0.4);
    const background = Float32Array.of(0.3, 0.1, 0.2, 0.6, 0.3, 0.0);
    const scores = Float32Array.of(...label, ...background);
    const [mask] = initialMasksFromScores({ scores, numLabelClasses: 1, grid, imageSize, temperature: 0.1 });
    // Bilinear sample with half-pixel centres, clamped.
    const at = (map: Float32Array, x: number, y: number) => {
      const sx = Math.min(Math.max(((x + 0.5) * grid.width) / imageSize.width - 0.5, 0), grid.width - 1);
      const sy = Math.min(Math.max(((y + 0.5) * grid.height) / imageSize.height - 0.5, 0), grid.height - 1);
      const [x0, y0] = [Math.floor(sx), Math.floor(sy)];
      const [x1, y1] = [Math.min(x0 + 1, grid.width - 1), Math.min(y0 + 1, grid.height - 1)];
      const v = (gx: number, gy: number) => map[gy * grid.width + gx]!;
      const top = v(x0, y0) + (v(x1, y0) - v(x0, y0)) * (sx - x0);
      const bottom = v(x0, y1) + (v(x1, y1) - v(x0, y1)) * (sx - x0);
      return top + (bottom - top) * (sy - y0);
    };
    const p = (x: number, y: number) => 1 / (1 + Math.exp((at(background, x, y) - at(label, x, y)) / 0.1));
    // label - background is -0.4 at the bottom-left patch and 0.4 at the bottom-right one, the extremes,
    // and the bottom corner pixels sample those patches exactly (clamped edges).
    const W = imageSize.width;
    const [lo, hi] = [p(0, 2), p(W - 1, 2)];
    expect(mask![2 * W]).toBe(0);
    expect(mask![3 * W - 1]).toBe(1);
    for (const [x, y] of [[0, 0], [1, 0], [W - 1, 0], [0, 1], [12345, 1], [W >> 1, 1], [W - 2, 2], [400000, 2]] as const) {
      expect(mask![y * W + x]).toBeCloseTo((p(x, y) - lo) / (hi - lo), 5);
    }
  });

  it('rejects bad arguments', () => {
    const base = { scores: new Float32Array(4), numLabelClasses: 1, grid: row(2), imageSize: row(2) };
    expect(() => initialMasksFromScores({ ...base, temperature: 0 })).toThrow(InvalidArgumentError);
    expect(() => initialMasksFromScores({ ...base, temperature: NaN })).toThrow(/temperature must be a finite number > 0/);
    expect(() => initialMasksFromScores({ ...base, numLabelClasses: 3 })).toThrow(/exceeds the 2 score maps/);
    expect(() => initialMasksFromScores({ ...base, scores: new Float32Array(3) })).toThrow(/not a non-empty stack of 1x2 maps/);
    expect(() => initialMasksFromScores({ ...base, imageSize: { height: 0, width: 2 } })).toThrow(/imageSize/);
  });
});
