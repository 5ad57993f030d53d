// Pixel work of the augmentations, on plain arrays (row-major, interleaved RGB): flips, a bilinear
// crop-and-resize, colour jitter, and normalisation into a batch buffer [B,S,S,3].
import { resizeBilinear, type RgbImage, toFloatTensor } from '@fmwiss/imaging';

export type Rgb = readonly [number, number, number];

/** The image mirrored left-right. */
export function flipHorizontal(image: RgbImage): RgbImage {
  const { width, height, data } = image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * 3;
      const to = (y * width + (width - 1 - x)) * 3;
      out[to] = data[from]!;
      out[to + 1] = data[from + 1]!;
      out[to + 2] = data[from + 2]!;
    }
  }
  return { width, height, data: out };
}

/** A rectangle of the source image in pixel units (floats allowed). */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The box of `image` resampled to out x out with bilinear taps at half-pixel centres (source
 * coordinate x + (u + 0.5) * width / out - 0.5, clamped to the image), mirrored when `flip`; values
 * in [0, 1], [out,out,3].
 */
export function cropResize(image: RgbImage, box: Box, out: number, flip: boolean): Float32Array {
  const { width: W, height: H, data } = image;
  const result = new Float32Array(out * out * 3);
  const taps = (start: number, extent: number, size: number) => {
    const lower = new Int32Array(out);
    const upper = new Int32Array(out);
    const weight = new Float32Array(out);
    for (let k = 0; k < out; k++) {
      const s = Math.min(size - 1, Math.max(0, start + ((k + 0.5) * extent) / out - 0.5));
      const i = Math.floor(s);
      lower[k] = i;
      upper[k] = Math.min(size - 1, i + 1);
      weight[k] = s - i;
    }
    return { lower, upper, weight };
  };
  const xs = taps(box.x, box.width, W);
  const ys = taps(box.y, box.height, H);
  for (let v = 0; v < out; v++) {
    const y0 = ys.lower[v]! * W;
    const y1 = ys.upper[v]! * W;
    const wy = ys.weight[v]!;
    for (let u = 0; u < out; u++) {
      const src = flip ? out - 1 - u : u;
      const x0 = xs.lower[src]!;
      const x1 = xs.upper[src]!;
      const wx = xs.weight[src]!;
      const o = (v * out + u) * 3;
      for (let c = 0; c < 3; c++) {
        const top = data[(y0 + x0) * 3 + c]! * (1 - wx) + data[(y0 + x1) * 3 + c]! * wx;
        const bottom = data[(y1 + x0) * 3 + c]! * (1 - wx) + data[(y1 + x1) * 3 + c]! * wx;
        result[o + c] = (top * (1 - wy) + bottom * wy) / 255;
      }
    }
  }
  return result;
}

export interface ColorJitter {
  /** Multiplies every value (1 = unchanged). */
  brightness: number;
  /** Scales the distance to the image's mean grey (1 = unchanged). */
  contrast: number;
  /** Scales each pixel's distance to its own grey (1 = unchanged, 0 = grey). */
  saturation: number;
}

const LUMA: Rgb = [0.299, 0.587, 0.114];

/** Brightness, then contrast, then saturation, clamped to [0, 1], in place on [N,3] values in [0, 1]. */
export function jitterColors(pixels: Float32Array, jitter: ColorJitter): void {
  const clamp = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);
  for (let i = 0; i < pixels.length; i++) pixels[i] = clamp(pixels[i]! * jitter.brightness);
  let grey = 0;
  for (let i = 0; i < pixels.length; i += 3) grey += pixels[i]! * LUMA[0] + pixels[i + 1]! * LUMA[1] + pixels[i + 2]! * LUMA[2];
  grey /= pixels.length / 3;
  for (let i = 0; i < pixels.length; i++) pixels[i] = clamp((pixels[i]! - grey) * jitter.contrast + grey);
  for (let i = 0; i < pixels.length; i += 3) {
    const g = pixels[i]! * LUMA[0] + pixels[i + 1]! * LUMA[1] + pixels[i + 2]! * LUMA[2];
    for (let c = 0; c < 3; c++) pixels[i + c] = clamp((pixels[i + c]! - g) * jitter.saturation + g);
  }
}

/** Every pixel replaced by its grey (luma), in place on [N,3] values. */
export function toGrey(pixels: Float32Array): void {
  for (let i = 0; i < pixels.length; i += 3) {
    const g = pixels[i]! * LUMA[0] + pixels[i + 1]! * LUMA[1] + pixels[i + 2]! * LUMA[2];
    pixels[i] = g;
    pixels[i + 1] = g;
    pixels[i + 2] = g;
  }
}

/** Writes (value - mean[c]) / std[c] of [N,3] values in [0, 1] into `target` from `offset`. */
export function normalizeInto(values: Float32Array, mean: Rgb, std: Rgb, target: Float32Array, offset: number): void {
  for (let i = 0; i < values.length; i += 3) {
    target[offset + i] = (values[i]! - mean[0]) / std[0];
    target[offset + i + 1] = (values[i + 1]! - mean[1]) / std[1];
    target[offset + i + 2] = (values[i + 2]! - mean[2]) / std[2];
  }
}

/** The pixels [S,S,3] of an image as the services see it: resized to S x S (bilinear), normalised. */
export function plainPixels(image: RgbImage, size: number, mean: Rgb, std: Rgb): Float32Array {
  const resized = image.width === size && image.height === size ? image : resizeBilinear(image, size, size);
  return toFloatTensor(resized, mean, std).data;
}
