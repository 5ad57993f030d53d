import { InvalidArgumentError } from '@fmwiss/service-kit';
import { attentionHeads, patchOfPixel, seedAttentionMap, seedAttentionPatchMap } from './seed-attention';

const grid = { height: 2, width: 2 };
const imageSize = { height: 8, width: 8 };

/** [n,T,T] filled with 9 (values that must not be read), with the given rows set. */
function attentionTensor(heads: number, T: number, rows: Record<string, number[]>): Float32Array {
  const attention = new Float32Array(heads * T * T).fill(9);
  for (const [at, values] of Object.entries(rows)) {
    const [head, row] = at.split(':').map(Number);
    attention.set(values, (head! * T + row!) * T);
  }
  return attention;
}

describe('patchOfPixel', () => {
  it('floors x * w / W and y * h / H', () => {
    expect(patchOfPixel({ x: 3, y: 3 }, grid, imageSize)).toEqual({ px: 0, py: 0 });
    expect(patchOfPixel({ x: 4, y: 4 }, grid, imageSize)).toEqual({ px: 1, py: 1 });
    const wide = { height: 6, width: 10 };
    const grid43 = { height: 3, width: 4 };
    expect(patchOfPixel({ x: 2, y: 5 }, grid43, wide)).toEqual({ px: 0, py: 2 }); // 0.8, 2.5
    expect(patchOfPixel({ x: 3, y: 1 }, grid43, wide)).toEqual({ px: 1, py: 0 }); // 1.2, 0.5
    expect(patchOfPixel({ x: 9, y: 4 }, grid43, wide)).toEqual({ px: 3, py: 2 }); // 3.6, 2
  });

  it('rejects a point outside the image', () => {
    expect(() => patchOfPixel({ x: 8, y: 0 }, grid, imageSize)).toThrow(InvalidArgumentError);
    expect(() => patchOfPixel({ x: 0.5, y: 0 }, grid, imageSize)).toThrow('seed (0.5, 0) is not a pixel of the 8x8 image');
  });
});

describe('seedAttentionPatchMap', () => {
  // n = 2 heads, 1 prefix token, 2x2 patches: T = 5; patch (py, px) is token 1 + 2 py + px.
  // Seed A (5, 1) is in patch (0, 1) = token 2; seed B (0, 7) in patch (1, 0) = token 3.
  const attention = attentionTensor(2, 5, {
    '0:2': [0.5, 0.1, 0.2, 0.3, 0.4],
    '1:2': [0.5, 0.3, 0.2, 0.1, 0.0],
    '0:3': [0.7, 0.0, 0.0, 0.4, 0.4],
    '1:3': [0.7, 0.2, 0.2, 0.0, 0.4],
  });
  const seeds = [
    { x: 5, y: 1 },
    { x: 0, y: 7 },
  ];

  it('averages the seed rows over heads and seeds, dropping the prefix column', () => {
    // A: heads mean [0.2, 0.2, 0.2, 0.2]; B: [0.1, 0.1, 0.2, 0.4]; seeds mean [0.15, 0.15, 0.2, 0.3].
    const map = seedAttentionPatchMap({ attention, prefixTokens: 1, grid, imageSize, seeds });
    [0.15, 0.15, 0.2, 0.3].forEach((v, i) => expect(map[i]).toBeCloseTo(v, 6));
  });

  it('counts a repeated seed twice', () => {
    const map = seedAttentionPatchMap({ attention, prefixTokens: 1, grid, imageSize, seeds: [seeds[0]!, seeds[0]!, seeds[1]!] });
    [0.5 / 3, 0.5 / 3, 0.2, 0.8 / 3].forEach((v, i) => expect(map[i]).toBeCloseTo(v, 6));
  });

  it('is all zeros without seeds', () => {
    expect(Array.from(seedAttentionPatchMap({ attention, prefixTokens: 1, grid, imageSize, seeds: [] }))).toEqual([0, 0, 0, 0]);
  });
});

describe('seedAttentionMap', () => {
  it('lands a single hot patch where its pixels are', () => {
    // 1 head, no prefix: the seed's patch (0, 0) attends only to patch (py 0, px 1), the top-right one.
    const attention = attentionTensor(1, 4, { '0:0': [0, 1, 0, 0] });
    const map = seedAttentionMap({ attention, prefixTokens: 0, grid, imageSize, seeds: [{ x: 0, y: 0 }] });
    // 2 -> 8 with half-pixel centres: pixel x samples column (x + 0.5) / 4 - 0.5, clamped to [0, 1].
    const columns = [0, 0, 0.125, 0.375, 0.625, 0.875, 1, 1]; // weight of patch column 1
    const rows = [1, 1, 0.875, 0.625, 0.375, 0.125, 0, 0]; // weight of patch row 0
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) expect(map[y * 8 + x]).toBeCloseTo(rows[y]! * columns[x]!, 6);
    }
    expect(map[2 * 8 + 3]).toBeCloseTo(0.328125, 6); // (x 3, y 2) = 0.875 * 0.375
    // The maximum 1 covers the top-right 2x2 pixels only (x 6..7, y 0..1).
    const ones = [...map.keys()].filter((i) => map[i] === 1).map((i) => [i % 8, Math.floor(i / 8)]);
    expect(ones).toEqual([
      [6, 0],
      [7, 0],
      [6, 1],
      [7, 1],
    ]);
  });

  it('min-max scales to [0, 1]; uniform attention or no seeds give zeros', () => {
    const attention = attentionTensor(1, 5, { '0:1': [0.2, 0.2, 0.2, 0.2, 0.2] });
    const uniform = seedAttentionMap({ attention, prefixTokens: 1, grid, imageSize, seeds: [{ x: 0, y: 0 }] });
    expect(uniform.every((v) => v === 0)).toBe(true);
    const none = seedAttentionMap({ attention, prefixTokens: 1, grid, imageSize, seeds: [] });
    expect(none).toHaveLength(64);
    expect(none.every((v) => v === 0)).toBe(true);
  });
});

describe('attentionHeads', () => {
  it('reads n from [n,T,T] and rejects a length that does not fit', () => {
    expect(attentionHeads(new Float32Array(3 * 25), 1, grid)).toBe(3);
    expect(() => attentionHeads(new Float32Array(3 * 16), 1, grid)).toThrow(
      'attention of 48 values is not [n,T,T] with T = 1 prefix tokens + 2x2 patches = 5',
    );
    expect(() => attentionHeads(new Float32Array(25), -1, grid)).toThrow(/prefixTokens/);
  });
});
