import type { SeededRandom } from '@fmwiss/random';
import { fbm, hash2, valueNoise } from './noise';

export const TEXTURE_KINDS = ['solid', 'stripes', 'spots', 'checker', 'gradient', 'noise', 'blotches'] as const;
export type TextureKind = (typeof TEXTURE_KINDS)[number];

/** What a class allows: a kind, a frequency range (cycles per object unit) and an amount range. */
export interface TextureRule {
  readonly kind: TextureKind;
  readonly freq: readonly [number, number];
  readonly amount: readonly [number, number];
  /** Palette slot of the second colour the texture mixes in. */
  readonly slot: number;
  /** Stripe direction range in radians (object space); default any. */
  readonly angle?: readonly [number, number];
}

/** One drawn texture: t(u, v) in [0, 1] mixes the part colour towards colour `slot` by t * amount. */
export interface Texture {
  readonly kind: TextureKind;
  readonly freq: number;
  readonly amount: number;
  readonly slot: number;
  readonly cos: number;
  readonly sin: number;
  readonly phase: number;
  readonly seed: number;
}

const between = (r: SeededRandom, [a, b]: readonly [number, number]): number => a + (b - a) * r.next();

export function sampleTexture(rule: TextureRule, r: SeededRandom): Texture {
  const angle = rule.angle ? between(r, rule.angle) : r.next() * Math.PI;
  return {
    kind: rule.kind,
    freq: between(r, rule.freq),
    amount: between(r, rule.amount),
    slot: rule.slot,
    cos: Math.cos(angle),
    sin: Math.sin(angle),
    phase: r.next(),
    seed: r.int(0x7fffffff),
  };
}

/** Texture value in [0, 1] at object-space point (u, v). */
export function textureAt(t: Texture, u: number, v: number): number {
  switch (t.kind) {
    case 'solid':
      return 0;
    case 'stripes': {
      const s = (u * t.cos + v * t.sin) * t.freq + t.phase;
      return s - Math.floor(s) < 0.5 ? 1 : 0;
    }
    case 'checker': {
      const a = Math.floor((u * t.cos + v * t.sin) * t.freq + t.phase);
      const b = Math.floor((v * t.cos - u * t.sin) * t.freq + t.phase);
      return (a + b) & 1;
    }
    case 'spots': {
      const x = u * t.freq + t.phase;
      const y = v * t.freq;
      const ix = Math.floor(x);
      const iy = Math.floor(y);
      const jx = 0.25 + 0.5 * hash2(ix, iy, t.seed);
      const jy = 0.25 + 0.5 * hash2(ix, iy, t.seed ^ 0x5bd1e995);
      const dx = x - ix - jx;
      const dy = y - iy - jy;
      return dx * dx + dy * dy < 0.07 ? 1 : 0;
    }
    case 'gradient': {
      const s = 0.5 + 0.5 * (u * t.cos + v * t.sin);
      return s < 0 ? 0 : s > 1 ? 1 : s;
    }
    case 'noise': {
      const n = (fbm(u * t.freq + 17.3, v * t.freq, t.seed, 2) - 0.5) * 2.2 + 0.5;
      return n < 0 ? 0 : n > 1 ? 1 : n;
    }
    case 'blotches':
      return valueNoise(u * t.freq + 3.1, v * t.freq, t.seed) > 0.55 ? 1 : 0;
  }
}
