import * as tf from '@tensorflow/tfjs';
import { copyPasteBce, denseContrastiveLoss, maskedBce } from '@fmwiss/losses';
import type { Student, Teacher } from '@fmwiss/segmentation-models';
import { polyLearningRate, type SgdMomentum } from '@fmwiss/training';
import { applyGradients, lossValues, softCrossEntropy, softmaxCrossEntropy, stableNames } from './gradients';
import { CROSS_ENTROPY_WEIGHT, IGNORE, TEACHER_LEARNING_RATE_FACTOR, type StepUpdate } from './constants';
import type { StepHyperparameters } from './types';

/** One batch of a weak step, built on the CPU (batch-data.ts). The caller disposes it. */
export interface WeakBatch {
  /** [B,S,S,3] normalised images, old-class instances pasted in. */
  images: tf.Tensor4D;
  /**
   * [B,h,w] int32 at the logits' size: the channel of each pixel's pseudo label (0 background, new
   * classes 1+Cold.., restricted to the image's image-level labels), the old channel 1..Cold of a
   * pasted instance's pixel, 255 = no label.
   */
  labels: tf.Tensor3D;
  /** [B,Cnew] 1 where the new class is in the image's image-level labels. */
  newClassMask: tf.Tensor2D;
}

export interface WeakStepTrainerOptions {
  student: Student;
  /** Null when the step runs without the teacher (useTeacher false). */
  teacher: Teacher | null;
  /** The previous step's model, frozen (cloneFrozen): 1 + Cold channels. */
  previous: Student;
  optimizer: SgdMomentum;
  oldCount: number;
  newCount: number;
  hyperparameters: StepHyperparameters;
  maxIterations: number;
}

export interface WeakStepTrainer {
  /** Teacher warm-up: the teacher's loss on frozen student features; only the teacher changes. */
  warmupStep(batch: WeakBatch, iteration: number, sampleSeed: string): StepUpdate;
  /** L = L_seg + L_T over student and teacher; L_T reaches the shared encoder. */
  jointStep(batch: WeakBatch, iteration: number, sampleSeed: string): StepUpdate;
  /** No teacher: the student learns the pseudo labels (new classes) and the previous model (old ones) directly. */
  directStep(batch: WeakBatch, iteration: number): StepUpdate;
}

/** Channel ranges of [background, old..., new...]. */
function channels(logits: tf.Tensor4D, start: number, count: number): tf.Tensor4D {
  const [b, h, w] = logits.shape;
  return logits.slice([0, 0, 0, start], [b, h, w, count]);
}

/** A copy outside every gradient tape: the gradient stops here. */
function constantCopy<T extends tf.Tensor>(x: T): T {
  return tf.tensor(x.dataSync(), x.shape, x.dtype) as T;
}

/**
 * The distribution the student's cross-entropy term aims at (our reading of METHOD.md's "background:
 * what the previous model and the teacher leave", for a softmax): the previous model's softmax keeps
 * its old classes' mass, and its background mass is split between background and the new classes by
 * the new-class targets. The previous model's arg-max among old classes is kept, new classes only take
 * from background. Data, no gradient.
 *
 * @param previousLogits [B,h,w,1+Cold]
 * @param newTargets     [B,h,w,Cnew] in [0,1] (rescaled when they sum above 1)
 * @returns [B,h,w,1+Cold+Cnew], background, old, new; sums to 1
 */
export function distillationDistribution(previousLogits: tf.Tensor4D, newTargets: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const previous = tf.softmax(previousLogits, 3); // [B,h,w,1+Cold]
    const [b, hh, w, c] = previous.shape;
    const share = newTargets.div(newTargets.sum(3, true).maximum(1)); // [B,h,w,Cnew], sum <= 1
    const background = previous.slice([0, 0, 0, 0], [b, hh, w, 1]); // [B,h,w,1]
    const old = previous.slice([0, 0, 0, 1], [b, hh, w, c - 1]);
    return tf.concat([background.mul(tf.sub(1, share.sum(3, true))), old, background.mul(share)], 3) as tf.Tensor4D;
  });
}

