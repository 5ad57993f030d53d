import type { SeededRandom } from '@fmwiss/random';
import type { Context } from '../world/classes';
import { fbmField } from './noise';
import { jitterColour, type Rgb } from './paint';

/** Background families: a plain gradient, a noise field, stripes/tiles, ground plane + sky, wall + floor. */
export const BACKGROUND_FAMILIES = ['gradient', 'noise', 'tiles', 'ground-sky', 'indoor'] as const;
export type BackgroundFamily = (typeof BACKGROUND_FAMILIES)[number];

/** A background fill: an upper and (below `horizon`) a lower layer, each two colours and a pattern. */
export interface Layer {
  readonly a: Rgb;
  readonly b: Rgb;
  /** 'vgrad' mixes a->b top to bottom, 'noise' by fbm, 'stripes'/'checker' by a periodic pattern. */
  readonly pattern: 'vgrad' | 'noise' | 'stripes' | 'checker';
  /** Cycles per image side (noise, stripes, checker). */
  readonly freq: number;
  readonly angle: number;
  /** Extra fbm modulation (0..1) over the pattern. */
  readonly grain: number;
}

export interface BackgroundSpec {
  readonly family: BackgroundFamily;
  /** Where the lower layer starts, as a fraction of the height; 1 = no lower layer. */
  readonly horizon: number;
  readonly upper: Layer;
  readonly lower: Layer;
  readonly seed: number;
  /** Name of the ground ("grass", "water", "road", "floor") or the sky, for captions. */
  readonly setting: string;
}

const SKIES: readonly [Rgb, Rgb][] = [
  [[96, 150, 220], [190, 215, 240]],
  [[150, 160, 175], [205, 210, 218]],
  [[120, 140, 200], [240, 180, 130]],
  [[70, 120, 200], [160, 200, 235]],
];
const GROUNDS: Record<'field' | 'water' | 'street' | 'sand', readonly [Rgb, Rgb][]> = {
  field: [
    [[70, 130, 50], [110, 160, 70]],
    [[90, 120, 50], [150, 160, 80]],
    [[60, 110, 60], [80, 140, 60]],
  ],
  water: [
    [[40, 90, 150], [80, 140, 190]],
    [[30, 80, 110], [70, 130, 150]],
    [[60, 100, 140], [120, 160, 190]],
  ],
  street: [
    [[100, 100, 104], [130, 130, 134]],
    [[80, 80, 86], [115, 112, 110]],
    [[150, 140, 125], [175, 165, 150]],
  ],
  sand: [[[200, 180, 140], [220, 200, 160]]],
};
const WALLS: readonly Rgb[] = [
  [225, 215, 190],
  [235, 235, 230],
  [180, 200, 215],
  [200, 215, 185],
  [220, 190, 170],
  [160, 150, 140],
];
const FLOORS: readonly [Rgb, Rgb][] = [
  [
    [150, 105, 65],
    [125, 85, 50],
  ],
  [
    [190, 185, 175],
    [150, 145, 140],
  ],
  [
    [120, 60, 50],
    [100, 50, 40],
  ],
  [
    [90, 90, 100],
    [70, 70, 80],
  ],
];
const ABSTRACT: readonly Rgb[] = [
  [120, 130, 110],
  [180, 170, 150],
  [90, 100, 120],
  [200, 190, 200],
  [140, 110, 90],
  [70, 80, 70],
  [210, 205, 190],
  [110, 140, 160],
  [160, 120, 130],
];

const pick = <T>(r: SeededRandom, items: readonly T[]): T => items[r.int(items.length)]!;
const between = (r: SeededRandom, a: number, b: number): number => a + (b - a) * r.next();
const jit = (r: SeededRandom, c: Rgb, amp = 14): Rgb => jitterColour(c, amp, () => r.next());

function layer(r: SeededRandom, a: Rgb, b: Rgb, pattern: Layer['pattern'], freq: number, grain: number, angle = 0): Layer {
  return { a: jit(r, a), b: jit(r, b), pattern, freq, angle, grain };
}

function abstractLayer(r: SeededRandom): Layer {
  const pattern = pick(r, ['noise', 'noise', 'stripes', 'checker', 'vgrad'] as const);
  return layer(r, pick(r, ABSTRACT), pick(r, ABSTRACT), pattern, between(r, 2, 9), between(r, 0.1, 0.3), r.next() * Math.PI);
}

