import type { TextureRule } from '../raster/texture';
import type { ShapeFn } from './class-shapes';
import type { Context } from './classes';
import * as shapes from './clutter-shapes';
import { tex, variant, type PaletteVariant } from './palette';

/** A non-VOC thing of the world: label 0 in the benchmark, named in corpus captions. */
export interface ClutterKind {
  readonly name: string;
  readonly plural: string;
  readonly build: ShapeFn;
  readonly size: readonly [number, number];
  readonly maxRotationDeg: number;
  readonly grounded: boolean;
  readonly contexts: readonly Context[];
  readonly palettes: readonly PaletteVariant[];
  readonly textures: readonly TextureRule[];
}

const SOLID = tex('solid', [1, 1], [0, 0]);
const ALL: readonly Context[] = ['sky', 'water', 'field', 'street', 'indoor'];

export const CLUTTER_KINDS: readonly ClutterKind[] = [
  {
    name: 'tree',
    plural: 'trees',
    build: shapes.tree,
    size: [0.45, 0.95],
    maxRotationDeg: 4,
    grounded: true,
    contexts: ['field', 'street', 'water'],
    palettes: [
      variant('green', { main: [52, 122, 46], second: [100, 70, 40], tex: [90, 160, 60] }),
      variant('dark green', { main: [36, 92, 40], second: [80, 56, 34], tex: [60, 130, 50] }),
      variant('autumn', { main: [202, 120, 40], second: [100, 70, 40], tex: [170, 60, 30] }),
    ],
    textures: [tex('noise', [3, 6], [0.5, 0.8])],
  },
  {
    name: 'lamp',
    plural: 'lamps',
    build: shapes.lamp,
    size: [0.3, 0.6],
    maxRotationDeg: 3,
    grounded: true,
    contexts: ['indoor', 'street'],
    palettes: [
      variant('cream', { main: [242, 222, 172], second: [62, 62, 62], tex: [250, 240, 210] }),
      variant('red', { main: [200, 62, 52], second: [182, 160, 92], tex: [230, 120, 100] }),
      variant('white', { main: [232, 232, 232], second: [62, 62, 62], tex: [200, 200, 200] }),
    ],
    textures: [tex('gradient', [1, 1], [0.3, 0.5]), SOLID],
  },
  {
    name: 'ball',
    plural: 'balls',
    build: shapes.ball,
    size: [0.07, 0.16],
    maxRotationDeg: 180,
    grounded: true,
    contexts: ALL,
    palettes: [
      variant('white', { main: [242, 242, 242], second: [30, 30, 30], tex: [30, 30, 30] }),
      variant('red', { main: [222, 42, 42], second: [242, 242, 242], tex: [160, 20, 20] }),
      variant('orange', { main: [242, 132, 32], second: [40, 30, 20], tex: [180, 90, 20] }),
      variant('blue', { main: [42, 92, 212], second: [242, 222, 42], tex: [20, 50, 140] }),
    ],
    textures: [tex('spots', [2, 3], [1, 1]), SOLID, tex('gradient', [1, 1], [0.4, 0.6])],
  },
  {
    name: 'kite',
    plural: 'kites',
    build: shapes.kite,
    size: [0.15, 0.32],
    maxRotationDeg: 30,
    grounded: false,
    contexts: ['sky', 'field', 'water'],
    palettes: [
      variant('red', { main: [232, 42, 42], second: [242, 202, 42], accent: [60, 60, 60], tex: [242, 202, 42] }),
      variant('blue', { main: [42, 92, 202], second: [242, 242, 242], accent: [60, 60, 60], tex: [242, 242, 242] }),
      variant('green', { main: [42, 172, 82], second: [242, 132, 32], accent: [60, 60, 60], tex: [242, 132, 32] }),
    ],
    textures: [tex('checker', [1.5, 2.5], [1, 1]), SOLID],
  },
  {
    name: 'umbrella',
    plural: 'umbrellas',
    build: shapes.umbrella,
    size: [0.2, 0.42],
    maxRotationDeg: 15,
    grounded: true,
    contexts: ['street', 'field', 'water'],
    palettes: [
      variant('black', { main: [32, 32, 34], accent: [80, 70, 60], tex: [60, 60, 64] }),
      variant('red', { main: [202, 42, 62], accent: [60, 60, 60], tex: [242, 242, 242] }),
      variant('blue', { main: [42, 92, 202], accent: [60, 60, 60], tex: [242, 222, 42] }),
    ],
    textures: [tex('stripes', [2.5, 4], [1, 1], [-0.2, 0.2]), SOLID],
  },
  {
    name: 'cup',
    plural: 'cups',
    build: shapes.cup,
    size: [0.08, 0.16],
    maxRotationDeg: 5,
    grounded: true,
    contexts: ['indoor'],
    palettes: [
      variant('white', { main: [242, 242, 242], second: [100, 60, 30], tex: [200, 200, 205] }),
      variant('red', { main: [202, 62, 42], second: [100, 60, 30], tex: [150, 40, 30] }),
      variant('blue', { main: [62, 122, 192], second: [240, 235, 220], tex: [40, 80, 140] }),
    ],
    textures: [tex('gradient', [1, 1], [0.3, 0.4]), SOLID],
  },
  {
    name: 'book',
    plural: 'books',
    build: shapes.book,
    size: [0.1, 0.22],
    maxRotationDeg: 20,
    grounded: true,
    contexts: ['indoor'],
    palettes: [
      variant('blue', { main: [42, 72, 142], second: [30, 50, 100], accent: [242, 236, 220], tex: [200, 180, 60] }),
      variant('red', { main: [162, 42, 42], second: [110, 30, 30], accent: [242, 236, 220], tex: [220, 200, 80] }),
      variant('green', { main: [42, 122, 72], second: [30, 85, 50], accent: [242, 236, 220], tex: [220, 220, 200] }),
      variant('yellow', { main: [232, 202, 92], second: [180, 150, 60], accent: [242, 236, 220], tex: [60, 60, 60] }),
    ],
    textures: [tex('stripes', [2, 3], [0.8, 1], [Math.PI / 2 - 0.05, Math.PI / 2 + 0.05]), SOLID],
  },
  {
    name: 'clock',
    plural: 'clocks',
    build: shapes.clock,
    size: [0.1, 0.2],
    maxRotationDeg: 0,
    grounded: false,
    contexts: ['indoor', 'street'],
    palettes: [
      variant('black', { main: [246, 246, 240], second: [40, 40, 40], accent: [20, 20, 20] }),
      variant('golden', { main: [246, 240, 220], second: [182, 150, 62], accent: [20, 20, 20] }),
    ],
    textures: [SOLID],
  },
  {
    name: 'fence',
    plural: 'fences',
    build: shapes.fence,
    size: [0.5, 1.1],
    maxRotationDeg: 3,
    grounded: true,
    contexts: ['field', 'street'],
    palettes: [
      variant('wooden', { main: [172, 122, 72], second: [132, 92, 52], tex: [140, 95, 55] }),
      variant('white', { main: [236, 236, 230], second: [200, 200, 195], tex: [210, 210, 205] }),
      variant('grey', { main: [152, 152, 152], second: [110, 110, 110], tex: [125, 125, 125] }),
    ],
    textures: [tex('stripes', [8, 12], [0.2, 0.35], [-0.1, 0.1]), SOLID],
  },
  {
    name: 'cloud',
    plural: 'clouds',
    build: shapes.cloud,
    size: [0.3, 0.6],
    maxRotationDeg: 3,
    grounded: false,
    contexts: ['sky', 'field', 'water', 'street'],
    palettes: [
      variant('white', { main: [246, 246, 250], tex: [215, 218, 228] }),
      variant('grey', { main: [212, 214, 222], tex: [175, 178, 190] }),
    ],
    textures: [tex('gradient', [1, 1], [0.5, 0.8], [Math.PI / 2 - 0.2, Math.PI / 2 + 0.2])],
  },
];

export function clutterByName(name: string): ClutterKind {
  const kind = CLUTTER_KINDS.find((k) => k.name === name);
  if (!kind) throw new RangeError(`no clutter kind "${name}"`);
  return kind;
}
