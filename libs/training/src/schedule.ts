import { TrainingError } from './errors';

/** A linear warm-up that multiplies the learning rate over the first `iterations` iterations. */
export interface LinearWarmup {
  /** Iterations of warm-up; 0 disables it. */
  iterations: number;
  /** Factor at iteration 0, rising linearly to 1 at `iterations` (default 0.1, as in mmsegmentation). */
  startFactor?: number;
}

/**
 * The poly schedule of DeepLab: `base * (1 - iteration / maxIterations) ^ power`, 0 from
 * `maxIterations` on. With a warm-up, the poly value is multiplied by
 * `startFactor + (1 - startFactor) * iteration / warmup.iterations` while iteration < warmup.iterations
 * (the poly decay keeps counting from iteration 0, as mmsegmentation's warm-up does).
 * `iteration` counts from 0.
 */
export function polyLearningRate(
  base: number,
  iteration: number,
  maxIterations: number,
  power = 0.9,
  warmup?: LinearWarmup,
): number {
  if (!Number.isFinite(base) || base < 0) throw new TrainingError(`base learning rate must be >= 0, got ${base}`);
  if (!Number.isInteger(iteration) || iteration < 0) {
    throw new TrainingError(`iteration must be an integer >= 0, got ${iteration}`);
  }
  if (!Number.isInteger(maxIterations) || maxIterations < 1) {
    throw new TrainingError(`maxIterations must be an integer >= 1, got ${maxIterations}`);
  }
  if (!Number.isFinite(power) || power < 0) throw new TrainingError(`power must be >= 0, got ${power}`);
  const remaining = Math.max(0, 1 - iteration / maxIterations);
  const poly = remaining === 0 ? 0 : base * remaining ** power;
  if (warmup === undefined || warmup.iterations === 0) return poly;
  const { iterations, startFactor = 0.1 } = warmup;
  if (!Number.isInteger(iterations) || iterations < 0) {
    throw new TrainingError(`warm-up iterations must be an integer >= 0, got ${iterations}`);
  }
  if (!Number.isFinite(startFactor) || startFactor < 0 || startFactor > 1) {
    throw new TrainingError(`warm-up startFactor must be in [0, 1], got ${startFactor}`);
  }
  if (iteration >= iterations) return poly;
  return poly * (startFactor + ((1 - startFactor) * iteration) / iterations);
}
