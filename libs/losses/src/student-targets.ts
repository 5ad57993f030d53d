import * as tf from '@tensorflow/tfjs';
import { assertRank, LossInputError, shapeText } from './errors';
import { oneHotFloat } from './one-hot';

export interface StudentTargetInputs {
  /** [B,H,W,Cnew] sigmoid of the teacher's new-class logits, P_T. */
  teacherProbs: tf.Tensor4D;
  /** [B,H,W,Cold] sigmoid of the teacher's old-class logits, P_T,old. */
  teacherOldProbs: tf.Tensor4D;
  /** [B,H,W,1+Cold] sigmoid of the previous-step model, background first. */
  previousProbs: tf.Tensor4D;
  /** Weight of the hard (one-hot) teacher label for new classes (METHOD.md: 0.5). */
  alpha: number;
  /** Weight of the previous model for old classes (METHOD.md: 0.9). */
  beta: number;
  /**
   * The one-hot vote goes only to pixels whose winning new-class probability is at least this.
   * Default 0: METHOD.md as written, where every pixel gives alpha to some new class (so background
   * never exceeds 1 - alpha). 0.5 restricts the hard label to pixels the teacher calls foreground.
   */
  hardMinProb?: number;
}

/**
 * METHOD.md section 5, the student's per-class sigmoid targets. Channel order of the result
 * [B,H,W,1+Cold+Cnew]: background, the old classes, the new classes.
 *
 *   new c:      y_c = alpha * hard_c + (1 - alpha) * P_T,c,  hard = one-hot of argmax_{c' in new} P_T,c'
 *               (our reading: the argmax runs over the NEW classes only; `hardMinProb` gates it)
 *   old c:      y_c = beta * P_prev,c + (1 - beta) * P_T,old,c
 *   background: y_0 = clip(1 - max_{c != 0} y_c, 0, 1)
 *
 * Targets are values, not part of the student's graph: compute them outside the gradient tape of the
 * student loss (or accept that they carry the teacher's gradient).
 */
export function studentTargets(inputs: StudentTargetInputs): tf.Tensor4D {
  const { teacherProbs, teacherOldProbs, previousProbs, alpha, beta } = inputs;
  const hardMinProb = inputs.hardMinProb ?? 0;
  assertRank('teacherProbs', teacherProbs.shape, 4);
  assertRank('teacherOldProbs', teacherOldProbs.shape, 4);
  assertRank('previousProbs', previousProbs.shape, 4);
  const [batch, height, width, newClasses] = teacherProbs.shape;
  const oldClasses = teacherOldProbs.shape[3];
  const expectOld = [batch, height, width, oldClasses];
  const expectPrevious = [batch, height, width, 1 + oldClasses];
  if (teacherOldProbs.shape.some((d, i) => d !== expectOld[i])) {
    throw new LossInputError(`teacherOldProbs ${shapeText(teacherOldProbs.shape)} must be [B,H,W,Cold] with B,H,W of teacherProbs ${shapeText(teacherProbs.shape)}`);
  }
  if (previousProbs.shape.some((d, i) => d !== expectPrevious[i])) {
    throw new LossInputError(`previousProbs ${shapeText(previousProbs.shape)} must be ${shapeText(expectPrevious)} (background + ${oldClasses} old classes)`);
  }
  if (newClasses < 1) throw new LossInputError('teacherProbs needs at least one new class');
  for (const [name, value] of [['alpha', alpha], ['beta', beta]] as const) {
    if (!(value >= 0 && value <= 1)) throw new LossInputError(`${name} must lie in [0, 1], got ${value}`);
  }
  return tf.tidy(() => {
    const pNew = teacherProbs.toFloat(); // [B,H,W,Cnew]
    let hard = oneHotFloat(pNew.argMax(-1), newClasses); // [B,H,W,Cnew]
    if (hardMinProb > 0) hard = hard.mul(pNew.max(-1, true).greaterEqual(hardMinProb).toFloat());
    const yNew = hard.mul(alpha).add(pNew.mul(1 - alpha)); // [B,H,W,Cnew]
    const previousOld = previousProbs.slice([0, 0, 0, 1], [batch, height, width, oldClasses]).toFloat(); // [B,H,W,Cold]
    const yOld = previousOld.mul(beta).add(teacherOldProbs.toFloat().mul(1 - beta)); // [B,H,W,Cold]
    const others = tf.concat([yOld, yNew], -1); // [B,H,W,Cold+Cnew]
    const background = tf.clipByValue(tf.sub(1, others.max(-1, true)), 0, 1); // [B,H,W,1]
    return tf.concat([background, others], -1) as tf.Tensor4D; // [B,H,W,1+Cold+Cnew]
  });
}
