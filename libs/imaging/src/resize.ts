import {
  assertFloatImage,
  assertLabelImage,
  assertRgbImage,
  type FloatImage,
  type LabelImage,
  type RgbImage,
} from './types';

function checkTarget(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`resize needs a positive integer target size, got ${width}x${height}`);
  }
}

/**
 * Linear interpolation taps along one axis with half-pixel centres: destination index d samples the
 * source at s = (d + 0.5) * src / dst - 0.5, clamped to [0, src - 1] (edge pixels repeat). Returns, per
 * destination index, the lower source index, the upper one and the weight of the upper one.
 */
function linearTaps(
  src: number,
  dst: number,
  start: number,
  count: number,
): { lower: Int32Array; upper: Int32Array; weight: Float64Array } {
  const lower = new Int32Array(count);
  const upper = new Int32Array(count);
  const weight = new Float64Array(count);
  const scale = src / dst;
  for (let k = 0; k < count; k++) {
    const s = Math.max(0, (start + k + 0.5) * scale - 0.5);
    const i = Math.floor(s);
    if (i >= src - 1) {
      lower[k] = src - 1;
      upper[k] = src - 1;
    } else {
      lower[k] = i;
      upper[k] = i + 1;
      weight[k] = s - i;
    }
  }
  return { lower, upper, weight };
}

/** A rectangle of a resized image: columns [x, x + width), rows [y, y + height). */
export interface ResizeWindow {
  x: number;
  y: number;
  width: number;
  height: number;
}

function checkWindow(window: ResizeWindow, width: number, height: number): void {
  const { x, y, width: w, height: h } = window;
  if (![x, y, w, h].every(Number.isInteger) || x < 0 || y < 0 || w < 1 || h < 1 || x + w > width || y + h > height) {
    throw new RangeError(`window ${w}x${h} at (${x}, ${y}) is not inside the ${width}x${height} resized image`);
  }
}

/**
 * Bilinear resize with half-pixel centres and clamped edges, as OpenCV's INTER_LINEAR and
 * tf.image.resizeBilinear(halfPixelCenters = true) do; no antialiasing, so a strong downscale aliases.
 * An RgbImage comes back as RgbImage (values rounded to the nearest integer), a FloatImage (any channel
 * count) as FloatImage. The same size gives a copy.
 */
export function resizeBilinear(image: RgbImage, width: number, height: number): RgbImage;
export function resizeBilinear(image: FloatImage, width: number, height: number): FloatImage;
export function resizeBilinear(image: RgbImage | FloatImage, width: number, height: number): RgbImage | FloatImage;
export function resizeBilinear(image: RgbImage | FloatImage, width: number, height: number): RgbImage | FloatImage {
  return resizeBilinearWindow(image, width, height, { x: 0, y: 0, width, height });
}

/**
 * Only `window` of what resizeBilinear(image, width, height) would give, computed without the rest
 * (for a crop of a scaled image). The result is window.width x window.height.
 */
export function resizeBilinearWindow(image: RgbImage, width: number, height: number, window: ResizeWindow): RgbImage;
export function resizeBilinearWindow(image: FloatImage, width: number, height: number, window: ResizeWindow): FloatImage;
export function resizeBilinearWindow(
  image: RgbImage | FloatImage,
  width: number,
  height: number,
  window: ResizeWindow,
): RgbImage | FloatImage;
export function resizeBilinearWindow(
  image: RgbImage | FloatImage,
  width: number,
  height: number,
  window: ResizeWindow,
): RgbImage | FloatImage {
  checkTarget(width, height);
  checkWindow(window, width, height);
  const size = window.width * window.height;
  if (image.data instanceof Float32Array) {
    const float = image as FloatImage;
    assertFloatImage(float);
    const data = new Float32Array(size * float.channels) /* [h,w,C] */;
    bilinear(float.data, float.width, float.height, float.channels, data, width, height, window, 0);
    return { width: window.width, height: window.height, channels: float.channels, data };
  }
  assertRgbImage(image as RgbImage);
  const data = new Uint8Array(size * 3) /* [h,w,3] */;
  // Storing v + 0.5 into a Uint8Array truncates it: round half up, which for 0 <= v <= 255 is Math.round.
  bilinear(image.data, image.width, image.height, 3, data, width, height, window, 0.5);
  return { width: window.width, height: window.height, data };
}

function bilinear(
  src: Uint8Array | Float32Array /* [SH,SW,C] */,
  srcWidth: number,
  srcHeight: number,
  channels: number,
  out: Uint8Array | Float32Array /* [window.height,window.width,C] */,
  width: number,
  height: number,
  window: ResizeWindow,
  bias: number,
): void {
  if (srcWidth === width && srcHeight === height && window.width === width && window.height === height) {
    out.set(src);
    return;
  }
  const cols = linearTaps(srcWidth, width, window.x, window.width);
  const rows = linearTaps(srcHeight, height, window.y, window.height);
  const left = new Int32Array(window.width);
  const right = new Int32Array(window.width);
  for (let x = 0; x < window.width; x++) {
    left[x] = cols.lower[x]! * channels;
    right[x] = cols.upper[x]! * channels;
  }
  const rowStride = srcWidth * channels;
  let o = 0;
  for (let y = 0; y < window.height; y++) {
    const top = rows.lower[y]! * rowStride;
    const bottom = rows.upper[y]! * rowStride;
    const fy = rows.weight[y]!;
    for (let x = 0; x < window.width; x++) {
      const fx = cols.weight[x]!;
      const l = left[x]!;
      const r = right[x]!;
      for (let c = 0; c < channels; c++, o++) {
        const tl = src[top + l + c]!;
        const bl = src[bottom + l + c]!;
        const t = tl + (src[top + r + c]! - tl) * fx;
        const b = bl + (src[bottom + r + c]! - bl) * fx;
        out[o] = t + (b - t) * fy + bias;
      }
    }
  }
}

/**
 * Nearest-neighbour resize of a label map with half-pixel centres: destination index d takes source
 * index floor((d + 0.5) * src / dst) (computed exactly in integers). Every output value is a value of
 * the input, so no label is invented. The same size gives a copy.
 */
export function resizeNearest(labels: LabelImage, width: number, height: number): LabelImage {
  return resizeNearestWindow(labels, width, height, { x: 0, y: 0, width, height });
}

/** Only `window` of what resizeNearest(labels, width, height) would give, computed without the rest. */
export function resizeNearestWindow(labels: LabelImage, width: number, height: number, window: ResizeWindow): LabelImage {
  checkTarget(width, height);
  checkWindow(window, width, height);
  assertLabelImage(labels);
  const { width: srcWidth, height: srcHeight, data: src } = labels;
  const { width: w, height: h } = window;
  const data = new Uint8Array(w * h) /* [h,w] */;
  const columns = new Int32Array(w);
  for (let x = 0; x < w; x++) columns[x] = nearestIndex(window.x + x, srcWidth, width);
  let previousRow = -1;
  for (let y = 0; y < h; y++) {
    const sy = nearestIndex(window.y + y, srcHeight, height);
    const o = y * w;
    if (sy === previousRow) {
      data.copyWithin(o, o - w, o);
      continue;
    }
    const row = sy * srcWidth;
    for (let x = 0; x < w; x++) data[o + x] = src[row + columns[x]!]!;
    previousRow = sy;
  }
  return { width: w, height: h, data };
}

function nearestIndex(d: number, src: number, dst: number): number {
  return Math.min(src - 1, Math.floor(((2 * d + 1) * src) / (2 * dst)));
}
