import { InvalidArgumentError } from '@fmwiss/service-kit';
import { checkFraction } from './shapes';

/** K of METHOD.md section 2: the share of the map's mass (or locations) kept. */
export const DEFAULT_MASS_FRACTION = 0.7;

/**
 * How a [0,1] map becomes a binary mask (seed_refiner.proto's Binarization):
 * - `mass`: the DINO-style mass threshold, the method's default;
 * - `top-fraction`: the top K fraction of locations.
 */
export type BinarizationMode = 'mass' | 'top-fraction';

function checkMap(map: Float32Array): void {
  for (let i = 0; i < map.length; i++) {
    const v = map[i]!;
    if (!(v >= 0) || v === Infinity) {
      throw new InvalidArgumentError(`a map to binarise needs finite values >= 0; location ${i} holds ${v}`);
    }
  }
}

/** Keeps every location whose value is >= threshold and > 0. */
function keepFrom(map: Float32Array, threshold: number): Uint8Array {
  const mask = new Uint8Array(map.length);
  for (let i = 0; i < map.length; i++) if (map[i]! >= threshold && map[i]! > 0) mask[i] = 1;
  return mask;
}

/** The values sorted descending (a copy). */
function sortedDescending(map: Float32Array): Float32Array {
  return map.slice().sort().reverse();
}

/**
 * The value threshold of the mass rule: with the values sorted descending, the value at which their
 * running sum first reaches K times the total. Infinity when the map sums to 0 (keep nothing).
 * The total is summed in the same (descending) order, so for K = 1 the running sum reaches it exactly.
 */
export function massThreshold(map: Float32Array, fraction: number): number {
  checkFraction('mass fraction K', fraction);
  checkMap(map);
  const sorted = sortedDescending(map);
  let total = 0;
  for (let i = 0; i < sorted.length; i++) total += sorted[i]!;
  if (!(total > 0)) return Infinity;
  const target = fraction * total;
  let running = 0;
  for (let i = 0; i < sorted.length; i++) {
    running += sorted[i]!;
    if (running >= target) return sorted[i]!;
  }
  return sorted[sorted.length - 1]!; // unreachable: the last running sum equals total >= target
}

/**
 * DINO-style mass threshold: keep the locations whose values, taken in descending order, are needed
 * for their cumulative sum to reach K times the map's total. Every location tied with the last value
 * needed is kept too (the rule depends on values only, never on location order), so the kept mass
 * can exceed K. Zero-valued locations are never kept; an all-zero map gives an empty mask.
 * Values must be finite and >= 0; K in (0, 1]. Returns a 0/1 mask of the map's length.
 */
export function binarizeMass(map: Float32Array, fraction: number): Uint8Array {
  return keepFrom(map, massThreshold(map, fraction));
}

/**
 * Top-fraction rule: keep the ceil(K * n) locations of highest value, n = the map's size. Ties are
 * resolved by value alone: every location equal to the value at rank ceil(K * n) is kept as well, so
 * a plateau is never cut by location order (the mask is deterministic and may hold more than
 * ceil(K * n) locations). Zero-valued locations are never kept (they carry no evidence), so an
 * all-zero map gives an empty mask. Values must be finite and >= 0; K in (0, 1].
 */
export function binarizeTopFraction(map: Float32Array, fraction: number): Uint8Array {
  checkFraction('top fraction K', fraction);
  checkMap(map);
  if (map.length === 0) return new Uint8Array(0);
  // The 1e-12 absorbs float error in K * n (0.07 * 100 = 7.000000000000001 must keep 7, not 8).
  const count = Math.min(map.length, Math.max(1, Math.ceil(fraction * map.length * (1 - 1e-12))));
  const sorted = sortedDescending(map);
  return keepFrom(map, sorted[count - 1]!);
}

/** The binarisation named by `mode` (binarizeMass or binarizeTopFraction). */
export function binarize(map: Float32Array, mode: BinarizationMode, fraction: number): Uint8Array {
  switch (mode) {
    case 'mass':
      return binarizeMass(map, fraction);
    case 'top-fraction':
      return binarizeTopFraction(map, fraction);
    default:
      throw new InvalidArgumentError(`binarization must be "mass" or "top-fraction", got ${String(mode)}`);
  }
}
