import { SeededRandom } from './seeded-random';

describe('SeededRandom', () => {
  it('gives the same sequence for the same seed and key, and another for another key', () => {
    const draw = (r: SeededRandom) => Array.from({ length: 5 }, () => r.nextUint32());
    expect(draw(new SeededRandom(7, 'a', 1))).toEqual(draw(new SeededRandom(7, 'a', 1)));
    expect(draw(new SeededRandom(7, 'a', 1))).not.toEqual(draw(new SeededRandom(7, 'a', 2)));
    expect(draw(new SeededRandom(7, 'a', 1))).not.toEqual(draw(new SeededRandom(8, 'a', 1)));
  });

  it('does not confuse key boundaries ("ab","c" vs "a","bc")', () => {
    expect(new SeededRandom(1, 'ab', 'c').nextUint32()).not.toBe(new SeededRandom(1, 'a', 'bc').nextUint32());
  });

  it('pins the stream so that recorded runs stay reproducible across releases', () => {
    const r = new SeededRandom(42, 'pin');
    const values = Array.from({ length: 3 }, () => r.nextUint32());
    // If this changes, every seeded choice in fmwiss changes: bump it only on purpose.
    expect(values).toMatchSnapshot();
  });

  it('draws integers uniformly in [0, n) (chi-square, 10 bins, 50k draws)', () => {
    const r = new SeededRandom(3, 'uniform');
    const counts = new Array<number>(10).fill(0);
    const draws = 50_000;
    for (let i = 0; i < draws; i++) counts[r.int(10)]!++;
    const expected = draws / 10;
    const chi2 = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    // 9 degrees of freedom: P(chi2 > 27.9) = 0.001.
    expect(chi2).toBeLessThan(27.9);
  });

  it('next() stays in [0,1) and int() rejects bad bounds', () => {
    const r = new SeededRandom('x');
    for (let i = 0; i < 1000; i++) {
      const u = r.next();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
    }
    expect(() => r.int(0)).toThrow(RangeError);
    expect(() => r.int(1.5)).toThrow(RangeError);
  });

  it('shuffles into a permutation', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = new SeededRandom(1).shuffle([...items]);
    expect(shuffled).not.toEqual(items);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
  });
});
