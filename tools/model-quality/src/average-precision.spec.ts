import { averagePrecision, meanAveragePrecision } from './average-precision';

describe('averagePrecision', () => {
  it('is the mean precision at each positive of the ranking', () => {
    // Ranked: P N P N -> precision 1/1 at the first positive, 2/3 at the second.
    expect(averagePrecision([0.9, 0.8, 0.7, 0.6], [1, 0, 1, 0])).toBeCloseTo((1 + 2 / 3) / 2, 12);
    // The same items in another order give the same AP.
    expect(averagePrecision([0.6, 0.7, 0.8, 0.9], [0, 1, 0, 1])).toBeCloseTo(5 / 6, 12);
    // Ranked: N N P -> 1/3.
    expect(averagePrecision([0.3, 0.2, 0.1], [false, false, true])).toBeCloseTo(1 / 3, 12);
  });

  it('is 1 for a perfect ranking and when every item is positive', () => {
    expect(averagePrecision([3, 2, 1, 0], [1, 1, 0, 0])).toBe(1);
    expect(averagePrecision([0.1, 0.5, 0.2], [1, 1, 1])).toBe(1);
  });

  it('ranks the negatives of a tie first, whatever the item order', () => {
    // All tied: N N P P -> (1/3 + 2/4) / 2.
    expect(averagePrecision([0.5, 0.5, 0.5, 0.5], [1, 0, 0, 1])).toBeCloseTo(5 / 12, 12);
    expect(averagePrecision([0.5, 0.5, 0.5, 0.5], [0, 1, 1, 0])).toBeCloseTo(5 / 12, 12);
    // 0.9 N, then the tie at 0.5 (N before P), then 0.1 P: positives at ranks 3 and 4.
    expect(averagePrecision([0.9, 0.5, 0.5, 0.1], [0, 1, 0, 1])).toBeCloseTo(5 / 12, 12);
    // A tie of positives only costs nothing.
    expect(averagePrecision([0.7, 0.7, 0.2], [1, 1, 0])).toBe(1);
  });

  it('is null without positives, and refuses NaN scores and mismatched lengths', () => {
    expect(averagePrecision([0.4, 0.3], [0, 0])).toBeNull();
    expect(averagePrecision([], [])).toBeNull();
    expect(() => averagePrecision([0.1, Number.NaN], [1, 0])).toThrow(/score 1 is NaN/);
    expect(() => averagePrecision([0.1], [1, 0])).toThrow(/1 scores but 2 labels/);
  });
});

describe('meanAveragePrecision', () => {
  it('averages the classes that have a positive, and reports each class', () => {
    // 3 items x 3 classes, row-major [items,C].
    const scores = [
      0.9, 0.1, 0.5, //
      0.2, 0.8, 0.5, //
      0.6, 0.3, 0.5, //
    ];
    const positives = [
      1, 0, 0, //
      0, 0, 0, //
      0, 1, 0, //
    ];
    const { mAP, perClass } = meanAveragePrecision(scores, positives, [4, 7, 9]);
    // class 4: ranking 0.9 P, 0.6 N, 0.2 N -> 1; class 7: 0.8 N, 0.3 P, 0.1 N -> 1/2; class 9: no positive.
    expect(perClass).toEqual([
      { classId: 4, ap: 1, positives: 1, items: 3 },
      { classId: 7, ap: 0.5, positives: 1, items: 3 },
      { classId: 9, ap: null, positives: 0, items: 3 },
    ]);
    expect(mAP).toBeCloseTo(0.75, 12);
  });

  it('is null when no class has a positive, and checks the shapes', () => {
    expect(meanAveragePrecision([0.1, 0.2], [0, 0], [1, 2]).mAP).toBeNull();
    expect(() => meanAveragePrecision([0.1, 0.2, 0.3], [0, 0, 0], [1, 2])).toThrow(/not \[items,2\]/);
    expect(() => meanAveragePrecision([], [], [])).toThrow(/no classes/);
  });
});
