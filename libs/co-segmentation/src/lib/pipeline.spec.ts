import { InternalError, InvalidArgumentError } from '@fmwiss/service-kit';
import { initialMasks, refineMasks, type RefineMasksInput } from './pipeline';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

describe('initialMasks', () => {
  const base = {
    denseEmbeddings: Float32Array.of(2, 0, 0, 3), // grid 1x2, d 2: normalised to [1,0] and [0,1]
    grid: { height: 1, width: 2 },
    classTextEmbeddings: Float32Array.of(1, 0),
    backgroundEmbeddings: Float32Array.of(0, 1),
    imageSize: { height: 1, width: 4 },
    temperature: 1,
  };

  it('scores, upsamples, softmaxes over class + background and min-max scales', () => {
    const { masks, classScores, backgroundScores } = initialMasks(base);
    expect(Array.from(classScores)).toEqual([1, 0]);
    expect(Array.from(backgroundScores!)).toEqual([0, 1]);
    // Upsampled class [1, .75, .25, 0], background [0, .25, .75, 1]: p = sigmoid([1, .5, -.5, -1]).
    const p = [1, 0.5, -0.5, -1].map(sigmoid);
    const [lo, hi] = [sigmoid(-1), sigmoid(1)];
    expect(masks).toHaveLength(1);
    p.forEach((v, i) => expect(masks[0]![i]).toBeCloseTo((v - lo) / (hi - lo), 5));
  });

  it('reports the best background prompt per location', () => {
    const { backgroundScores } = initialMasks({ ...base, backgroundEmbeddings: Float32Array.of(0, 1, 0.6, 0.8) });
    expect(Array.from(backgroundScores!)).toEqual([Math.fround(0.6), 1]);
    expect(initialMasks({ ...base, backgroundEmbeddings: new Float32Array(0) }).backgroundScores).toBeNull();
  });

  it('tells request errors from model-output errors', () => {
    expect(() => initialMasks({ ...base, temperature: -1 })).toThrow(InvalidArgumentError);
    expect(() => initialMasks({ ...base, classTextEmbeddings: new Float32Array(0) })).toThrow(
      'an image needs 1 to 64 label classes, got 0',
    );
    expect(() => initialMasks({ ...base, classTextEmbeddings: new Float32Array(65 * 2).fill(Math.SQRT1_2) })).toThrow(
      InvalidArgumentError,
    );
    expect(() => initialMasks({ ...base, denseEmbeddings: new Float32Array(5) })).toThrow(InternalError);
    expect(() => initialMasks({ ...base, denseEmbeddings: Float32Array.of(NaN, 0, 0, 1) })).toThrow(/non-finite/);
    expect(() => initialMasks({ ...base, classTextEmbeddings: Float32Array.of(2, 0) })).toThrow(
      'classTextEmbeddings row 0 has norm 2; rows must be L2-normalised 2-d embeddings',
    );
    expect(() => initialMasks({ ...base, backgroundEmbeddings: Float32Array.of(1, 0, 0) })).toThrow(InternalError);
  });
});

