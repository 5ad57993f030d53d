import type { SeededRandom } from '@fmwiss/random';
import { paintBackground, sampleBackground, type BackgroundSpec } from '../raster/background';
import { isEmptyBox, rasterizeShape, type Box, type Pose } from '../raster/fill';
import type { Shape } from '../raster/geometry';
import { addPixelNoise, jitterColour, paintObject, type Appearance } from '../raster/paint';
import { sampleTexture, type TextureRule } from '../raster/texture';
import { classById, type Context } from '../world/classes';
import { clutterByName } from '../world/clutter';
import type { PaletteVariant } from '../world/palette';
import type { ScenePlan } from '../world/scene-plan';

/** One thing to draw: a VOC class (classId 1..20) or a clutter kind (classId 0). */
interface ThingSpec {
  readonly classId: number;
  readonly name: string;
  /** Later layers must leave it visible (objects; clutter in the corpus). */
  readonly protect: boolean;
}

/** A drawn layer, in painter's order; its index + 1 is its value in `instances`. */
export interface DrawnLayer {
  readonly classId: number;
  /** VOC name or clutter kind. */
  readonly name: string;
  readonly palette: string;
  /** Pixels it covered when drawn (before later layers). */
  readonly area: number;
  /** Pixels still showing after all layers. */
  visible: number;
  /** Indices of earlier layers it covers part of. */
  readonly covers: number[];
}

export interface ComposedScene {
  readonly size: number;
  readonly context: Context;
  readonly background: BackgroundSpec;
  readonly image: Uint8Array; // [H,W,3]
  readonly instances: Uint8Array; // [H,W] drawn-layer index + 1 of the visible layer, 0 = background
  readonly layers: DrawnLayer[];
}

const MAX_ATTEMPTS = 6;
/** A protected layer keeps at least this share of its own area. */
const KEEP_SHARE = 0.5;

export const minObjectPixels = (size: number): number => Math.max(20, Math.round(0.0025 * size * size));

const between = (r: SeededRandom, [a, b]: readonly [number, number]): number => a + (b - a) * r.next();

interface Kind {
  readonly build: (r: SeededRandom) => Shape;
  readonly size: readonly [number, number];
  readonly maxRotationDeg: number;
  readonly grounded: boolean;
  readonly palettes: readonly PaletteVariant[];
  readonly textures: readonly TextureRule[];
  readonly makePalette?: (r: SeededRandom) => PaletteVariant;
}

function kindOf(thing: ThingSpec): Kind {
  return thing.classId > 0 ? classById(thing.classId) : clutterByName(thing.name);
}

function sampleAppearance(r: SeededRandom, kind: Kind): { look: Appearance; palette: string } {
  const variant = kind.makePalette ? kind.makePalette(r) : kind.palettes[r.int(kind.palettes.length)]!;
  const colours = variant.colours.map((c) => jitterColour(c, 10, () => r.next()));
  const rules = variant.textures ?? kind.textures;
  const texture = sampleTexture(rules[r.int(rules.length)]!, r);
  const a = r.next() * Math.PI * 2;
  return {
    look: { colours, texture, lightX: Math.cos(a), lightY: Math.sin(a), lightAmount: 0.12 + 0.18 * r.next() },
    palette: variant.name,
  };
}

function samplePose(r: SeededRandom, kind: Kind, shape: Shape, bg: BackgroundSpec, size: number, crowd: number, attempt: number): Pose {
  let scale = (between(r, kind.size) * crowd * 0.85 ** attempt * size) / 2;
  const angle = (r.next() * 2 - 1) * kind.maxRotationDeg * (Math.PI / 180);
  const flip = r.next() < 0.5;
  const cx = size * (0.1 + 0.8 * r.next());
  let cy: number;
  if (bg.horizon < 1 && kind.grounded) {
    const bottom = bg.horizon + 0.06 + (1.04 - bg.horizon - 0.06) * r.next();
    scale *= 0.8 + (0.4 * (bottom - bg.horizon)) / (1 - bg.horizon);
    cy = bottom * size - shape.halfHeight * scale;
  } else if (bg.horizon < 1) {
    cy = size * (0.1 + Math.max(0.1, bg.horizon - 0.15) * r.next());
  } else {
    cy = size * (0.15 + 0.7 * r.next());
  }
  cy = Math.min(0.92 * size, Math.max(0.08 * size, cy));
  return { cx, cy, scale, angle, flip };
}

