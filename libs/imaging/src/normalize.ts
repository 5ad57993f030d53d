import { assertFloatImage, assertRgbImage, type FloatImage, type RgbImage } from './types';

/** ImageNet channel means and standard deviations for inputs scaled to [0, 1]. */
export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];

/**
 * Normalises an RGB image into a float tensor: ((pixel * scale) - mean[c]) / std[c] per channel,
 * shape [H,W,3] float32 (use hwcToChw for a [3,H,W] model input). Uses a 3x256 lookup table, so each
 * value is exactly that formula computed in float64 and stored as float32.
 */
export function toFloatTensor(
  image: RgbImage,
  mean: readonly [number, number, number],
  std: readonly [number, number, number],
  scale = 1 / 255,
): FloatImage {
  assertRgbImage(image);
  for (let c = 0; c < 3; c++) {
    if (!Number.isFinite(mean[c]) || !Number.isFinite(std[c]) || std[c] === 0) {
      throw new RangeError(`mean and std need 3 finite values, std non-zero; got mean ${mean}, std ${std}`);
    }
  }
  const table = new Float32Array(3 * 256) /* [3,256] */;
  for (let c = 0; c < 3; c++) for (let v = 0; v < 256; v++) table[c * 256 + v] = (v * scale - mean[c]!) / std[c]!;
  const src = image.data;
  const data = new Float32Array(src.length) /* [H,W,3] */;
  for (let i = 0; i < src.length; i += 3) {
    data[i] = table[src[i]!]!;
    data[i + 1] = table[256 + src[i + 1]!]!;
    data[i + 2] = table[512 + src[i + 2]!]!;
  }
  return { width: image.width, height: image.height, channels: 3, data };
}

/** Reorders an interleaved [H,W,C] float image into planar [C,H,W], the layout most models take. */
export function hwcToChw(image: FloatImage): Float32Array /* [C,H,W] */ {
  assertFloatImage(image);
  const { width, height, channels, data } = image;
  const plane = width * height;
  const out = new Float32Array(data.length);
  for (let c = 0; c < channels; c++) {
    const base = c * plane;
    for (let p = 0, i = c; p < plane; p++, i += channels) out[base + p] = data[i]!;
  }
  return out;
}