/**
 * The one-hot of a distribution's arg-max, [B,h,w,C] (ties: the lowest channel). The student's
 * cross-entropy aims at this rather than at the soft distribution: with soft targets a freshly grown
 * new-class channel of a student trained for minutes never wins a pixel (docs/step-training.md).
 */
export function hardTargets(distribution: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.oneHot(distribution.argMax(3), distribution.shape[3]).toFloat() as tf.Tensor4D);
}

/**
 * METHOD.md section 5's student targets, [B,h,w,1+Cold+Cnew] (background, old, new):
 *   new c:      alpha * hard_c + (1 - alpha) * P_T,c
 *   old c:      beta * sigmoid(previous)_c + (1 - beta) * P_T,c
 *   background: clip(1 - max of the others, 0, 1)
 * hard = the one-hot of the per-pixel arg-max of the teacher's logits over background and the new
 * classes of the image's image-level labels: no new class gets the hard vote where the teacher's
 * winner is background ("argmax over classes", METHOD.md; @fmwiss/losses' studentTargets takes the
 * arg-max over the new classes only, so every pixel would give alpha to some new class). New classes
 * absent from the image-level labels get 0. Data: call it on values outside the gradient tape.
 *
 * @param teacherLogits  [B,h,w,1+Cold+Cnew]
 * @param newClassMask   [B,Cnew] 1 = the class is in the image's image-level labels
 * @param previousProbs  [B,h,w,1+Cold] sigmoid of the previous model
 */
export function weakStudentTargets(
  teacherLogits: tf.Tensor4D,
  newClassMask: tf.Tensor2D,
  previousProbs: tf.Tensor4D,
  oldCount: number,
  alpha: number,
  beta: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [b] = teacherLogits.shape;
    const newCount = teacherLogits.shape[3] - 1 - oldCount;
    const mask = newClassMask.reshape([b, 1, 1, newCount]); // [B,1,1,Cnew]
    const probs = tf.sigmoid(teacherLogits); // [B,h,w,C]
    const pNew = channels(probs, 1 + oldCount, newCount).mul(mask); // absent classes: 0
    const bgNewLogits = tf.concat([channels(teacherLogits, 0, 1), channels(teacherLogits, 1 + oldCount, newCount).add(mask.sub(1).mul(1e9))], 3); // absent: -1e9
    const winner = bgNewLogits.argMax(3); // [B,h,w] 0 = background
    const hard = tf.equal(winner.expandDims(-1), tf.range(1, newCount + 1, 1, 'int32')).toFloat(); // [B,h,w,Cnew]
    const yNew = hard.mul(alpha).add(pNew.mul(1 - alpha));
    const yOld = channels(previousProbs, 1, oldCount).mul(beta).add(channels(probs, 1, oldCount).mul(1 - beta));
    const others = tf.concat([yOld, yNew], 3);
    const background = tf.clipByValue(tf.sub(1, others.max(3, true)), 0, 1);
    return tf.concat([background, others], 3) as tf.Tensor4D;
  });
}