describe('refineMasks', () => {
  // An 8x8 image seen as 2x2 patches (1 prefix token, T = 5) by a 1-head ViT whose patch tokens each
  // attend only to themselves. Class 1's M_init covers the top-left quadrant, class 2's the
  // bottom-right one, so every seed of a class falls in its quadrant's patch.
  const imageSize = { height: 8, width: 8 };
  const grid = { height: 2, width: 2 };
  const attention = new Float32Array(25);
  for (let p = 0; p < 4; p++) attention[(1 + p) * 5 + 1 + p] = 1;
  const quadrant = (x0: number, y0: number, value: number) => {
    const mask = new Float32Array(64);
    for (let y = y0; y < y0 + 4; y++) for (let x = x0; x < x0 + 4; x++) mask[y * 8 + x] = value;
    return mask;
  };
  const input: RefineMasksInput = {
    initialMasks: [quadrant(0, 0, 1), quadrant(4, 4, 0.5)],
    classIds: [1, 2],
    attention,
    prefixTokens: 1,
    grid,
    imageSize,
    imageId: 'img-1',
  };
  const inQuadrant = (mask: Uint8Array, x0: number, y0: number) =>
    [...mask.keys()].filter((i) => mask[i]).every((i) => i % 8 >= x0 && i % 8 < x0 + 4 && Math.floor(i / 8) >= y0 && Math.floor(i / 8) < y0 + 4);
  const count = (mask: Uint8Array) => mask.reduce((a, b) => a + b, 0);

  it('builds the label map from the fused masks', () => {
    const { labels, areas, intermediates } = refineMasks(input);
    for (let i = 0; i < 64; i++) {
      const [x, y] = [i % 8, Math.floor(i / 8)];
      expect(labels[i]).toBe(x < 4 && y < 4 ? 1 : x >= 4 && y >= 4 ? 2 : 0);
    }
    expect(areas).toEqual([
      { classId: 1, pixels: 16 },
      { classId: 2, pixels: 16 },
    ]);
    expect(intermediates).toEqual([]);
  });

  it('returns the intermediates: 9 seeds in the mask, the seed map and its 15-pixel mass binarisation', () => {
    const { intermediates } = refineMasks({ ...input, options: { includeIntermediates: true } });
    expect(intermediates.map((c) => c.classId)).toEqual([1, 2]);
    const [first] = intermediates;
    expect(count(first!.initBinary)).toBe(16); // all tied at 1: the whole quadrant
    expect(first!.seeds).toHaveLength(9);
    for (const { x, y } of first!.seeds) expect(x < 4 && y < 4).toBe(true);
    // The seed map is the hot patch (0,0) upsampled: a(x) a(y) with a = [1,1,.875,.625,.375,.125,0,0].
    const a = [1, 1, 0.875, 0.625, 0.375, 0.125, 0, 0];
    for (let i = 0; i < 64; i++) expect(first!.seedMap[i]).toBeCloseTo(a[i % 8]! * a[Math.floor(i / 8)]!, 6);
    // Mass 16, K 0.7 -> 11.2: 4 x 1 + 4 x .875 + .765625 + 4 x .625 + 2 x .546875 = 11.86, threshold .546875.
    expect(count(first!.seedBinary)).toBe(15);
    expect(inQuadrant(first!.seedBinary, 0, 0)).toBe(true);
    expect(first!.seedBinary[3 * 8 + 3]).toBe(0); // .625^2 < .546875
    expect(count(first!.fused)).toBe(16);
    expect(inQuadrant(intermediates[1]!.fused, 4, 4)).toBe(true);
  });

  it('is deterministic for a seed and follows the fusion option', () => {
    const options = { includeIntermediates: true, randomSeed: 42 };
    const a = refineMasks({ ...input, options });
    expect(refineMasks({ ...input, options }).intermediates).toEqual(a.intermediates);
    expect(refineMasks({ ...input, options: { ...options, randomSeed: 43 } }).intermediates[0]!.seeds).not.toEqual(a.intermediates[0]!.seeds);
    const intersection = refineMasks({ ...input, options: { ...options, fusion: 'intersection' } });
    expect(intersection.areas).toEqual([
      { classId: 1, pixels: 15 },
      { classId: 2, pixels: 15 },
    ]);
    const initOnly = refineMasks({ ...input, options: { fusion: 'init-only' } });
    expect(initOnly.areas.map((area) => area.pixels)).toEqual([16, 16]);
  });

  it('handles a class whose M_init is all zeros: no seeds, empty masks', () => {
    const { intermediates, areas } = refineMasks({
      ...input,
      initialMasks: [input.initialMasks[0]!, new Float32Array(64)],
      options: { includeIntermediates: true },
    });
    expect(intermediates[1]!.seeds).toEqual([]);
    expect(count(intermediates[1]!.fused)).toBe(0);
    expect(areas[1]).toEqual({ classId: 2, pixels: 0 });
  });

  it('validates the request with precise messages', () => {
    const bad = (patch: Partial<RefineMasksInput>) => () => refineMasks({ ...input, ...patch });
    expect(bad({ options: { numSeeds: 0 } })).toThrow('numSeeds must be an integer in [1, 1024], got 0');
    expect(bad({ options: { numSeeds: 1025 } })).toThrow(InvalidArgumentError);
    expect(bad({ options: { massFraction: 0 } })).toThrow('massFraction must be in (0, 1], got 0');
    expect(bad({ options: { randomSeed: -1 } })).toThrow(/randomSeed must be a non-negative integer/);
    expect(bad({ options: { fusion: 'xor' as never } })).toThrow(/fusion must be one of union, intersection, init-only, seeds-only/);
    expect(bad({ options: { binarization: 'otsu' as never } })).toThrow(/binarization must be one of mass, top-fraction/);
    expect(bad({ classIds: [], initialMasks: [] })).toThrow('an image needs 1 to 64 classes, got 0');
    expect(bad({ classIds: [1, 1] })).toThrow('class id 1 appears more than once');
    expect(bad({ classIds: [1] })).toThrow('initialMasks holds 2 maps for 1 class ids; they must pair up');
    expect(bad({ initialMasks: [new Float32Array(63), input.initialMasks[1]!] })).toThrow(
      'initial mask of class 1 [8,8] needs 64 values, got 63',
    );
    const over = quadrant(0, 0, 1);
    over[1 * 8 + 2] = 1.5;
    expect(bad({ initialMasks: [over, input.initialMasks[1]!] })).toThrow(
      'initial mask of class 1 must hold values in [0, 1]; pixel (2, 1) holds 1.5',
    );
  });

  it('reports attention that does not fit the grid as an internal error', () => {
    expect(() => refineMasks({ ...input, attention: new Float32Array(16) })).toThrow(InternalError);
    const nan = attention.slice();
    nan[1 * 5 + 1] = NaN;
    expect(() => refineMasks({ ...input, attention: nan })).toThrow(/attention rows of the seeds holds a non-finite value/);
  });
});
