// Small tensor helpers shared by the losses and heads.
import * as tf from '@tensorflow/tfjs';

/** x / max(||x||, 1e-12) per row of x [N,D]. */
export function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.sqrt(tf.maximum(tf.sum(tf.square(x), 1, true), 1e-24)));
}
