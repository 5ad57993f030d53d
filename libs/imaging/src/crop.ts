import { assertLabelImage, assertRgbImage, IGNORE_LABEL, type LabelImage, type RgbImage } from './types';

/** The default fill for padded image pixels: the ImageNet mean in 0..255, rounded. */
export const DEFAULT_IMAGE_FILL: readonly [number, number, number] = [124, 116, 104];

/**
 * Cuts the window of `width` x `height` pixels whose top-left corner is (offsetX, offsetY) in `src`
 * (shape [SH,SW,C]; offsets may be negative, and the window may reach past the far edges); pixels of the
 * window outside `src` get `fill` (C values). With `flip` the window is mirrored left-right. Returns a
 * new [height,width,C] buffer; one pass, no per-pixel allocation.
 */
export function cutWindow(
  src: Uint8Array,
  srcWidth: number,
  srcHeight: number,
  channels: number,
  offsetX: number,
  offsetY: number,
  width: number,
  height: number,
  fill: ArrayLike<number>,
  flip = false,
): Uint8Array {
  const out = new Uint8Array(width * height * channels) /* [H,W,C] */;
  const x0 = Math.max(0, -offsetX);
  const x1 = Math.min(width, srcWidth - offsetX);
  const y0 = Math.max(0, -offsetY);
  const y1 = Math.min(height, srcHeight - offsetY);
  const covered = x0 === 0 && y0 === 0 && x1 === width && y1 === height;
  if (!covered) {
    if (channels === 1) out.fill(fill[0]!);
    else for (let i = 0; i < out.length; i += channels) for (let c = 0; c < channels; c++) out[i + c] = fill[c]!;
  }
  if (x1 <= x0 || y1 <= y0) return out;
  for (let y = y0; y < y1; y++) {
    const srcRow = ((y + offsetY) * srcWidth + offsetX) * channels;
    const dstRow = y * width * channels;
    if (!flip) {
      out.set(src.subarray(srcRow + x0 * channels, srcRow + x1 * channels), dstRow + x0 * channels);
      continue;
    }
    for (let x = x0; x < x1; x++) {
      const s = srcRow + x * channels;
      const d = dstRow + (width - 1 - x) * channels;
      for (let c = 0; c < channels; c++) out[d + c] = src[s + c]!;
    }
  }
  return out;
}

/** The offset of a centred window: floor((src - dst) / 2), negative when the window is larger (padding). */
export function centerOffset(src: number, dst: number): number {
  return Math.floor((src - dst) / 2);
}

function checkSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`crop size must be positive integers, got ${width}x${height}`);
  }
}

/**
 * Crops the centre `width` x `height` of an image, or pads it on both sides with `fill` where it is
 * smaller (each axis on its own). The window's top-left in the source is
 * (centerOffset(image.width, width), centerOffset(image.height, height)): an odd surplus drops one
 * more pixel at the bottom/right, an odd shortfall pads one more at the top/left.
 */
export function centerCropOrPadImage(
  image: RgbImage,
  width: number,
  height: number,
  fill: readonly [number, number, number] = DEFAULT_IMAGE_FILL,
): RgbImage {
  assertRgbImage(image);
  checkSize(width, height);
  const ox = centerOffset(image.width, width);
  const oy = centerOffset(image.height, height);
  return { width, height, data: cutWindow(image.data, image.width, image.height, 3, ox, oy, width, height, fill) };
}

/** As centerCropOrPadImage for a label map; padding gets `fill` (default 255 = ignore). */
export function centerCropOrPadLabels(labels: LabelImage, width: number, height: number, fill = IGNORE_LABEL): LabelImage {
  assertLabelImage(labels);
  checkSize(width, height);
  const ox = centerOffset(labels.width, width);
  const oy = centerOffset(labels.height, height);
  return { width, height, data: cutWindow(labels.data, labels.width, labels.height, 1, ox, oy, width, height, [fill]) };
}
