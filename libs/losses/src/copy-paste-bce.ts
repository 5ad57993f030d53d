import * as tf from '@tensorflow/tfjs';
import { maskedBce } from './bce';
import { oneHotFloat } from './one-hot';
import { assertRank, assertSameShape, LossInputError } from './errors';

/**
 * METHOD.md's L_old (memory-based copy-paste): BCE between sigmoid(old-class logits) and the one-hot
 * of the pasted old-class labels, on pasted pixels only,
 *
 *   L = sum_{pasted i} sum_{c < Cold} bce(x_{i,c}, [l_i = c])  /  (Cold * #pasted),
 *
 * 0 when nothing is pasted. Column c of `oldLogits` is the old class with pasted label c; the caller
 * chooses which teacher columns those are (e.g. the seen classes without background).
 * Reads `pastedLabels` on the CPU to reject a label outside [-1, Cold).
 *
 * @param oldLogits    [B,H,W,Cold] teacher logits of the old classes
 * @param pastedLabels [B,H,W] int32, index into the old classes, -1 = not pasted
 */
export function copyPasteBce(oldLogits: tf.Tensor4D, pastedLabels: tf.Tensor3D): tf.Scalar {
  assertRank('oldLogits', oldLogits.shape, 4);
  const [batch, height, width, oldClasses] = oldLogits.shape;
  assertSameShape('pastedLabels', pastedLabels.shape, 'oldLogits[..., 0]', [batch, height, width]);
  const labels = pastedLabels.dataSync();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    if (!Number.isInteger(label) || label < -1 || label >= oldClasses) {
      throw new LossInputError(`pastedLabels[${i}] = ${label} is neither -1 (not pasted) nor an old class in [0, ${oldClasses})`);
    }
  }
  return tf.tidy(() => {
    const indices = pastedLabels.toInt(); // [B,H,W]
    const targets = oneHotFloat(indices, oldClasses) as tf.Tensor4D; // [B,H,W,Cold], all 0 where -1
    const pasted = indices.greaterEqual(0).toFloat() as tf.Tensor3D; // [B,H,W]
    return maskedBce(oldLogits, targets, { pixelMask: pasted });
  });
}
