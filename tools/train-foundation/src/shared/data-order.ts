// Which samples a step trains on: epoch e visits the training set in the order
// seededShuffle(indices, seed, e) (@fmwiss/training), in consecutive batches, the last short batch
// dropped. A pure function of (seed, step): resuming needs no data-loader state.
import { seededShuffle } from '@fmwiss/training';
import type { SeedPart } from '@fmwiss/random';

export interface DataPosition {
  epoch: number;
  /** The batch's first position in the epoch's order. */
  offset: number;
  /** Indices into the training set. */
  indices: number[];
}

export class DataOrder {
  readonly stepsPerEpoch: number;
  private cachedEpoch = -1;
  private cachedOrder: number[] = [];

  constructor(
    readonly count: number,
    readonly batchSize: number,
    readonly seed: SeedPart,
  ) {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
    if (count < batchSize) throw new RangeError(`a batch of ${batchSize} needs at least as many training samples, there are ${count}`);
    this.stepsPerEpoch = Math.floor(count / batchSize);
  }

  /** The samples of optimisation step `step` (0-based). */
  at(step: number): DataPosition {
    if (!Number.isInteger(step) || step < 0) throw new RangeError(`step must be an integer >= 0, got ${step}`);
    const epoch = Math.floor(step / this.stepsPerEpoch);
    const offset = (step % this.stepsPerEpoch) * this.batchSize;
    if (epoch !== this.cachedEpoch) {
      this.cachedOrder = seededShuffle(Array.from({ length: this.count }, (_, i) => i), this.seed, epoch);
      this.cachedEpoch = epoch;
    }
    return { epoch, offset, indices: this.cachedOrder.slice(offset, offset + this.batchSize) };
  }
}
