import * as tf from '@tensorflow/tfjs';

/**
 * One-hot of integer indices along a new last axis: [..., depth] float32, all zeros where the index
 * is outside [0, depth) (e.g. -1 = none). Unlike tf.oneHot, depth 1 is allowed (one old class).
 */
export function oneHotFloat(indices: tf.Tensor, depth: number): tf.Tensor {
  return tf.tidy(() => tf.equal(indices.toInt().expandDims(-1), tf.range(0, depth, 1, 'int32')).toFloat());
}
