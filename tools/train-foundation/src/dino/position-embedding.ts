// The ViT at another input size: its position embeddings resampled to another patch grid (bilinear,
// half-pixel centres, as tf.image.resizeBilinear with halfPixelCenters), written as one 2-D matmul
// with a fixed interpolation matrix so that it is differentiable and fast on wasm. DINO's local crops
// (48 px: a 6 x 6 grid) run the 96 px model this way.
import * as tf from '@tensorflow/tfjs';

import { resolveVitConfig, type VitWeights } from '@fmwiss/vit-models';

/** Linear taps along one axis: out x in matrix, half-pixel centres, edges clamped. */
function axisMatrix(from: number, to: number): Float64Array {
  const m = new Float64Array(to * from);
  const scale = from / to;
  for (let d = 0; d < to; d++) {
    const s = Math.min(from - 1, Math.max(0, (d + 0.5) * scale - 0.5));
    const i = Math.floor(s);
    const w = s - i;
    m[d * from + i] += 1 - w;
    if (w > 0) m[d * from + Math.min(from - 1, i + 1)] += w;
  }
  return m;
}

/**
 * The [to*to, from*from] matrix taking a row-major from x from grid to a to x to grid bilinearly:
 * the Kronecker product of the per-axis tap matrices.
 */
export function gridInterpolationMatrix(from: number, to: number): Float32Array {
  const a = axisMatrix(from, to);
  const out = new Float32Array(to * to * from * from);
  for (let y = 0; y < to; y++) {
    for (let x = 0; x < to; x++) {
      const row = (y * to + x) * from * from;
      for (let sy = 0; sy < from; sy++) {
        const wy = a[y * from + sy]!;
        if (wy === 0) continue;
        for (let sx = 0; sx < from; sx++) out[row + sy * from + sx] = wy * a[x * from + sx]!;
      }
    }
  }
  return out;
}

/**
 * Position embeddings [1 + g*g, C] (class token first) resampled to [1 + h*h, C]; the class token's
 * row is kept. Differentiable (a matmul and a concat).
 */
export function resamplePositions(positions: tf.Tensor2D, from: number, to: number): tf.Tensor2D {
  if (from === to) return positions;
  return tf.tidy(() => {
    const C = positions.shape[1];
    const cls = tf.slice(positions, [0, 0], [1, C]);
    const grid = tf.slice(positions, [1, 0], [from * from, C]);
    const matrix = tf.tensor2d(gridInterpolationMatrix(from, to), [to * to, from * from]);
    return tf.concat([cls, tf.matMul(matrix, grid)], 0);
  });
}

/**
 * The same weights viewed at input side `size` (a multiple of the patch): the config's imageSize and
 * pos_embed changed, every other tensor shared. Call it inside the gradient function: the resampled
 * positions are a new tensor taped from the pos_embed variable.
 */
export function vitAtSize(weights: VitWeights, size: number): VitWeights {
  const config = resolveVitConfig({ ...weights.config, imageSize: size });
  if (size === weights.config.imageSize) return weights;
  const from = weights.config.imageSize / weights.config.patchSize;
  const to = size / weights.config.patchSize;
  const positions = resamplePositions(weights.tensors['pos_embed'] as tf.Tensor2D, from, to);
  return { config, tensors: { ...weights.tensors, pos_embed: positions } };
}
