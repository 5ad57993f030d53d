import type { Rgb } from '../raster/paint';
import type { TextureRule } from '../raster/texture';

/**
 * A colour variant of a class. Slots: 0 main body, 1 secondary, 2 accent, 3 dark detail,
 * 4 tyres/hooves/shoes, 5 metal/horn, 6 the texture's second colour.
 */
export interface PaletteVariant {
  /** A colour word a caption may use ("a red car"). */
  readonly name: string;
  readonly colours: readonly Rgb[];
  /** Overrides the class's texture rules for this variant (e.g. a tablecloth vs bare wood). */
  readonly textures?: readonly TextureRule[];
}

export const DARK: Rgb = [38, 38, 42];
export const TYRE: Rgb = [24, 24, 26];
export const METAL: Rgb = [165, 166, 172];

export interface VariantSlots {
  readonly main: Rgb;
  readonly second?: Rgb;
  readonly accent?: Rgb;
  readonly dark?: Rgb;
  readonly tyre?: Rgb;
  readonly metal?: Rgb;
  /** The texture's second colour; defaults to the secondary colour. */
  readonly tex?: Rgb;
}

export function variant(name: string, s: VariantSlots, textures?: readonly TextureRule[]): PaletteVariant {
  const second = s.second ?? s.main;
  const colours: Rgb[] = [s.main, second, s.accent ?? second, s.dark ?? DARK, s.tyre ?? TYRE, s.metal ?? METAL, s.tex ?? second];
  return textures ? { name, colours, textures } : { name, colours };
}

/** A texture rule with sensible defaults (texture colour from slot 6). */
export function tex(
  kind: TextureRule['kind'],
  freq: readonly [number, number],
  amount: readonly [number, number],
  angle?: readonly [number, number],
): TextureRule {
  return angle ? { kind, freq, amount, slot: 6, angle } : { kind, freq, amount, slot: 6 };
}
