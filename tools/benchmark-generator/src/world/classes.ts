import type { SeededRandom } from '@fmwiss/random';
import type { Rgb } from '../raster/paint';
import type { TextureRule } from '../raster/texture';
import * as shapes from './class-shapes';
import type { ShapeFn } from './class-shapes';
import { tex, variant, type PaletteVariant } from './palette';

/** Scene contexts: each picks a background family and which classes and clutter fit. */
export const CONTEXTS = ['sky', 'water', 'field', 'street', 'indoor'] as const;
export type Context = (typeof CONTEXTS)[number];

export interface WorldClass {
  /** VOC id, 1..20. */
  readonly id: number;
  /** VOC name. */
  readonly name: string;
  /** The name CLIP prompts and captions use ("airplane", "dining table", ...). */
  readonly promptName: string;
  readonly plural: string;
  /** Shape family: classes of one family share a body plan. */
  readonly family: string;
  /** Deliberately similar classes and how they differ. */
  readonly similar?: string;
  readonly build: ShapeFn;
  /** Larger extent as a fraction of the image side. */
  readonly size: readonly [number, number];
  readonly maxRotationDeg: number;
  /** Stands on the ground: its bottom is placed below the horizon. */
  readonly grounded: boolean;
  readonly contexts: readonly Context[];
  /** Images holding the class in VOC 2012 segmentation train (1464 images): shapes the frequencies. */
  readonly vocImages: number;
  readonly palettes: readonly PaletteVariant[];
  readonly textures: readonly TextureRule[];
  /** A palette made per instance (people mix shirt, trousers, skin and hair). */
  readonly makePalette?: (r: SeededRandom) => PaletteVariant;
}

const SOLID = tex('solid', [1, 1], [0, 0]);
const HORIZONTAL: readonly [number, number] = [Math.PI / 2 - 0.1, Math.PI / 2 + 0.1];
const VERTICAL: readonly [number, number] = [-0.15, 0.15];

const pick = <T>(r: SeededRandom, items: readonly T[]): T => items[r.int(items.length)]!;

const SHIRTS: readonly [string, Rgb][] = [
  ['red', [200, 40, 40]],
  ['blue', [40, 80, 170]],
  ['white', [238, 238, 238]],
  ['black', [40, 40, 42]],
  ['green', [60, 140, 70]],
  ['yellow', [230, 190, 40]],
  ['purple', [140, 60, 150]],
  ['orange', [240, 130, 40]],
  ['grey', [125, 125, 130]],
];
const TROUSERS: readonly Rgb[] = [
  [40, 50, 95],
  [30, 30, 32],
  [120, 105, 80],
  [85, 85, 90],
  [60, 80, 130],
];
const SKIN: readonly Rgb[] = [
  [245, 205, 175],
  [222, 172, 132],
  [175, 122, 82],
  [112, 76, 52],
];
const HAIR: readonly Rgb[] = [
  [30, 25, 20],
  [95, 62, 32],
  [205, 172, 100],
  [150, 150, 150],
];

function personPalette(r: SeededRandom): PaletteVariant {
  const [name, shirt] = pick(r, SHIRTS);
  let other = pick(r, SHIRTS)[1];
  if (other === shirt) other = [255 - shirt[0], 255 - shirt[1], 255 - shirt[2]];
  return variant(name, { main: shirt, second: pick(r, TROUSERS), accent: pick(r, SKIN), dark: pick(r, HAIR), tyre: [35, 28, 22], tex: other });
}

