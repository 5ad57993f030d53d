import type { Box, Pose } from './fill';
import type { Shape } from './geometry';
import { textureAt, type Texture } from './texture';

export type Rgb = readonly [number, number, number];

/** How an object looks: one colour per palette slot, a texture, and a soft light gradient. */
export interface Appearance {
  readonly colours: readonly Rgb[];
  readonly texture: Texture;
  /** Image-space light direction (unit) and strength: brightness 1 + amount * (offset . dir) / scale. */
  readonly lightX: number;
  readonly lightY: number;
  readonly lightAmount: number;
}

const clamp255 = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/**
 * Paints the pixels that `parts` ([H,W], part index + 1, from rasterizeShape) marks inside `box` into
 * `image` ([H,W,3]), each with its part's slot colour, textured in object space (so the texture turns and
 * flips with the object) and lit.
 */
export function paintObject(
  image: Uint8Array,
  width: number,
  parts: Uint8Array,
  box: Box,
  shape: Shape,
  pose: Pose,
  look: Appearance,
): void {
  const n = shape.parts.length;
  const slotR = new Float32Array(n + 1);
  const slotG = new Float32Array(n + 1);
  const slotB = new Float32Array(n + 1);
  const textured = new Uint8Array(n + 1);
  shape.parts.forEach((part, k) => {
    const c = look.colours[part.slot % look.colours.length]!;
    slotR[k + 1] = c[0];
    slotG[k + 1] = c[1];
    slotB[k + 1] = c[2];
    textured[k + 1] = part.textured && look.texture.kind !== 'solid' ? 1 : 0;
  });
  const tc = look.colours[look.texture.slot % look.colours.length]!;
  const amount = look.texture.amount;
  const cos = Math.cos(pose.angle) / pose.scale;
  const sin = Math.sin(pose.angle) / pose.scale;
  const flip = pose.flip ? -1 : 1;
  const lx = (look.lightX * look.lightAmount) / pose.scale;
  const ly = (look.lightY * look.lightAmount) / pose.scale;
  for (let y = box.y0; y <= box.y1; y++) {
    const dy = y + 0.5 - pose.cy;
    for (let x = box.x0; x <= box.x1; x++) {
      const i = y * width + x;
      const k = parts[i]!;
      if (k === 0) continue;
      const dx = x + 0.5 - pose.cx;
      let r = slotR[k]!;
      let g = slotG[k]!;
      let b = slotB[k]!;
      if (textured[k] === 1) {
        const u = (dx * cos + dy * sin) * flip;
        const v = -dx * sin + dy * cos;
        const t = textureAt(look.texture, u, v) * amount;
        r += (tc[0] - r) * t;
        g += (tc[1] - g) * t;
        b += (tc[2] - b) * t;
      }
      let shade = 1 + dx * lx + dy * ly;
      shade = shade < 0.6 ? 0.6 : shade > 1.4 ? 1.4 : shade;
      image[i * 3] = clamp255(r * shade);
      image[i * 3 + 1] = clamp255(g * shade);
      image[i * 3 + 2] = clamp255(b * shade);
    }
  }
}

/** Adds zero-mean sensor noise, a uniform integer in [-amp, amp], to every channel (xorshift32 stream). */
export function addPixelNoise(image: Uint8Array, amp: number, seed: number): void {
  const span = 2 * Math.round(amp) + 1;
  let s = seed | 0 || 0x9e3779b9;
  for (let i = 0; i < image.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const v = image[i]! + (((s >>> 16) * span) >>> 16) - (span >> 1);
    image[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
}

/** A colour jittered by up to +-amp per channel (one draw per channel, so 3 draws). */
export function jitterColour(c: Rgb, amp: number, next: () => number): Rgb {
  return [clamp255(c[0] + (next() - 0.5) * 2 * amp), clamp255(c[1] + (next() - 0.5) * 2 * amp), clamp255(c[2] + (next() - 0.5) * 2 * amp)];
}
