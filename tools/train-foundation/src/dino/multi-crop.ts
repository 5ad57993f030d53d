// DINO's multi-crop augmentation: per image 2 global crops (random resized crop of scale 0.4-1 to
// 96 px) and 4 local crops (scale 0.1-0.4 to 48 px), each flipped half the time, with light colour
// jitter and occasional greyscale; normalised with the model's mean/std.
import type { RgbImage } from '@fmwiss/imaging';
import type { SeededRandom } from '@fmwiss/random';

import { type Box, cropResize, jitterColors, normalizeInto, type Rgb, toGrey } from '../shared/pixels';

export interface MultiCropOptions {
  globalSize: number;
  localSize: number;
  globalCrops: number;
  localCrops: number;
  /** Area fractions of the source image. */
  globalScale: readonly [number, number];
  localScale: readonly [number, number];
  /** Aspect ratios (width / height) of the crop boxes. */
  ratio: readonly [number, number];
  flip: boolean;
  /** Probability of colour jitter, and its strengths: factors uniform in [1 - s, 1 + s]. */
  jitterProbability: number;
  brightness: number;
  contrast: number;
  saturation: number;
  greyProbability: number;
  mean: Rgb;
  std: Rgb;
}

export const DEFAULT_MULTI_CROP: Omit<MultiCropOptions, 'mean' | 'std'> = Object.freeze({
  globalSize: 96,
  localSize: 48,
  globalCrops: 2,
  localCrops: 4,
  globalScale: [0.4, 1] as const,
  localScale: [0.1, 0.4] as const,
  ratio: [3 / 4, 4 / 3] as const,
  flip: true,
  jitterProbability: 0.8,
  brightness: 0.3,
  contrast: 0.3,
  saturation: 0.2,
  greyProbability: 0.1,
});

/**
 * torchvision's RandomResizedCrop box: area fraction uniform in `scale`, log-aspect uniform in
 * `ratio`, position uniform; ten tries, then the largest centred box of a clamped ratio. Always draws
 * 40 numbers (ten tries of four), so that a sample consumes the same stream whatever happens.
 */
export function randomResizedCropBox(width: number, height: number, scale: readonly [number, number], ratio: readonly [number, number], random: SeededRandom): Box {
  const draws = Array.from({ length: 40 }, () => random.next());
  const area = width * height;
  const [logLow, logHigh] = [Math.log(ratio[0]), Math.log(ratio[1])];
  for (let attempt = 0; attempt < 10; attempt++) {
    const [u0, u1, u2, u3] = draws.slice(attempt * 4, attempt * 4 + 4) as [number, number, number, number];
    const target = area * (scale[0] + (scale[1] - scale[0]) * u0);
    const aspect = Math.exp(logLow + (logHigh - logLow) * u1);
    const w = Math.sqrt(target * aspect);
    const h = Math.sqrt(target / aspect);
    if (w <= width && h <= height) return { x: (width - w) * u2, y: (height - h) * u3, width: w, height: h };
  }
  const aspect = Math.min(Math.max(width / height, ratio[0]), ratio[1]);
  const w = aspect * height <= width ? aspect * height : width;
  const h = w / aspect;
  return { x: (width - w) / 2, y: (height - h) / 2, width: w, height: h };
}

/** One crop of `image`: box, resize, flip, colour, normalisation into `target` at `offset`. */
function crop(image: RgbImage, size: number, scale: readonly [number, number], options: MultiCropOptions, random: SeededRandom, target: Float32Array, offset: number): void {
  const box = randomResizedCropBox(image.width, image.height, scale, options.ratio, random);
  const [uFlip, uJitter, uB, uC, uS, uGrey] = Array.from({ length: 6 }, () => random.next()) as number[];
  const values = cropResize(image, box, size, options.flip && uFlip! < 0.5);
  if (uJitter! < options.jitterProbability) {
    jitterColors(values, {
      brightness: 1 + options.brightness * (2 * uB! - 1),
      contrast: 1 + options.contrast * (2 * uC! - 1),
      saturation: 1 + options.saturation * (2 * uS! - 1),
    });
  }
  if (uGrey! < options.greyProbability) toGrey(values);
  normalizeInto(values, options.mean, options.std, target, offset);
}

export interface MultiCropBatch {
  /** [G*B, S, S, 3], crop-major: global crop 0 of every image, then crop 1. */
  globals: Float32Array;
  /** [L*B, s, s, 3], crop-major. */
  locals: Float32Array;
}

/** The crops of a batch; image by image, crop by crop, from one stream. */
export function makeMultiCropBatch(images: readonly RgbImage[], options: MultiCropOptions, random: SeededRandom): MultiCropBatch {
  const B = images.length;
  const S = options.globalSize;
  const s = options.localSize;
  const globals = new Float32Array(options.globalCrops * B * S * S * 3);
  const locals = new Float32Array(options.localCrops * B * s * s * 3);
  images.forEach((image, b) => {
    for (let g = 0; g < options.globalCrops; g++) crop(image, S, options.globalScale, options, random, globals, (g * B + b) * S * S * 3);
    for (let l = 0; l < options.localCrops; l++) crop(image, s, options.localScale, options, random, locals, (l * B + b) * s * s * 3);
  });
  return { globals, locals };
}
