import { DEFAULT_REFINE_OPTIONS, resolveRefineOptions } from './refine-options';

describe('resolveRefineOptions', () => {
  it('fills the defaults of seed_refiner.proto', () => {
    expect(resolveRefineOptions()).toEqual({
      massFraction: 0.7,
      binarization: 'mass',
      numSeeds: 9,
      randomSeed: 0,
      fusion: 'union',
      includeIntermediates: false,
    });
    expect(resolveRefineOptions({ numSeeds: 3, randomSeed: 2n ** 63n })).toEqual({ ...DEFAULT_REFINE_OPTIONS, numSeeds: 3, randomSeed: 2n ** 63n });
  });

  it('accepts K = 1 and N = 1024, rejects what is outside', () => {
    expect(() => resolveRefineOptions({ massFraction: 1, numSeeds: 1024 })).not.toThrow();
    expect(() => resolveRefineOptions({ massFraction: -0.1 })).toThrow(/massFraction/);
    expect(() => resolveRefineOptions({ numSeeds: 2.5 })).toThrow(/numSeeds/);
    expect(() => resolveRefineOptions({ randomSeed: 2n ** 64n })).toThrow(/randomSeed/);
    expect(() => resolveRefineOptions({ randomSeed: 0.5 })).toThrow(/randomSeed/);
    expect(() => resolveRefineOptions({ includeIntermediates: 'yes' as never })).toThrow(/includeIntermediates/);
  });
});
