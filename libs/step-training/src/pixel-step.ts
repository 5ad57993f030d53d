import * as tf from '@tensorflow/tfjs';
import { maskedBce } from '@fmwiss/losses';
import type { Student } from '@fmwiss/segmentation-models';
import { polyLearningRate, type SgdMomentum } from '@fmwiss/training';
import { applyGradients, lossValues, softmaxCrossEntropy, stableNames } from './gradients';
import type { StepHyperparameters } from './types';
import { CROSS_ENTROPY_WEIGHT, IGNORE, type StepUpdate } from './constants';

export interface PixelStepTrainer {
  /**
   * One pixel-supervised update: L = BCE(student, one-hot) + CROSS_ENTROPY_WEIGHT * CE_w(student, labels),
   * both over the labelled pixels at the logits' size; CE_w is weighted by `classWeights` when given.
   *
   * @param images [B,S,S,3] normalised
   * @param labels [B,h,w] int32 channel indices at the logits' size, 255 = not labelled
   */
  step(images: tf.Tensor4D, labels: tf.Tensor3D, iteration: number): StepUpdate;
}

/** base, joint and finetune steps: the student against pixel labels. */
export function createPixelStepTrainer(options: {
  student: Student;
  optimizer: SgdMomentum;
  hyperparameters: StepHyperparameters;
  maxIterations: number;
  /** Per-channel weights of the cross-entropy (classBalanceWeights); none: unweighted. */
  classWeights?: readonly number[];
}): PixelStepTrainer {
  const { student, optimizer, hyperparameters: h, maxIterations } = options;
  if (options.classWeights && options.classWeights.length !== student.numClasses) {
    throw new Error(`classWeights has ${options.classWeights.length} entries, the student ${student.numClasses} channels`);
  }
  const named = student.namedWeights();
  const stableOf = stableNames(named);
  const trainables = student.variables.filter((v) => v.trainable);
  const channels = student.numClasses;
  return {
    step(images, labels, iteration) {
      const learningRate = polyLearningRate(h.learningRate, iteration, maxIterations, h.polyPower);
      const { targets, valid } = tf.tidy(() => ({
        targets: tf.equal(labels.expandDims(-1), tf.range(0, channels, 1, 'int32')).toFloat() as tf.Tensor4D, // [B,h,w,C]
        valid: labels.notEqual(IGNORE).toFloat() as tf.Tensor3D, // [B,h,w]
      }));
      let parts: tf.Tensor1D | undefined;
      const weights = options.classWeights ? tf.tensor1d([...options.classWeights]) : undefined; // [C]
      const { value, grads } = tf.variableGrads(() => {
        const { logits } = student.forward(images, { training: true }); // [B,h,w,C]
        const bce = maskedBce(logits, targets, { pixelMask: valid });
        const ce = softmaxCrossEntropy(logits, labels, weights);
        const loss = bce.add(ce.mul(CROSS_ENTROPY_WEIGHT)) as tf.Scalar;
        parts = tf.keep(tf.stack([loss, bce, ce]) as tf.Tensor1D);
        return loss;
      }, trainables);
      value.dispose();
      tf.dispose([targets, valid, ...(weights ? [weights] : [])]);
      const losses = lossValues(parts!, ['total', 'seg', 'ce']);
      const applied = applyGradients(grads, named, stableOf, optimizer, learningRate, h.gradientClipNorm, Object.values(losses).every(Number.isFinite));
      return { losses, learningRate, applied };
    },
  };
}
