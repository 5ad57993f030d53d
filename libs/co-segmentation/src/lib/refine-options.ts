import type { SeedPart } from '@fmwiss/random';
import { InvalidArgumentError } from '@fmwiss/service-kit';
import { DEFAULT_MASS_FRACTION, type BinarizationMode } from './binarize';
import { FUSION_MODES, type FusionMode } from './fusion';
import { checkNumSeeds, DEFAULT_NUM_SEEDS } from './seeds';
import { checkFraction } from './shapes';

/** Options of the seed refinement (seed_refiner.proto's RefineOptions); unset fields take the defaults. */
export interface RefineOptions {
  /** K in (0, 1]. Default 0.7. */
  massFraction?: number;
  /** Default 'mass'. */
  binarization?: BinarizationMode;
  /** N in [1, 1024]. Default 9. */
  numSeeds?: number;
  /** Seed of the seed-point draw. Default 0. A number must be a non-negative safe integer, a bigint fit uint64. */
  randomSeed?: SeedPart;
  /** Default 'union'. */
  fusion?: FusionMode;
  /** Return each class's intermediate maps. Default false. */
  includeIntermediates?: boolean;
}

export type ResolvedRefineOptions = Required<RefineOptions>;

export const DEFAULT_REFINE_OPTIONS: Readonly<ResolvedRefineOptions> = Object.freeze({
  massFraction: DEFAULT_MASS_FRACTION,
  binarization: 'mass',
  numSeeds: DEFAULT_NUM_SEEDS,
  randomSeed: 0,
  fusion: 'union',
  includeIntermediates: false,
});

const BINARIZATIONS: readonly BinarizationMode[] = ['mass', 'top-fraction'];

/**
 * The options with defaults filled in, validated: throws an InvalidArgumentError naming the first
 * bad option (`massFraction` outside (0, 1], `numSeeds` outside [1, 1024], an unknown mode, ...).
 */
export function resolveRefineOptions(options: RefineOptions = {}): ResolvedRefineOptions {
  const resolved: ResolvedRefineOptions = {
    massFraction: options.massFraction ?? DEFAULT_REFINE_OPTIONS.massFraction,
    binarization: options.binarization ?? DEFAULT_REFINE_OPTIONS.binarization,
    numSeeds: options.numSeeds ?? DEFAULT_REFINE_OPTIONS.numSeeds,
    randomSeed: options.randomSeed ?? DEFAULT_REFINE_OPTIONS.randomSeed,
    fusion: options.fusion ?? DEFAULT_REFINE_OPTIONS.fusion,
    includeIntermediates: options.includeIntermediates ?? DEFAULT_REFINE_OPTIONS.includeIntermediates,
  };
  checkFraction('massFraction', resolved.massFraction);
  if (!BINARIZATIONS.includes(resolved.binarization)) {
    throw new InvalidArgumentError(`binarization must be one of ${BINARIZATIONS.join(', ')}, got ${String(resolved.binarization)}`);
  }
  checkNumSeeds(resolved.numSeeds);
  const seed = resolved.randomSeed;
  if (
    (typeof seed === 'number' && (!Number.isSafeInteger(seed) || seed < 0)) ||
    (typeof seed === 'bigint' && (seed < 0n || seed >= 1n << 64n)) ||
    (typeof seed !== 'number' && typeof seed !== 'bigint' && typeof seed !== 'string')
  ) {
    throw new InvalidArgumentError(`randomSeed must be a non-negative integer (uint64), got ${String(seed)}`);
  }
  if (!FUSION_MODES.includes(resolved.fusion)) {
    throw new InvalidArgumentError(`fusion must be one of ${FUSION_MODES.join(', ')}, got ${String(resolved.fusion)}`);
  }
  if (typeof resolved.includeIntermediates !== 'boolean') {
    throw new InvalidArgumentError(`includeIntermediates must be true or false, got ${String(resolved.includeIntermediates)}`);
  }
  return resolved;
}
