import { SeededRandom, type SeedPart } from '@fmwiss/random';
import { InvalidArgumentError } from '@fmwiss/service-kit';
import { checkLength, checkMapSize, type MapSize, type Point } from './shapes';

/** N of METHOD.md section 2 (seed_refiner.proto's default). */
export const DEFAULT_NUM_SEEDS = 9;
/** The most seeds a request may ask for (seed_refiner.proto). */
export const MAX_NUM_SEEDS = 1024;

/** What makes a draw reproducible: the request's seed, the image and the class. */
export interface SeedStream {
  /** RefineOptions.random_seed (default 0). */
  seed: SeedPart;
  imageId: string;
  classId: number;
}

/** Throws an InvalidArgumentError unless 1 <= count <= MAX_NUM_SEEDS. */
export function checkNumSeeds(count: number): void {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_NUM_SEEDS) {
    throw new InvalidArgumentError(`numSeeds must be an integer in [1, ${MAX_NUM_SEEDS}], got ${count}`);
  }
}

/**
 * N seed points drawn uniformly from the foreground (value 1) pixels of a binary mask [H,W], as
 * integer pixel coordinates {x, y}, in draw order. The draw uses the stream
 * SeededRandom(seed, 'seed-points', imageId, classId): the same (seed, image, class) always gives the
 * same points, and different classes or images draw independently.
 *
 * - foreground of F >= N pixels: N distinct pixels (without replacement; a partial Fisher-Yates
 *   shuffle of the foreground pixels in row-major order);
 * - 0 < F < N: N draws with replacement, so pixels repeat;
 * - empty foreground: no seeds (an empty array); the seed map is then all zeros.
 */
export function sampleSeedPoints(mask: Uint8Array /* [H,W] */, size: MapSize /* [H,W] */, count: number, stream: SeedStream): Point[] {
  checkMapSize('mask size', size);
  checkLength('mask', mask, [size.height, size.width]);
  checkNumSeeds(count);
  const foreground: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) foreground.push(i);
  const F = foreground.length;
  if (F === 0) return [];
  const random = new SeededRandom(stream.seed, 'seed-points', stream.imageId, stream.classId);
  const picked: number[] = [];
  if (F >= count) {
    for (let j = 0; j < count; j++) {
      const k = j + random.int(F - j);
      [foreground[j], foreground[k]] = [foreground[k]!, foreground[j]!];
      picked.push(foreground[j]!);
    }
  } else {
    for (let j = 0; j < count; j++) picked.push(foreground[random.int(F)]!);
  }
  return picked.map((index) => ({ x: index % size.width, y: Math.floor(index / size.width) }));
}
