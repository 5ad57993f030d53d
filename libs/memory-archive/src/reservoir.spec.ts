import { reservoirDecision } from './reservoir';

/** Runs a whole reservoir over `offers` items and returns the item stored in each slot. */
function runReservoir(capacity: number, offers: number, seed: number): number[] {
  const slots: number[] = [];
  for (let n = 1; n <= offers; n++) {
    const decision = reservoirDecision({ capacity, offerNumber: n, seed, classId: 3 });
    if (decision.store) slots[decision.slot] = n;
  }
  return slots;
}

describe('reservoirDecision', () => {
  it('stores the first B offers in slots 0..B-1 without evicting', () => {
    for (let n = 1; n <= 4; n++) {
      expect(reservoirDecision({ capacity: 4, offerNumber: n, seed: 1, classId: 1 })).toEqual({
        store: true,
        slot: n - 1,
        evicts: false,
      });
    }
  });

  it('is a pure function of (seed, class, offer number)', () => {
    const a = runReservoir(5, 200, 9);
    expect(runReservoir(5, 200, 9)).toEqual(a);
    expect(runReservoir(5, 200, 10)).not.toEqual(a);
  });

  it('keeps every offered item with probability B/N (2000 seeded trials, B=10, N=50)', () => {
    const capacity = 10;
    const offers = 50;
    const trials = 2000;
    const kept = new Array<number>(offers + 1).fill(0);
    for (let seed = 0; seed < trials; seed++) {
      for (const item of runReservoir(capacity, offers, seed)) kept[item]!++;
    }
    const expected = (trials * capacity) / offers; // 400 per item
    // Binomial sd = sqrt(2000 * 0.2 * 0.8) ~ 17.9; 5 sd bounds are deterministic-safe here.
    for (let item = 1; item <= offers; item++) {
      expect(Math.abs(kept[item]! - expected)).toBeLessThan(90);
    }
    // Early and late items are kept alike: compare the first and last fifth.
    const first = kept.slice(1, 11).reduce((a, b) => a + b, 0);
    const last = kept.slice(41, 51).reduce((a, b) => a + b, 0);
    expect(Math.abs(first - last) / expected).toBeLessThan(1.5);
  });

  it('never stores more than B', () => {
    expect(runReservoir(7, 1000, 4)).toHaveLength(7);
  });
});
