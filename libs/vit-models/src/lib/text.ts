// The CLIP text transformer's forward pass.
import * as tf from '@tensorflow/tfjs';

import type { ResolvedTextConfig } from './config';
import { layerNorm, linear, MASKED_SCORE, transformerBlock } from './layers';
import { type TextWeights, weight } from './weights';

/** The additive causal mask [L,L]: 0 on and below the diagonal, MASKED_SCORE above (a query sees no later key). */
export function causalMask(length: number): Float32Array {
  const mask = new Float32Array(length * length);
  for (let q = 0; q < length; q++) for (let k = q + 1; k < length; k++) mask[q * length + k] = MASKED_SCORE;
  return mask;
}

/**
 * Per-position scores [L] whose argmax over `ids == endId` (as 0/1) * weights + bias is the first end
 * token, or the last position when a row holds none: weights 2L - j, bias 1 at L-1 only.
 */
export function endPositionScores(length: number): { weights: Float32Array; bias: Float32Array } {
  const weights = Float32Array.from({ length }, (_, j) => 2 * length - j);
  const bias = new Float32Array(length);
  bias[length - 1] = 1;
  return { weights, bias };
}

/** The position of each row's first end token, or L-1 when it has none: int32 [B]. */
export function endPositions(ids: tf.Tensor2D, config: ResolvedTextConfig): tf.Tensor1D {
  return tf.tidy(() => {
    const { weights, bias } = endPositionScores(config.contextLength);
    const isEnd = tf.cast(tf.equal(ids, config.endId), 'float32') /* [B,L] */;
    return tf.argMax(tf.add(tf.mul(isEnd, tf.tensor1d(weights)), tf.tensor1d(bias)), 1) as tf.Tensor1D;
  });
}

/**
 * The text embedding [B,D] of token ids int32 [B,L] (start token, words, end token, padding; every id
 * below vocabSize): token + position embeddings, causal pre-norm blocks, ln_final, the features at
 * the first end token, the projection. Not normalised. Pure; the result is the caller's.
 */
export function encodeText(weights: TextWeights, ids: tf.Tensor2D): tf.Tensor2D {
  const { config, tensors } = weights;
  const [B, L] = ids.shape;
  if (L !== config.contextLength) throw new RangeError(`encodeText: ids must be [B,${config.contextLength}], got [${ids.shape.join(',')}]`);
  if (ids.dtype !== 'int32') throw new TypeError(`encodeText: ids must be int32, got ${ids.dtype}`);
  return tf.tidy(() => {
    const C = config.width;
    const embedded = tf.gather(weight(tensors, 'token_embed.weight'), tf.reshape(ids, [B * L])) /* [B*L,C] */;
    let x: tf.Tensor = tf.reshape(tf.add(tf.reshape(embedded, [B, L, C]), weight(tensors, 'pos_embed')), [B * L, C]);
    const mask = tf.tensor2d(causalMask(L), [L, L]);
    const shape = { batch: B, tokens: L, width: C, heads: config.heads, eps: config.layerNormEps };
    for (let i = 0; i < config.depth; i++) {
      const input = x;
      x = tf.tidy(() => transformerBlock(input, tensors, `blocks.${i}`, shape, { mask }).out);
    }
    const rows = tf.add(tf.mul(tf.range(0, B, 1, 'int32'), tf.scalar(L, 'int32')), endPositions(ids, config)) /* [B] rows of x */;
    const atEnd = tf.gather(x, rows) /* [B,C] */;
    // ln_final per token: applying it to the selected rows only is the same function, B times cheaper.
    const normalised = layerNorm(atEnd, weight(tensors, 'ln_final.weight'), weight(tensors, 'ln_final.bias'), config.layerNormEps);
    return linear(normalised, weight(tensors, 'proj.weight'));
  });
}
