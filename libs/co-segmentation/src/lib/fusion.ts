import { InvalidArgumentError } from '@fmwiss/service-kit';

/**
 * How the binarised M_init and the binarised seed map become one mask (seed_refiner.proto's Fusion):
 * `union` (the method's default), `intersection`, `init-only` (no seed guidance), `seeds-only`.
 */
export type FusionMode = 'union' | 'intersection' | 'init-only' | 'seeds-only';

export const FUSION_MODES: readonly FusionMode[] = Object.freeze(['union', 'intersection', 'init-only', 'seeds-only']);

/**
 * Fuses two binary masks of the same length (any non-zero value counts as 1) into a new 0/1 mask:
 *
 * | init | seeds | union | intersection | init-only | seeds-only |
 * |  0   |   0   |   0   |      0       |     0     |     0      |
 * |  0   |   1   |   1   |      0       |     0     |     1      |
 * |  1   |   0   |   1   |      0       |     1     |     0      |
 * |  1   |   1   |   1   |      1       |     1     |     1      |
 */
export function fuseMasks(initBinary: Uint8Array /* [H,W] */, seedBinary: Uint8Array /* [H,W] */, mode: FusionMode): Uint8Array /* [H,W] */ {
  if (initBinary.length !== seedBinary.length) {
    throw new InvalidArgumentError(`masks to fuse differ in size: ${initBinary.length} and ${seedBinary.length} pixels`);
  }
  const out = new Uint8Array(initBinary.length);
  const n = out.length;
  switch (mode) {
    case 'union':
      for (let i = 0; i < n; i++) out[i] = initBinary[i] !== 0 || seedBinary[i] !== 0 ? 1 : 0;
      return out;
    case 'intersection':
      for (let i = 0; i < n; i++) out[i] = initBinary[i] !== 0 && seedBinary[i] !== 0 ? 1 : 0;
      return out;
    case 'init-only':
      for (let i = 0; i < n; i++) out[i] = initBinary[i] !== 0 ? 1 : 0;
      return out;
    case 'seeds-only':
      for (let i = 0; i < n; i++) out[i] = seedBinary[i] !== 0 ? 1 : 0;
      return out;
    default:
      throw new InvalidArgumentError(`fusion must be one of ${FUSION_MODES.join(', ')}, got ${String(mode)}`);
  }
}
