// PNG files for the report's sample panels.
import { assertLabelImage, encodeLabelPng, encodePng, VOC_PALETTE, type LabelImage, type RgbImage } from '@fmwiss/imaging';
import { viridis } from './colour-maps';

/**
 * A label map (class ids, 255 ignore) as an 8-bit palette PNG in the VOC colours: the pixels stay class
 * ids, viewers show 0 black, 1 (128,0,0), ..., 255 (224,224,192).
 */
export async function labelMapPng(labels: LabelImage): Promise<Uint8Array> {
  assertLabelImage(labels);
  return encodeLabelPng(labels, VOC_PALETTE);
}

/**
 * A heat map of values in [0,1] (row-major [H,W]; clamped) as an RGB PNG in the viridis colour map:
 * 0 dark purple (68,1,84), 1 yellow (253,231,37). NaN pixels are mid gray.
 */
export async function heatMapPng(values: Float32Array /* [H,W] */, width: number, height: number): Promise<Uint8Array> {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`heat map needs positive integer width and height, got ${width}x${height}`);
  }
  if (values.length !== width * height) {
    throw new RangeError(`heat map ${width}x${height} needs ${width * height} values, got ${values.length}`);
  }
  const data = new Uint8Array(width * height * 3) /* [H,W,3] */;
  for (let i = 0; i < values.length; i++) data.set(viridis(values[i]!), i * 3);
  return encodePng({ width, height, data });
}

/** An RGB image as a PNG file. */
export async function rgbPng(image: RgbImage): Promise<Uint8Array> {
  return encodePng(image);
}
