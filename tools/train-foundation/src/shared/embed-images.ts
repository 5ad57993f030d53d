// Image embeddings of a trained ViT in batches, shared by mini-CLIP's retrieval and export checks
// and mini-DINO's nearest-neighbour check.
import * as tf from '@tensorflow/tfjs';

import type { RgbImage } from '@fmwiss/imaging';
import { encodeImage, type VitWeights } from '@fmwiss/vit-models';

import { plainPixels, type Rgb } from './pixels';

/**
 * `global` embeddings [N,D] of images resized and normalised as the services do, in batches: the
 * class token after ln_post, projected when the model has a projection (mini-CLIP) and as is when it
 * has none (mini-DINO's class-token features).
 */
export function embedImages(weights: VitWeights, images: readonly RgbImage[], mean: Rgb, std: Rgb, batch = 64): Float32Array {
  const S = weights.config.imageSize;
  const parts: Float32Array[] = [];
  for (let start = 0; start < images.length; start += batch) {
    const chunk = images.slice(start, start + batch);
    const pixels = new Float32Array(chunk.length * S * S * 3);
    chunk.forEach((image, i) => pixels.set(plainPixels(image, S, mean, std), i * S * S * 3));
    const input = tf.tensor4d(pixels, [chunk.length, S, S, 3]);
    const { global } = encodeImage(weights, input);
    parts.push(global.dataSync() as Float32Array);
    tf.dispose([input, global]);
  }
  return concatRows(parts);
}

/** The row blocks one after another. */
export function concatRows(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
