import { SeededRandom } from '@fmwiss/random';

/** What the reservoir does with the n-th instance offered to a class. */
export type ReservoirDecision =
  | { store: true; slot: number; evicts: boolean }
  | { store: false };

/**
 * Algorithm R (Vitter), one offer at a time, with each offer's random draw derived from
 * (seed, class, offer number) instead of a stateful generator: the decision for offer n is the same
 * whatever happened before, so the archive needs no persisted generator state and a restart after a
 * crash continues the same sequence.
 *
 * The first `capacity` offers fill slots 0..capacity-1. Offer n > capacity draws j uniform in [0, n);
 * if j < capacity, it replaces slot j. After N offers every offered instance is stored with
 * probability capacity / N, independently of the order.
 *
 * @param offerNumber 1-based count of offers to this class, this one included.
 */
export function reservoirDecision(args: {
  capacity: number;
  offerNumber: number;
  seed: number;
  classId: number;
}): ReservoirDecision {
  const { capacity, offerNumber, seed, classId } = args;
  if (offerNumber <= capacity) return { store: true, slot: offerNumber - 1, evicts: false };
  const j = new SeededRandom(seed, 'reservoir', classId, offerNumber).int(offerNumber);
  return j < capacity ? { store: true, slot: j, evicts: true } : { store: false };
}
