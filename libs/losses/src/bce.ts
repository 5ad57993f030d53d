import * as tf from '@tensorflow/tfjs';
import { assertRank, assertSameShape, LossInputError, shapeText } from './errors';

/**
 * Element-wise binary cross-entropy of sigmoid(x) against y, computed from the logits in the
 * numerically stable form  max(x, 0) - x*y + log(1 + exp(-|x|)),  which never overflows and equals
 * -(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))). Its gradient in x is sigmoid(x) - y (also at x = 0
 * with tfjs's relu/abs gradients). Same shape as the inputs; the caller owns the result.
 */
export function sigmoidBceWithLogits(logits: tf.Tensor, targets: tf.Tensor): tf.Tensor {
  assertSameShape('logits', logits.shape, 'targets', targets.shape);
  return tf.tidy(() => {
    const x = logits.toFloat();
    const y = targets.toFloat();
    return tf.relu(x).sub(x.mul(y)).add(tf.log1p(tf.exp(tf.neg(tf.abs(x)))));
  });
}

export interface MaskedBceOptions {
  /** [C] weight per class, 1 = include, 0 = exclude (fractional weights are allowed). Default: all 1. */
  classMask?: tf.Tensor1D | readonly number[];
  /** [B,H,W] weight per pixel, 1 = valid, 0 = ignore. Default: all 1. */
  pixelMask?: tf.Tensor3D;
}

/**
 * Masked sigmoid BCE, METHOD.md's L_bce with masks:
 *
 *   L = sum_{b,h,w,c} m_{b,h,w} k_c bce(x_{b,h,w,c}, y_{b,h,w,c})  /  ( (sum_c k_c) (sum_{b,h,w} m_{b,h,w}) )
 *
 * i.e. the mean over included classes (k = classMask) and valid pixels (m = pixelMask) of the whole
 * batch: 1 / (|C| * valid pixels) for binary masks. Returns 0 (not NaN) when nothing is included.
 *
 * @param logits  [B,H,W,C] raw logits
 * @param targets [B,H,W,C] soft or hard targets in [0, 1]
 */
export function maskedBce(logits: tf.Tensor4D, targets: tf.Tensor4D, options: MaskedBceOptions = {}): tf.Scalar {
  assertRank('logits', logits.shape, 4);
  assertSameShape('logits', logits.shape, 'targets', targets.shape);
  const [batch, height, width, classes] = logits.shape;
  const { classMask, pixelMask } = options;
  if (classMask != null) {
    const length = Array.isArray(classMask) ? classMask.length : (classMask as tf.Tensor1D).shape[0];
    const rank = Array.isArray(classMask) ? 1 : (classMask as tf.Tensor1D).rank;
    if (rank !== 1 || length !== classes) {
      throw new LossInputError(`classMask must have shape [${classes}] (the class axis of logits ${shapeText(logits.shape)})`);
    }
  }
  if (pixelMask != null) {
    assertSameShape('pixelMask', pixelMask.shape, 'logits[..., 0]', [batch, height, width]);
  }
  return tf.tidy(() => {
    let perElement = sigmoidBceWithLogits(logits, targets); // [B,H,W,C]
    let classWeight: tf.Scalar = tf.scalar(classes);
    let pixelWeight: tf.Scalar = tf.scalar(batch * height * width);
    if (classMask != null) {
      const k = (Array.isArray(classMask) ? tf.tensor1d(classMask as number[]) : (classMask as tf.Tensor1D)).toFloat(); // [C]
      perElement = perElement.mul(k);
      classWeight = k.sum();
    }
    if (pixelMask != null) {
      const m = pixelMask.toFloat(); // [B,H,W]
      perElement = perElement.mul(m.expandDims(-1));
      pixelWeight = m.sum();
    }
    const denominator = classWeight.mul(pixelWeight);
    // With nothing included the numerator is exactly 0, so 0 / tiny = 0 instead of 0 / 0 = NaN.
    return perElement.sum().div(denominator.maximum(1e-12)) as tf.Scalar;
  });
}
