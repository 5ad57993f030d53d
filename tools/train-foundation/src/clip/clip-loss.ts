// The symmetric InfoNCE loss of CLIP with a learned temperature, and its targets.
import * as tf from '@tensorflow/tfjs';

import { l2Normalize } from '../shared/tensor-ops';

/** ln(1 / 0.07): CLIP's initial logit scale (log of the inverse temperature). */
export const INITIAL_LOG_SCALE = Math.log(1 / 0.07);
/** CLIP clamps the scale at 100: the log scale at ln 100. */
export const MAX_LOG_SCALE = Math.log(100);

/**
 * The targets [B,B] of a batch whose i-th text is `keys[i]`: row i spreads 1 evenly over the items
 * whose text is the same (the identity when all texts differ). Identical texts have identical
 * embeddings, so calling the other copies negatives would push a text away from itself.
 */
export function duplicateTargets(keys: readonly string[]): Float32Array {
  const B = keys.length;
  const targets = new Float32Array(B * B);
  for (let i = 0; i < B; i++) {
    let count = 0;
    for (let j = 0; j < B; j++) if (keys[j] === keys[i]) count++;
    for (let j = 0; j < B; j++) if (keys[j] === keys[i]) targets[i * B + j] = 1 / count;
  }
  return targets;
}

/**
 * Symmetric InfoNCE: with u = normalised image embeddings [B,D], t = normalised text embeddings
 * [B,D] and logits = exp(logScale) t u^T [B text, B image],
 *
 *     loss = ( CE_rows(logits, targets) + CE_rows(logits^T, targets^T) ) / 2,
 *     CE_rows(L, Y) = -(1/B) sum_i sum_j Y_ij log softmax_j(L_i)
 *
 * (text -> image and image -> text; `targets` [B,B] as duplicateTargets gives, the identity for
 * distinct texts). `logScale` is the scalar log of the inverse temperature.
 */
export function clipLoss(image: tf.Tensor2D, text: tf.Tensor2D, logScale: tf.Tensor, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const B = image.shape[0];
    const logits = tf.mul(tf.matMul(l2Normalize(text), l2Normalize(image), false, true), tf.exp(logScale)) as tf.Tensor2D;
    const textToImage = tf.sum(tf.mul(targets, tf.logSoftmax(logits, 1)));
    const imageToText = tf.sum(tf.mul(tf.transpose(targets), tf.logSoftmax(tf.transpose(logits), 1)));
    return tf.div(tf.add(textToImage, imageToText), -2 * B) as tf.Scalar;
  });
}

/**
 * The dense (multiple-instance) term: the same symmetric InfoNCE, but the score of text i against
 * image j is a smooth maximum over image j's patches of the cosine between the text and the patch's
 * dense embedding (MaskCLIP's value path):
 *
 *     s_ij = tau * log sum_p exp( t_i . d_jp / tau ),   logits = exp(logScale) * s   [B text, B image]
 *
 * It trains the dense path that M_init reads, still from image-text pairs alone: a caption or a
 * prompt "a photo of a cat" must match some patch of its image better than any patch of the other
 * images. With all patches of each image equal it is clipLoss of that embedding (the smooth maximum
 * then adds tau * log P to every score, which no softmax sees).
 *
 * @param dense [B,h,w,D] dense embeddings (not normalised)
 * @param text [B,D] text embeddings (not normalised)
 * @param poolTemperature tau of the smooth maximum (0.1: close to the maximum, every patch gets a gradient)
 */
export function denseMilLoss(dense: tf.Tensor4D, text: tf.Tensor2D, logScale: tf.Tensor, targets: tf.Tensor2D, poolTemperature: number): tf.Scalar {
  return tf.tidy(() => {
    const [B, h, w, D] = dense.shape;
    const P = h * w;
    const patches = l2Normalize(tf.reshape(dense, [B * P, D]) as tf.Tensor2D); // [B*P,D]
    const cosines = tf.reshape(tf.matMul(l2Normalize(text), patches, false, true), [B, B, P]); // [B text, B image, P]
    const scores = tf.mul(tf.logSumExp(tf.div(cosines, poolTemperature), 2), poolTemperature) as tf.Tensor2D; // [B,B]
    const logits = tf.mul(scores, tf.exp(logScale)) as tf.Tensor2D;
    const textToImage = tf.sum(tf.mul(targets, tf.logSoftmax(logits, 1)));
    const imageToText = tf.sum(tf.mul(tf.transpose(targets), tf.logSoftmax(tf.transpose(logits), 1)));
    return tf.div(tf.add(textToImage, imageToText), -2 * B) as tf.Scalar;
  });
}
