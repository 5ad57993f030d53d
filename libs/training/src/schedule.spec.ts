import { polyLearningRate } from './schedule';

describe('polyLearningRate', () => {
  it('decays as base * (1 - iter / max) ^ power (hand values)', () => {
    expect(polyLearningRate(0.01, 0, 100)).toBe(0.01);
    // (1 - 50/100)^0.9 = 0.5^0.9 = 0.535887...
    expect(polyLearningRate(0.01, 50, 100)).toBeCloseTo(0.00535887, 8);
    // power 1 is linear: 1e-3 * (1 - 3/4) = 2.5e-4
    expect(polyLearningRate(1e-3, 3, 4, 1)).toBeCloseTo(2.5e-4, 12);
    // power 2: 0.1 * (1 - 1/10)^2 = 0.081
    expect(polyLearningRate(0.1, 1, 10, 2)).toBeCloseTo(0.081, 12);
  });

  it('is 0 at and after maxIterations', () => {
    expect(polyLearningRate(0.01, 100, 100)).toBe(0);
    expect(polyLearningRate(0.01, 150, 100)).toBe(0);
    expect(polyLearningRate(0.01, 100, 100, 0)).toBe(0);
  });

  it('multiplies by a linear warm-up factor during the warm-up, then is plain poly', () => {
    const warmup = { iterations: 10, startFactor: 0.1 };
    // iteration 0: factor 0.1, poly 1
    expect(polyLearningRate(1, 0, 100, 1, warmup)).toBeCloseTo(0.1, 12);
    // iteration 5: factor 0.1 + 0.9 * 5/10 = 0.55, poly 1 - 5/100 = 0.95 -> 0.5225
    expect(polyLearningRate(1, 5, 100, 1, warmup)).toBeCloseTo(0.5225, 12);
    // iteration 10: warm-up over, poly 0.9
    expect(polyLearningRate(1, 10, 100, 1, warmup)).toBeCloseTo(0.9, 12);
    // default startFactor 0.1; iterations 0 disables the warm-up
    expect(polyLearningRate(1, 0, 100, 1, { iterations: 4 })).toBeCloseTo(0.1, 12);
    expect(polyLearningRate(1, 0, 100, 1, { iterations: 0 })).toBe(1);
  });

  it('rejects invalid arguments', () => {
    expect(() => polyLearningRate(-1, 0, 10)).toThrow(/base/);
    expect(() => polyLearningRate(1, -1, 10)).toThrow(/iteration/);
    expect(() => polyLearningRate(1, 0.5, 10)).toThrow(/iteration/);
    expect(() => polyLearningRate(1, 0, 0)).toThrow(/maxIterations/);
    expect(() => polyLearningRate(1, 0, 10, 0.9, { iterations: 5, startFactor: 2 })).toThrow(/startFactor/);
  });
});
