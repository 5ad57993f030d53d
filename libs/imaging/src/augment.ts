import type { SeededRandom } from '@fmwiss/random';
import { cutWindow, DEFAULT_IMAGE_FILL } from './crop';
import { resizeBilinearWindow, resizeNearestWindow, type ResizeWindow } from './resize';
import { assertLabelImage, assertRgbImage, IGNORE_LABEL, type LabelImage, type RgbImage } from './types';

/** An image with its label map, the same size. */
export interface LabelledImage {
  image: RgbImage;
  labels: LabelImage;
}

export interface ScaleCropFlipOptions {
  /** Smallest and largest scale factor; s is drawn uniformly in [scaleMin, scaleMax). */
  scaleMin: number;
  scaleMax: number;
  /** Side of the square output, in pixels. */
  cropSize: number;
  /** Whether to mirror left-right with probability 0.5. */
  flip: boolean;
  /** RGB for padded image pixels; default DEFAULT_IMAGE_FILL (124, 116, 104). */
  imageFill?: readonly [number, number, number];
  /** Label for padded pixels; default 255 (ignore). */
  labelFill?: number;
}

/** What randomScaleCropFlip did, enough to map points (see mapPointToAugmented). */
export interface ScaleCropFlipTransform {
  /** The drawn scale factor s. */
  scale: number;
  sourceWidth: number;
  sourceHeight: number;
  /** Size after scaling: max(1, round(source * s)) per axis, so the exact factors are scaled / source. */
  scaledWidth: number;
  scaledHeight: number;
  /** Top-left of the crop in the scaled image padded at the bottom/right to at least cropSize. */
  offsetX: number;
  offsetY: number;
  flipped: boolean;
  cropSize: number;
}

export interface AugmentedSample extends LabelledImage {
  transform: ScaleCropFlipTransform;
}

function checkFill(values: ArrayLike<number>, name: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`${name} values must be integers in 0..255, got ${v}`);
  }
}

/**
 * Training augmentation that keeps an image and its label map aligned:
 * 1. scales both by one factor s ~ U[scaleMin, scaleMax) (bilinear image, nearest labels, sizes
 *    max(1, round(side * s)); s = 1 leaves them untouched);
 * 2. pads both at the bottom/right to at least cropSize per side (imageFill, labelFill);
 * 3. takes a cropSize x cropSize window at the same random offset in both;
 * 4. with `flip`, mirrors both left-right with probability 0.5.
 * Draws exactly four values from `random` (scale, offsetX, offsetY, flip) whatever the options, so the
 * result is a function of the stream, and one sample's options do not shift the next sample's draws.
 */
export function randomScaleCropFlip(
  sample: LabelledImage,
  random: SeededRandom,
  options: ScaleCropFlipOptions,
): AugmentedSample {
  const { image, labels } = sample;
  assertRgbImage(image);
  assertLabelImage(labels);
  if (image.width !== labels.width || image.height !== labels.height) {
    throw new RangeError(
      `image ${image.width}x${image.height} and labels ${labels.width}x${labels.height} must be the same size`,
    );
  }
  const { scaleMin, scaleMax, cropSize, flip } = options;
  if (!(scaleMin > 0) || !(scaleMax >= scaleMin) || !Number.isFinite(scaleMax)) {
    throw new RangeError(`need 0 < scaleMin <= scaleMax, got scaleMin ${scaleMin}, scaleMax ${scaleMax}`);
  }
  if (!Number.isInteger(cropSize) || cropSize < 1) throw new RangeError(`cropSize must be a positive integer, got ${cropSize}`);
  const imageFill = options.imageFill ?? DEFAULT_IMAGE_FILL;
  const labelFill = options.labelFill ?? IGNORE_LABEL;
  if (imageFill.length !== 3) throw new RangeError(`imageFill needs 3 values, got ${imageFill.length}`);
  checkFill(imageFill, 'imageFill');
  checkFill([labelFill], 'labelFill');

  const scale = scaleMin + (scaleMax - scaleMin) * random.next();
  const scaledWidth = Math.max(1, Math.round(image.width * scale));
  const scaledHeight = Math.max(1, Math.round(image.height * scale));
  const offsetX = random.int(Math.max(scaledWidth, cropSize) - cropSize + 1);
  const offsetY = random.int(Math.max(scaledHeight, cropSize) - cropSize + 1);
  const flipped = random.next() < 0.5 && flip;

  // Resample only the part of the scaled image that the crop covers, then pad and flip it.
  const covered: ResizeWindow = {
    x: offsetX,
    y: offsetY,
    width: Math.min(scaledWidth - offsetX, cropSize),
    height: Math.min(scaledHeight - offsetY, cropSize),
  };
  const part = resizeBilinearWindow(image, scaledWidth, scaledHeight, covered).data;
  const partLabels = resizeNearestWindow(labels, scaledWidth, scaledHeight, covered).data;
  const cut = (src: Uint8Array, channels: number, fill: ArrayLike<number>): Uint8Array =>
    cutWindow(src, covered.width, covered.height, channels, 0, 0, cropSize, cropSize, fill, flipped);
  return {
    image: { width: cropSize, height: cropSize, data: cut(part, 3, imageFill) },
    labels: { width: cropSize, height: cropSize, data: cut(partLabels, 1, [labelFill]) },
    transform: {
      scale,
      sourceWidth: image.width,
      sourceHeight: image.height,
      scaledWidth,
      scaledHeight,
      offsetX,
      offsetY,
      flipped,
      cropSize,
    },
  };
}

/**
 * Maps a point of the source image to the augmented one, in continuous pixel coordinates (pixel i
 * spans [i, i + 1), its centre is i + 0.5). The result may fall outside [0, cropSize) when the
 * point was cropped away.
 */
export function mapPointToAugmented(transform: ScaleCropFlipTransform, x: number, y: number): [number, number] {
  const sx = (x * transform.scaledWidth) / transform.sourceWidth - transform.offsetX;
  const sy = (y * transform.scaledHeight) / transform.sourceHeight - transform.offsetY;
  return [transform.flipped ? transform.cropSize - sx : sx, sy];
}