export function createWeakStepTrainer(options: WeakStepTrainerOptions): WeakStepTrainer {
  const { student, teacher, previous, optimizer, oldCount, newCount, hyperparameters: h, maxIterations } = options;
  const total = 1 + oldCount + newCount;
  if (student.numClasses !== total) throw new Error(`the student has ${student.numClasses} channels, expected ${total}`);
  if (teacher && teacher.numClasses !== total) throw new Error(`the teacher has ${teacher.numClasses} channels, expected ${total}`);
  if (previous.numClasses !== 1 + oldCount) throw new Error(`the previous model has ${previous.numClasses} channels, expected ${1 + oldCount}`);

  const named = new Map<string, tf.Variable>([...student.namedWeights(), ...(teacher?.namedWeights() ?? [])]);
  const stableOf = stableNames(named);
  const studentVars = student.variables.filter((v) => v.trainable);
  const teacherVars = teacher?.variables.filter((v) => v.trainable) ?? [];

  /** Teacher terms: { bce, dcl, old } (inside a tape). */
  function teacherLosses(batch: WeakBatch, features: tf.Tensor4D, sampleSeed: string) {
    const { logits, embeddings } = teacher!.forward(features, { training: true }); // [B,h,w,C], [B,h,w,D]
    const labels = batch.labels; // [B,h,w]
    const valid = labels.notEqual(IGNORE); // [B,h,w]
    const oneHot = tf.equal(labels.expandDims(-1), tf.range(0, total, 1, 'int32')).toFloat() as tf.Tensor4D; // [B,h,w,C]
    // L_bce over background + new classes (our reading: background too, so the teacher alone segments the new classes)
    const bgNewLogits = tf.concat([channels(logits, 0, 1), channels(logits, 1 + oldCount, newCount)], 3);
    const bgNewTargets = tf.concat([channels(oneHot, 0, 1), channels(oneHot, 1 + oldCount, newCount)], 3);
    const bce = maskedBce(bgNewLogits, bgNewTargets, { pixelMask: valid.toFloat() as tf.Tensor3D });
    // and the cross-entropy over background + new classes on the pixels with a pseudo label (pasted pixels: L_old's)
    const isNew = labels.greaterEqual(1 + oldCount).logicalAnd(labels.less(total)).toInt();
    const isBackground = labels.equal(0).toInt();
    const bgNewIndex = labels.sub(oldCount).mul(isNew).add(tf.sub(1, isNew.add(isBackground)).mul(IGNORE)) as tf.Tensor3D; // 0, 1.., or 255
    const ce = softmaxCrossEntropy(bgNewLogits, bgNewIndex);
    // L_old on pasted pixels: old channel c+1 -> old index c
    const isOld = labels.greaterEqual(1).logicalAnd(labels.lessEqual(oldCount)).toInt();
    const pastedOld = labels.mul(isOld).sub(1) as tf.Tensor3D; // label - 1 where pasted, else -1 (int arithmetic: no tf.where)
    const old = copyPasteBce(channels(logits, 1, oldCount), pastedOld);
    const dcl =
      h.contrastiveWeight > 0
        ? denseContrastiveLoss(embeddings, labels.add(1).mul(valid.toInt()).sub(1) as tf.Tensor3D, {
            temperature: h.contrastiveTemperature,
            pointsPerClass: h.contrastivePointsPerClass,
            seed: sampleSeed,
          })
        : tf.scalar(0);
    const lossT = bce.add(ce.mul(CROSS_ENTROPY_WEIGHT)).add(dcl.mul(h.contrastiveWeight)).add(old) as tf.Scalar;
    return { logits, lossT, bce, ce, dcl, old };
  }

  function finish(parts: tf.Tensor1D, names: string[], grads: tf.NamedTensorMap, learningRate: number): StepUpdate {
    const losses = lossValues(parts, names);
    const ok = names.every((name) => Number.isFinite(losses[name]));
    const applied = applyGradients(grads, named, stableOf, optimizer, learningRate, h.gradientClipNorm, ok, TEACHER_LEARNING_RATE_FACTOR);
    return { losses, learningRate, applied };
  }

  return {
    warmupStep(batch, iteration, sampleSeed) {
      if (!teacher) throw new Error('warmupStep needs the teacher');
      const learningRate = polyLearningRate(h.learningRate, iteration, maxIterations, h.polyPower);
      const features = tf.tidy(() => {
        const out = student.forward(batch.images, { training: false });
        out.logits.dispose();
        return out.features;
      });
      let parts: tf.Tensor1D | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const { lossT, bce, ce, dcl, old } = teacherLosses(batch, features, sampleSeed);
        parts = tf.keep(tf.stack([lossT, bce, ce, dcl, old]) as tf.Tensor1D);
        return lossT;
      }, teacherVars);
      value.dispose();
      features.dispose();
      return finish(parts!, ['total', 'teacher_bce', 'teacher_ce', 'dcl', 'old_bce'], grads, learningRate);
    },

    jointStep(batch, iteration, sampleSeed) {
      if (!teacher) throw new Error('jointStep needs the teacher');
      const learningRate = polyLearningRate(h.learningRate, iteration, maxIterations, h.polyPower);
      const previousLogits = tf.tidy(() => previous.forward(batch.images, { training: false }).logits); // [B,h,w,1+Cold]
      const previousProbs = tf.sigmoid(previousLogits) as tf.Tensor4D;
      let parts: tf.Tensor1D | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const { logits: studentLogits, features } = student.forward(batch.images, { training: true }); // one encoder pass for both
        const { logits, lossT, bce, ce: teacherCe, dcl, old } = teacherLosses(batch, features, sampleSeed);
        const targets = weakStudentTargets(constantCopy(logits), batch.newClassMask, previousProbs, oldCount, h.alpha, h.beta); // data: no gradient
        const seg = maskedBce(studentLogits, targets);
        const ce = softCrossEntropy(studentLogits, hardTargets(distillationDistribution(previousLogits, channels(targets, 1 + oldCount, newCount))));
        const loss = seg.add(ce.mul(CROSS_ENTROPY_WEIGHT)).add(lossT) as tf.Scalar;
        parts = tf.keep(tf.stack([loss, seg, ce, bce, teacherCe, dcl, old]) as tf.Tensor1D);
        return loss;
      }, [...studentVars, ...teacherVars]);
      value.dispose();
      tf.dispose([previousLogits, previousProbs]);
      return finish(parts!, ['total', 'seg', 'ce', 'teacher_bce', 'teacher_ce', 'dcl', 'old_bce'], grads, learningRate);
    },

    directStep(batch, iteration) {
      const learningRate = polyLearningRate(h.learningRate, iteration, maxIterations, h.polyPower);
      const { targets, distribution, valid } = tf.tidy(() => {
        const previousLogits = previous.forward(batch.images, { training: false }).logits; // [B,h,w,1+Cold]
        const previousProbs = tf.sigmoid(previousLogits) as tf.Tensor4D;
        const labels = batch.labels;
        const oneHot = tf.equal(labels.expandDims(-1), tf.range(0, total, 1, 'int32')).toFloat() as tf.Tensor4D; // [B,h,w,C]
        const yOld = channels(previousProbs, 1, oldCount);
        const yNew = channels(oneHot, 1 + oldCount, newCount);
        const others = tf.concat([yOld, yNew], 3);
        const background = tf.clipByValue(tf.sub(1, others.max(3, true)), 0, 1);
        return {
          targets: tf.concat([background, others], 3) as tf.Tensor4D,
          distribution: hardTargets(distillationDistribution(previousLogits, yNew)),
          valid: labels.notEqual(IGNORE).toFloat() as tf.Tensor3D,
        };
      });
      let parts: tf.Tensor1D | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const { logits } = student.forward(batch.images, { training: true });
        const seg = maskedBce(logits, targets, { pixelMask: valid });
        const ce = softCrossEntropy(logits, distribution, valid);
        const loss = seg.add(ce.mul(CROSS_ENTROPY_WEIGHT)) as tf.Scalar;
        parts = tf.keep(tf.stack([loss, seg, ce]) as tf.Tensor1D);
        return loss;
      }, studentVars);
      value.dispose();
      tf.dispose([targets, distribution, valid]);
      return finish(parts!, ['total', 'seg', 'ce'], grads, learningRate);
    },
  };
}
