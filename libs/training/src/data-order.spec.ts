import { batches, seededShuffle } from './data-order';

const ids = Array.from({ length: 50 }, (_, i) => `img-${i}`);

describe('seededShuffle', () => {
  it('gives the same order for the same seed and epoch, on repeat', () => {
    expect(seededShuffle(ids, 42, 3)).toEqual(seededShuffle(ids, 42, 3));
  });

  it('gives a different order for another epoch or seed, and a permutation every time', () => {
    const epoch0 = seededShuffle(ids, 42, 0);
    expect(seededShuffle(ids, 42, 1)).not.toEqual(epoch0);
    expect(seededShuffle(ids, 43, 0)).not.toEqual(epoch0);
    expect(epoch0).not.toEqual(ids);
    expect([...epoch0].sort()).toEqual([...ids].sort());
  });

  it('does not modify its input and rejects a bad epoch', () => {
    const copy = [...ids];
    seededShuffle(ids, 1, 0);
    expect(ids).toEqual(copy);
    expect(() => seededShuffle(ids, 1, -1)).toThrow(/epoch/);
  });
});

describe('batches', () => {
  it('splits in order, keeping or dropping the last short batch', () => {
    expect(batches([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(batches([1, 2, 3, 4, 5], 2, { dropLast: true })).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(batches([1, 2, 3, 4], 2, { dropLast: true })).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(batches([], 3)).toEqual([]);
    expect(batches([1], 3, { dropLast: true })).toEqual([]);
    expect(() => batches([1], 0)).toThrow(/batchSize/);
  });
});