/** The 20 VOC classes of the synthetic world, by id (index 0 is background and absent). */
export const WORLD_CLASSES: readonly WorldClass[] = [
  {
    id: 1,
    name: 'aeroplane',
    promptName: 'airplane',
    plural: 'airplanes',
    family: 'winged cross (top view) or fuselage with tail fin (side view)',
    build: shapes.aeroplane,
    size: [0.59, 1.23],
    maxRotationDeg: 35,
    grounded: false,
    contexts: ['sky', 'sky', 'street'],
    vocImages: 88,
    palettes: [
      variant('white', { main: [236, 236, 240], second: [200, 30, 40], accent: [150, 150, 160], tex: [200, 30, 40] }),
      variant('grey', { main: [175, 180, 190], second: [30, 60, 150], accent: [120, 120, 130], tex: [210, 212, 220] }),
      variant('blue', { main: [225, 230, 242], second: [20, 60, 160], accent: [140, 145, 155], tex: [20, 60, 160] }),
      variant('silver', { main: [200, 200, 206], second: [225, 120, 20], accent: [110, 110, 120], tex: [225, 120, 20] }),
    ],
    textures: [tex('stripes', [1.2, 2], [0.7, 0.9], HORIZONTAL), tex('gradient', [1, 1], [0.3, 0.5]), SOLID],
  },
  {
    id: 2,
    name: 'bicycle',
    promptName: 'bicycle',
    plural: 'bicycles',
    family: 'two wheels joined by a frame',
    similar: 'motorbike: same two-wheel plan, but thin open frame and ring wheels, no body',
    build: shapes.bicycle,
    size: [0.65, 1.17],
    maxRotationDeg: 8,
    grounded: true,
    contexts: ['street', 'street', 'field'],
    vocImages: 65,
    palettes: [
      variant('red', { main: [205, 30, 35] }),
      variant('blue', { main: [30, 85, 205] }),
      variant('green', { main: [40, 165, 70] }),
      variant('black', { main: [45, 45, 48], dark: [20, 20, 22] }),
      variant('yellow', { main: [235, 205, 30] }),
    ],
    textures: [SOLID, tex('gradient', [1, 1], [0.2, 0.4])],
  },
  {
    id: 3,
    name: 'bird',
    promptName: 'bird',
    plural: 'birds',
    family: 'small oval body, round head, beak, tail wedge (perched) or raised wings (flying)',
    build: shapes.bird,
    size: [0.3, 0.75],
    maxRotationDeg: 25,
    grounded: false,
    contexts: ['sky', 'field', 'water'],
    vocImages: 105,
    palettes: [
      variant('brown', { main: [130, 90, 55], second: [222, 192, 150], accent: [232, 160, 40], dark: [85, 56, 32], tex: [72, 45, 25] }),
      variant('blue', { main: [50, 100, 195], second: [232, 232, 238], accent: [45, 45, 45], dark: [28, 55, 130], tex: [28, 55, 130] }),
      variant('red', { main: [205, 30, 30], second: [185, 45, 40], accent: [240, 170, 50], dark: [130, 20, 20], tex: [130, 20, 20] }),
      variant('yellow', { main: [236, 202, 40], second: [250, 232, 125], accent: [240, 140, 30], dark: [40, 40, 40], tex: [200, 160, 30] }),
      variant('white', { main: [236, 236, 236], second: [246, 246, 246], accent: [240, 190, 40], dark: [150, 155, 165], tex: [190, 192, 200] }),
    ],
    textures: [tex('spots', [5, 8], [0.5, 0.8]), tex('stripes', [6, 10], [0.3, 0.5]), SOLID],
  },
  {
    id: 4,
    name: 'boat',
    promptName: 'boat',
    plural: 'boats',
    family: 'pointed hull with a sail or a cabin',
    build: shapes.boat,
    size: [0.52, 1.17],
    maxRotationDeg: 8,
    grounded: true,
    contexts: ['water'],
    vocImages: 78,
    palettes: [
      variant('white', { main: [236, 236, 236], second: [30, 60, 140], accent: [245, 240, 225], tex: [200, 205, 215] }),
      variant('red', { main: [185, 30, 30], second: [240, 240, 240], accent: [245, 245, 240], tex: [140, 20, 20] }),
      variant('blue', { main: [30, 62, 142], second: [240, 240, 240], accent: [240, 235, 210], tex: [20, 40, 100] }),
      variant('wooden', { main: [152, 102, 56], second: [95, 60, 30], accent: [240, 232, 210], tex: [110, 70, 35] }),
      variant('green', { main: [30, 112, 82], second: [235, 235, 235], accent: [245, 240, 225], tex: [20, 80, 60] }),
    ],
    textures: [tex('stripes', [5, 8], [0.25, 0.4], HORIZONTAL), SOLID, tex('gradient', [1, 1], [0.3, 0.4])],
  },
  {
    id: 5,
    name: 'bottle',
    promptName: 'bottle',
    plural: 'bottles',
    family: 'tall narrow body, shoulder, neck and cap',
    build: shapes.bottle,
    size: [0.33, 0.75],
    maxRotationDeg: 12,
    grounded: true,
    contexts: ['indoor'],
    vocImages: 87,
    palettes: [
      variant('green', { main: [40, 122, 52], second: [236, 226, 200], accent: [210, 180, 60], tex: [140, 210, 140] }),
      variant('brown', { main: [112, 60, 20], second: [236, 226, 200], accent: [200, 40, 40], tex: [200, 140, 80] }),
      variant('clear', { main: [150, 192, 212], second: [40, 110, 200], accent: [240, 240, 240], tex: [235, 245, 250] }),
      variant('white', { main: [222, 226, 230], second: [200, 40, 40], accent: [40, 90, 200], tex: [250, 250, 252] }),
      variant('red', { main: [92, 20, 36], second: [236, 226, 200], accent: [200, 170, 60], tex: [170, 60, 80] }),
    ],
    textures: [tex('gradient', [1, 1], [0.35, 0.55], [-0.3, 0.3]), tex('stripes', [3, 5], [0.25, 0.35], VERTICAL)],
  },
  {
    id: 6,
    name: 'bus',
    promptName: 'bus',
    plural: 'buses',
    family: 'long vehicle: rounded box with a window row',
    similar: 'train: also a long box with windows, but a bus is shorter and taller, has one body, a door and two large wheels',
    build: shapes.bus,
    size: [0.72, 1.27],
    maxRotationDeg: 5,
    grounded: true,
    contexts: ['street'],
    vocImages: 78,
    palettes: [
      variant('yellow', { main: [242, 192, 22], second: [40, 40, 40], accent: [250, 240, 200], tex: [255, 225, 120] }),
      variant('red', { main: [202, 30, 30], second: [240, 240, 240], accent: [250, 240, 200], tex: [240, 90, 80] }),
      variant('blue', { main: [40, 92, 192], second: [240, 240, 240], accent: [250, 240, 200], tex: [110, 160, 230] }),
      variant('white', { main: [232, 232, 232], second: [40, 150, 70], accent: [250, 240, 200], tex: [180, 185, 190] }),
      variant('orange', { main: [236, 122, 30], second: [245, 245, 245], accent: [250, 240, 200], tex: [250, 180, 110] }),
    ],
    textures: [tex('gradient', [1, 1], [0.2, 0.35], [-Math.PI / 2 - 0.3, -Math.PI / 2 + 0.3]), SOLID],
  },
  {
    id: 7,
    name: 'car',
    promptName: 'car',
    plural: 'cars',
    family: 'low body with a cabin on top and two wheels',
    build: shapes.car,
    size: [0.5, 1.0],
    maxRotationDeg: 5,
    grounded: true,
    contexts: ['street'],
    vocImages: 128,
    palettes: [
      variant('red', { main: [192, 25, 30], second: [230, 40, 30], accent: [250, 240, 190], dark: [60, 80, 100], tex: [240, 120, 120] }),
      variant('blue', { main: [30, 72, 172], second: [230, 40, 30], accent: [250, 240, 190], dark: [60, 80, 100], tex: [130, 160, 230] }),
      variant('silver', { main: [176, 179, 186], second: [230, 40, 30], accent: [250, 240, 190], dark: [60, 80, 100], tex: [235, 236, 240] }),
      variant('black', { main: [32, 32, 36], second: [230, 40, 30], accent: [250, 240, 190], dark: [80, 100, 120], tex: [100, 100, 110] }),
      variant('white', { main: [236, 236, 236], second: [230, 40, 30], accent: [250, 240, 190], dark: [60, 80, 100], tex: [190, 195, 200] }),
      variant('green', { main: [40, 112, 62], second: [230, 40, 30], accent: [250, 240, 190], dark: [60, 80, 100], tex: [120, 190, 130] }),
    ],
    textures: [tex('gradient', [1, 1], [0.3, 0.5], [-Math.PI / 2 - 0.4, -Math.PI / 2 + 0.4]), SOLID],
  },
  {
    id: 8,
    name: 'cat',
    promptName: 'cat',
    plural: 'cats',
    family: 'small quadruped',
    similar: 'dog: same body plan; a cat has pointed ears, a round head without snout, short legs, a long curled tail and tabby stripes',
    build: shapes.cat,
    size: [0.45, 0.95],
    maxRotationDeg: 12,
    grounded: true,
    contexts: ['indoor', 'indoor', 'field'],
    vocImages: 131,
    palettes: [
      variant('orange', { main: [218, 142, 62], accent: [120, 170, 60], tex: [158, 84, 30] }),
      variant('grey', { main: [142, 142, 148], accent: [200, 190, 60], tex: [78, 78, 84] }),
      variant('black', { main: [36, 36, 40], accent: [190, 190, 60], tex: [70, 70, 78] }),
      variant('white', { main: [236, 232, 226], accent: [90, 150, 200], tex: [196, 186, 176] }),
      variant('cream', { main: [226, 202, 160], accent: [120, 170, 60], tex: [178, 138, 98] }),
    ],
    textures: [tex('stripes', [5, 8], [0.6, 0.85], [-0.35, 0.35]), tex('stripes', [5, 8], [0.6, 0.85], [-0.35, 0.35]), tex('noise', [3, 5], [0.3, 0.5])],
  },
  {
    id: 9,
    name: 'chair',
    promptName: 'chair',
    plural: 'chairs',
    family: 'seat with a back and legs',
    similar: 'sofa: both have a seat, a back and legs; a chair is narrow and tall with long legs, a sofa wide and low with armrests and cushions',
    build: shapes.chair,
    size: [0.5, 0.88],
    maxRotationDeg: 6,
    grounded: true,
    contexts: ['indoor'],
    vocImages: 148,
    palettes: [
      variant('wooden', { main: [142, 92, 52], second: [110, 70, 38], tex: [105, 65, 35] }),
      variant('dark', { main: [82, 52, 32], second: [62, 40, 24], tex: [55, 34, 20] }),
      variant('black', { main: [42, 42, 44], second: [30, 30, 32], tex: [70, 70, 74] }),
      variant('white', { main: [232, 232, 226], second: [200, 200, 196], tex: [205, 205, 200] }),
      variant('red', { main: [192, 42, 42], second: [150, 30, 30], tex: [150, 30, 30] }),
    ],
    textures: [tex('stripes', [9, 14], [0.25, 0.4], VERTICAL), SOLID],
  },
  {
    id: 10,
    name: 'cow',
    promptName: 'cow',
    plural: 'cows',
    family: 'large quadruped',
    similar: 'horse, sheep: same body plan; a cow has a boxy body, thick legs, a blunt head with horns and a pink muzzle, and big patches',
    build: shapes.cow,
    size: [0.52, 1.04],
    maxRotationDeg: 6,
    grounded: true,
    contexts: ['field'],
    vocImages: 64,
    palettes: [
      variant('black and white', { main: [240, 240, 235], accent: [232, 170, 170], tyre: [40, 35, 30], metal: [232, 222, 192], tex: [25, 25, 25] }, [tex('blotches', [1.8, 3], [1, 1])]),
      variant('brown and white', { main: [240, 234, 224], accent: [232, 170, 170], tyre: [40, 35, 30], metal: [232, 222, 192], tex: [122, 72, 40] }, [tex('blotches', [1.8, 3], [1, 1])]),
      variant('brown', { main: [142, 86, 50], accent: [220, 160, 150], tyre: [40, 35, 30], metal: [232, 222, 192], tex: [100, 58, 32] }, [tex('noise', [2, 4], [0.4, 0.6])]),
      variant('black', { main: [40, 38, 38], accent: [200, 150, 150], tyre: [25, 22, 20], metal: [232, 222, 192], tex: [80, 75, 72] }, [tex('noise', [2, 4], [0.3, 0.5])]),
    ],
    textures: [tex('blotches', [1.8, 3], [1, 1])],
  },
  {
    id: 11,
    name: 'diningtable',
    promptName: 'dining table',
    plural: 'dining tables',
    family: 'wide top on legs (wood) or under a hanging cloth',
    build: shapes.diningtable,
    size: [0.65, 1.23],
    maxRotationDeg: 5,
    grounded: true,
    contexts: ['indoor'],
    vocImages: 82,
    palettes: [
      variant('wooden', { main: [162, 112, 62], second: [122, 80, 42], dark: [60, 40, 25], tex: [128, 84, 44] }, [tex('stripes', [10, 16], [0.2, 0.35], HORIZONTAL)]),
      variant('dark', { main: [102, 66, 36], second: [72, 46, 24], dark: [40, 28, 18], tex: [80, 50, 26] }, [tex('stripes', [10, 16], [0.2, 0.35], HORIZONTAL)]),
      variant('white', { main: [242, 242, 240], second: [200, 200, 200], dark: [90, 60, 35], tex: [200, 40, 40] }, [tex('checker', [6, 10], [0.75, 0.9]), SOLID]),
      variant('blue', { main: [72, 112, 182], second: [50, 80, 140], dark: [90, 60, 35], tex: [240, 240, 240] }, [tex('checker', [6, 10], [0.6, 0.8])]),
    ],
    textures: [SOLID],
  },
  {
    id: 12,
    name: 'dog',
    promptName: 'dog',
    plural: 'dogs',
    family: 'small quadruped',
    similar: 'cat: same body plan; a dog has a neck, a snout with a dark nose, floppy ears, longer legs, a short raised tail and spots',
    build: shapes.dog,
    size: [0.5, 1.0],
    maxRotationDeg: 12,
    grounded: true,
    contexts: ['field', 'indoor', 'street'],
    vocImages: 121,
    palettes: [
      variant('brown', { main: [142, 92, 52], second: [92, 56, 30], tex: [92, 56, 30] }),
      variant('golden', { main: [216, 172, 92], second: [180, 130, 60], tex: [240, 215, 160] }),
      variant('black', { main: [32, 32, 32], second: [20, 20, 20], tex: [152, 102, 52] }),
      variant('white', { main: [236, 232, 222], second: [122, 80, 50], tex: [42, 40, 40] }),
      variant('grey', { main: [152, 152, 158], second: [100, 100, 106], tex: [235, 235, 235] }),
    ],
    textures: [tex('spots', [3, 5], [0.85, 1]), tex('noise', [2, 4], [0.3, 0.5]), SOLID],
  },
  {
    id: 13,
    name: 'horse',
    promptName: 'horse',
    plural: 'horses',
    family: 'large quadruped',
    similar: 'cow, sheep: same body plan; a horse has long thin legs, a long neck with a dark mane, a long head and a hanging tail, smooth coat',
    build: shapes.horse,
    size: [0.59, 1.1],
    maxRotationDeg: 6,
    grounded: true,
    contexts: ['field'],
    vocImages: 68,
    palettes: [
      variant('chestnut', { main: [152, 80, 40], second: [70, 36, 18], tyre: [30, 25, 22], tex: [190, 110, 60] }),
      variant('bay', { main: [112, 60, 30], second: [25, 20, 18], tyre: [25, 22, 20], tex: [150, 90, 50] }),
      variant('black', { main: [36, 31, 31], second: [18, 18, 18], tyre: [60, 55, 50], tex: [70, 64, 62] }),
      variant('grey', { main: [202, 202, 202], second: [120, 120, 120], tyre: [50, 48, 46], tex: [150, 150, 150] }),
      variant('palomino', { main: [222, 182, 112], second: [242, 236, 220], tyre: [50, 45, 40], tex: [190, 150, 80] }),
    ],
    textures: [tex('gradient', [1, 1], [0.3, 0.5]), SOLID, tex('noise', [2, 3], [0.15, 0.3])],
  },
  {
    id: 14,
    name: 'motorbike',
    promptName: 'motorbike',
    plural: 'motorbikes',
    family: 'two wheels joined by a frame',
    similar: 'bicycle: same two-wheel plan; a motorbike has solid wheels with chrome hubs, an engine block, a fuel tank and a seat',
    build: shapes.motorbike,
    size: [0.59, 1.1],
    maxRotationDeg: 8,
    grounded: true,
    contexts: ['street'],
    vocImages: 81,
    palettes: [
      variant('red', { main: [202, 30, 30], accent: [250, 240, 190], metal: [186, 186, 192], tex: [255, 140, 130] }),
      variant('black', { main: [32, 32, 36], accent: [250, 240, 190], metal: [186, 186, 192], tex: [110, 110, 120] }),
      variant('blue', { main: [30, 72, 182], accent: [250, 240, 190], metal: [186, 186, 192], tex: [120, 160, 240] }),
      variant('orange', { main: [232, 122, 20], accent: [250, 240, 190], metal: [186, 186, 192], tex: [255, 200, 120] }),
      variant('green', { main: [40, 152, 62], accent: [250, 240, 190], metal: [186, 186, 192], tex: [140, 230, 150] }),
    ],
    textures: [tex('gradient', [1, 1], [0.4, 0.6], [-Math.PI / 2 - 0.4, -Math.PI / 2 + 0.4]), SOLID],
  },
  {
    id: 15,
    name: 'person',
    promptName: 'person',
    plural: 'people',
    family: 'upright figure: head, torso, arms, legs',
    build: shapes.person,
    size: [0.5, 1.05],
    maxRotationDeg: 8,
    grounded: true,
    contexts: ['street', 'indoor', 'field'],
    vocImages: 442,
    palettes: SHIRTS.map(([name, shirt]) => variant(name, { main: shirt, second: TROUSERS[0]!, accent: SKIN[0]!, dark: HAIR[0]! })),
    textures: [SOLID, tex('stripes', [5, 9], [0.8, 1], HORIZONTAL), tex('checker', [5, 8], [0.7, 0.9]), tex('gradient', [1, 1], [0.3, 0.5])],
    makePalette: personPalette,
  },
  {
    id: 16,
    name: 'pottedplant',
    promptName: 'potted plant',
    plural: 'potted plants',
    family: 'leafy crown in a trapezoid pot',
    build: shapes.pottedplant,
    size: [0.41, 0.9],
    maxRotationDeg: 6,
    grounded: true,
    contexts: ['indoor'],
    vocImages: 82,
    palettes: [
      variant('terracotta', { main: [192, 100, 60], second: [170, 84, 48], accent: [52, 142, 52], dark: [32, 102, 40], tex: [122, 192, 92] }),
      variant('white', { main: [236, 236, 230], second: [210, 210, 205], accent: [62, 152, 52], dark: [40, 112, 42], tex: [150, 205, 110] }),
      variant('blue', { main: [62, 92, 162], second: [45, 70, 130], accent: [90, 170, 62], dark: [56, 128, 40], tex: [170, 220, 120] }),
      variant('black', { main: [42, 42, 44], second: [30, 30, 32], accent: [46, 132, 60], dark: [28, 96, 44], tex: [110, 180, 100] }),
    ],
    textures: [tex('noise', [4, 7], [0.3, 0.6]), tex('spots', [6, 9], [0.5, 0.8])],
  },
  {
    id: 17,
    name: 'sheep',
    promptName: 'sheep',
    plural: 'sheep',
    family: 'large quadruped',
    similar: 'cow, horse: same body plan; a sheep has a fluffy bumpy woolly body, a small dark head and short thin dark legs',
    build: shapes.sheep,
    size: [0.45, 0.9],
    maxRotationDeg: 8,
    grounded: true,
    contexts: ['field'],
    vocImages: 63,
    palettes: [
      variant('cream', { main: [236, 230, 210], second: [58, 48, 44], tex: [200, 190, 165] }),
      variant('white', { main: [245, 245, 240], second: [70, 60, 55], tex: [212, 212, 205] }),
      variant('grey', { main: [172, 172, 166], second: [50, 45, 40], tex: [130, 130, 125] }),
      variant('brown', { main: [202, 182, 150], second: [92, 70, 50], tex: [160, 140, 110] }),
    ],
    textures: [tex('spots', [8, 12], [0.4, 0.6]), tex('noise', [6, 10], [0.4, 0.6])],
  },
  {
    id: 18,
    name: 'sofa',
    promptName: 'sofa',
    plural: 'sofas',
    family: 'seat with a back and legs',
    similar: 'chair: both have a seat, a back and legs; a sofa is wide and low with armrests, cushion seams and fabric texture',
    build: shapes.sofa,
    size: [0.72, 1.23],
    maxRotationDeg: 4,
    grounded: true,
    contexts: ['indoor'],
    vocImages: 93,
    palettes: [
      variant('red', { main: [172, 40, 45], second: [120, 25, 30], accent: [152, 34, 40], tex: [140, 30, 35] }),
      variant('blue', { main: [90, 106, 132], second: [60, 72, 92], accent: [80, 95, 120], tex: [70, 84, 108] }),
      variant('brown', { main: [112, 66, 40], second: [72, 42, 26], accent: [98, 58, 34], tex: [140, 90, 60] }),
      variant('green', { main: [62, 112, 72], second: [40, 76, 48], accent: [54, 100, 64], tex: [50, 90, 58] }),
      variant('beige', { main: [202, 182, 150], second: [160, 140, 110], accent: [188, 168, 138], tex: [180, 160, 130] }),
    ],
    textures: [tex('checker', [10, 16], [0.3, 0.45]), tex('noise', [6, 9], [0.4, 0.6]), SOLID],
  },
  {
    id: 19,
    name: 'train',
    promptName: 'train',
    plural: 'trains',
    family: 'long vehicle: rounded box with a window row',
    similar: 'bus: also a long box with windows; a train is much longer, has two cars, a sloped nose, many small wheels and a livery stripe',
    build: shapes.train,
    size: [0.98, 1.62],
    maxRotationDeg: 5,
    grounded: true,
    contexts: ['street'],
    vocImages: 83,
    palettes: [
      variant('red', { main: [202, 30, 35], second: [242, 242, 242], dark: [40, 50, 65], metal: [120, 120, 125], tex: [240, 90, 90] }),
      variant('blue', { main: [30, 70, 162], second: [242, 202, 30], dark: [40, 50, 65], metal: [120, 120, 125], tex: [100, 140, 220] }),
      variant('green', { main: [40, 122, 72], second: [232, 232, 202], dark: [40, 50, 65], metal: [120, 120, 125], tex: [110, 180, 130] }),
      variant('silver', { main: [186, 189, 196], second: [202, 30, 30], dark: [40, 50, 65], metal: [120, 120, 125], tex: [235, 236, 240] }),
      variant('yellow', { main: [232, 202, 40], second: [60, 60, 70], dark: [40, 50, 65], metal: [120, 120, 125], tex: [250, 230, 140] }),
    ],
    textures: [tex('gradient', [1, 1], [0.25, 0.4], [-Math.PI / 2 - 0.3, -Math.PI / 2 + 0.3]), SOLID],
  },
  {
    id: 20,
    name: 'tvmonitor',
    promptName: 'tv monitor',
    plural: 'tv monitors',
    family: 'rectangular frame around a bright screen, on a stand',
    build: shapes.tvmonitor,
    size: [0.41, 0.93],
    maxRotationDeg: 6,
    grounded: true,
    contexts: ['indoor'],
    vocImages: 84,
    palettes: [
      variant('black', { main: [30, 30, 32], second: [62, 112, 202], tex: [200, 222, 250] }),
      variant('silver', { main: [172, 174, 180], second: [26, 36, 52], tex: [70, 120, 200] }),
      variant('grey', { main: [90, 90, 96], second: [42, 152, 202], tex: [230, 130, 60] }),
      variant('white', { main: [226, 226, 226], second: [50, 90, 170], tex: [240, 200, 80] }),
    ],
    textures: [tex('gradient', [1, 1], [0.5, 0.8]), tex('noise', [2, 4], [0.7, 0.9]), tex('stripes', [3, 6], [0.4, 0.6])],
  },
];

export const NUM_CLASSES = WORLD_CLASSES.length;

export function classById(id: number): WorldClass {
  const c = WORLD_CLASSES[id - 1];
  if (!c) throw new RangeError(`no class with id ${id} (1..${NUM_CLASSES})`);
  return c;
}