function clearBox(buffer: Uint8Array, size: number, box: Box): void {
  for (let y = box.y0; y <= box.y1; y++) buffer.fill(0, y * size + box.x0, y * size + box.x1 + 1);
}

/**
 * Draws a planned scene: background, then every thing in painter's order. Each thing gets up to six
 * placements (shrinking a little each time); a placement is refused when it would leave an earlier
 * protected layer with less than half its area or itself with fewer than minObjectPixels; a thing
 * that never fits is left out. `protectClutter` keeps clutter visible too (the corpus names it).
 */
export function composeScene(r: SeededRandom, plan: ScenePlan, size: number, protectClutter: boolean): ComposedScene {
  const background = sampleBackground(r, plan.context);
  const image = new Uint8Array(size * size * 3);
  paintBackground(background, image, size, size);
  const instances = new Uint8Array(size * size);
  const parts = new Uint8Array(size * size);
  const things: ThingSpec[] = [
    ...plan.clutterBehind.map((name) => ({ classId: 0, name, protect: protectClutter })),
    ...plan.classes.map((id) => ({ classId: id, name: classById(id).name, protect: true })),
    ...plan.clutterFront.map((name) => ({ classId: 0, name, protect: protectClutter })),
  ];
  const layers: DrawnLayer[] = [];
  const protect: boolean[] = [];
  const minPx = minObjectPixels(size);
  const crowd = plan.classes.length <= 1 ? 1 : Math.max(0.55, 1 - 0.12 * (plan.classes.length - 1));
  const covered = new Int32Array(256);

  for (const thing of things) {
    const kind = kindOf(thing);
    const shape = kind.build(r);
    const { look, palette } = sampleAppearance(r, kind);
    const thingCrowd = thing.classId > 0 ? crowd : 1;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const pose = samplePose(r, kind, shape, background, size, thingCrowd, attempt);
      const box = rasterizeShape(shape, pose, size, size, parts);
      if (isEmptyBox(box)) continue;
      covered.fill(0, 0, layers.length + 1);
      let area = 0;
      for (let y = box.y0; y <= box.y1; y++) {
        for (let x = box.x0; x <= box.x1; x++) {
          const i = y * size + x;
          if (parts[i] !== 0) {
            area++;
            covered[instances[i]!]!++;
          }
        }
      }
      let ok = area >= minPx;
      for (let j = 0; ok && j < layers.length; j++) {
        if (!protect[j] || covered[j + 1] === 0) continue;
        const left = layers[j]!.visible - covered[j + 1]!;
        if (left < minPx || left < KEEP_SHARE * layers[j]!.area) ok = false;
      }
      if (!ok) {
        clearBox(parts, size, box);
        continue;
      }
      paintObject(image, size, parts, box, shape, pose, look);
      const id = layers.length + 1;
      const covers: number[] = [];
      for (let j = 0; j < layers.length; j++) {
        if (covered[j + 1]! > 0) {
          layers[j]!.visible -= covered[j + 1]!;
          covers.push(j);
        }
      }
      for (let y = box.y0; y <= box.y1; y++) {
        for (let x = box.x0; x <= box.x1; x++) {
          const i = y * size + x;
          if (parts[i] !== 0) {
            instances[i] = id;
            parts[i] = 0;
          }
        }
      }
      layers.push({ classId: thing.classId, name: thing.name, palette, area, visible: area, covers });
      protect.push(thing.protect);
      break;
    }
  }
  addPixelNoise(image, 5, r.int(0x7fffffff));
  return { size, context: plan.context, background, image, instances, layers };
}