/** Draws a background fitting the scene context (with a share of context-free abstract ones). */
export function sampleBackground(r: SeededRandom, context: Context): BackgroundSpec {
  const seed = r.int(0x7fffffff);
  const u = r.next();
  const abstract = (setting: string): BackgroundSpec => {
    const family = pick(r, ['gradient', 'noise', 'tiles'] as const);
    const upper =
      family === 'gradient'
        ? layer(r, pick(r, ABSTRACT), pick(r, ABSTRACT), 'vgrad', 1, between(r, 0.1, 0.25))
        : family === 'tiles'
          ? layer(r, pick(r, ABSTRACT), pick(r, ABSTRACT), pick(r, ['stripes', 'checker'] as const), between(r, 3, 10), 0.15, r.next() * Math.PI)
          : abstractLayer(r);
    return { family, horizon: 1, upper, lower: upper, seed, setting };
  };
  const groundSky = (ground: keyof typeof GROUNDS, horizon: number, setting: string): BackgroundSpec => {
    const [s0, s1] = pick(r, SKIES);
    const [g0, g1] = pick(r, GROUNDS[ground]);
    const upper = layer(r, s0, s1, 'vgrad', 1, between(r, 0.05, 0.2));
    const lower =
      ground === 'water'
        ? layer(r, g0, g1, 'stripes', between(r, 14, 24), between(r, 0.2, 0.35), Math.PI / 2)
        : layer(r, g0, g1, 'noise', between(r, 4, 10), between(r, 0.2, 0.4));
    return { family: 'ground-sky', horizon, upper, lower, seed, setting };
  };
  switch (context) {
    case 'sky':
      if (u < 0.6) {
        const [s0, s1] = pick(r, SKIES);
        const upper = layer(r, s0, s1, 'vgrad', 1, between(r, 0.1, 0.3));
        return { family: 'gradient', horizon: 1, upper, lower: upper, seed, setting: 'sky' };
      }
      if (u < 0.85) return groundSky(r.next() < 0.5 ? 'field' : 'street', between(r, 0.7, 0.88), 'sky');
      return abstract('sky');
    case 'water':
      return u < 0.82 ? groundSky('water', between(r, 0.3, 0.55), 'water') : abstract('water');
    case 'field':
      return u < 0.8 ? groundSky(r.next() < 0.9 ? 'field' : 'sand', between(r, 0.25, 0.55), 'grass') : abstract('grass');
    case 'street':
      return u < 0.75 ? groundSky('street', between(r, 0.3, 0.55), 'street') : abstract('street');
    case 'indoor': {
      if (u < 0.72) {
        const wall = pick(r, WALLS);
        const wallpaper = r.next() < 0.35;
        const upper = wallpaper
          ? layer(r, wall, jit(r, wall, 30), 'stripes', between(r, 6, 14), 0.1, between(r, -0.05, 0.05))
          : layer(r, wall, jit(r, wall, 25), 'vgrad', 1, between(r, 0.05, 0.15));
        const [f0, f1] = pick(r, FLOORS);
        const floorPattern = pick(r, ['stripes', 'checker', 'noise'] as const);
        const lower = layer(r, f0, f1, floorPattern, between(r, 6, 12), 0.15, floorPattern === 'stripes' ? between(r, -0.1, 0.1) : 0.3);
        return { family: 'indoor', horizon: between(r, 0.45, 0.72), upper, lower, seed, setting: 'room' };
      }
      return abstract('room');
    }
  }
}

/** The pattern value t in [0, 1] of one layer over rows [rowStart, rowEnd) ([rows, W]). */
function layerField(L: Layer, width: number, rowStart: number, rowEnd: number, side: number, seed: number, lower: boolean): Float32Array {
  const rows = rowEnd - rowStart;
  const c = Math.cos(L.angle) * L.freq;
  const s = Math.sin(L.angle) * L.freq;
  let t: Float32Array;
  if (L.pattern === 'noise') {
    t = fbmField(width, rows, side, L.freq, seed, 2);
    for (let i = 0; i < t.length; i++) t[i] = (t[i]! - 0.5) * 2 + 0.5;
  } else {
    t = new Float32Array(width * rows);
    for (let y = 0; y < rows; y++) {
      // In the lower layer patterns get finer towards the horizon (a hint of perspective).
      const inv = lower ? 1 / (0.6 + (0.8 * y) / Math.max(1, rows)) : 1;
      const py = (rowStart + y + 0.5) / side;
      const o = y * width;
      if (L.pattern === 'vgrad') {
        t.fill(y / Math.max(1, rows), o, o + width);
      } else if (L.pattern === 'stripes') {
        for (let x = 0; x < width; x++) {
          const v = ((((x + 0.5) / side) * c + py * s) * inv) % 1;
          t[o + x] = (v < 0 ? v + 1 : v) < 0.5 ? 0 : 1;
        }
      } else {
        for (let x = 0; x < width; x++) {
          const px = (x + 0.5) / side;
          const a = Math.floor((px * c + py * s) * inv);
          const b = Math.floor((py * c - px * s) * inv);
          t[o + x] = (a + b) & 1;
        }
      }
    }
  }
  if (L.grain > 0) {
    const grain = fbmField(width, rows, side, 20, seed + 31, 1);
    const g = 2 * L.grain;
    for (let i = 0; i < t.length; i++) t[i] = t[i]! + (grain[i]! - 0.5) * g;
  }
  return t;
}

/** Paints a background into image ([H,W,3]). */
export function paintBackground(spec: BackgroundSpec, image: Uint8Array, width: number, height: number): void {
  const side = Math.max(width, height);
  const horizonRow = Math.min(height, Math.round(spec.horizon * height));
  const bands: [Layer, number, number, number][] = [[spec.upper, 0, horizonRow, spec.seed]];
  if (horizonRow < height) bands.push([spec.lower, horizonRow, height, spec.seed + 7919]);
  for (const [L, rowStart, rowEnd, seed] of bands) {
    if (rowEnd <= rowStart) continue;
    const t = layerField(L, width, rowStart, rowEnd, side, seed, rowStart > 0);
    const [ar, ag, ab] = L.a;
    const dr = L.b[0] - ar;
    const dg = L.b[1] - ag;
    const db = L.b[2] - ab;
    let o = rowStart * width * 3;
    for (let i = 0; i < t.length; i++, o += 3) {
      const v = t[i]!;
      const w = v < 0 ? 0 : v > 1 ? 1 : v;
      image[o] = (ar + dr * w + 0.5) | 0;
      image[o + 1] = (ag + dg * w + 0.5) | 0;
      image[o + 2] = (ab + db * w + 0.5) | 0;
    }
  }
}
