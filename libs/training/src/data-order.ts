import { SeededRandom, type SeedPart } from '@fmwiss/random';
import { TrainingError } from './errors';

/**
 * A deterministic permutation of `ids` for one epoch: the same (seed, epoch) gives the same order on
 * every run and platform, another epoch an independent one. Returns a new array; `ids` is untouched.
 */
export function seededShuffle<T>(ids: readonly T[], seed: SeedPart, epoch: number): T[] {
  if (!Number.isInteger(epoch) || epoch < 0) throw new TrainingError(`epoch must be an integer >= 0, got ${epoch}`);
  return new SeededRandom(seed, 'training/epoch-order', epoch).shuffle([...ids]);
}

/**
 * Splits `ids` into consecutive batches of `batchSize`, in order. The last, shorter batch is kept
 * unless `dropLast` (default false).
 */
export function batches<T>(ids: readonly T[], batchSize: number, options: { dropLast?: boolean } = {}): T[][] {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new TrainingError(`batchSize must be an integer >= 1, got ${batchSize}`);
  }
  const result: T[][] = [];
  const end = options.dropLast ? ids.length - (ids.length % batchSize) : ids.length;
  for (let start = 0; start < end; start += batchSize) result.push(ids.slice(start, start + batchSize));
  return result;
}
