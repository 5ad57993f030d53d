import * as tf from '@tensorflow/tfjs';
import { clipByGlobalNorm, type SgdMomentum } from '@fmwiss/training';

/**
 * Applies one SGD update from gradients keyed by tfjs registry name (what tf.variableGrads returns):
 * renames them to the models' stable names, clips them to `clipNorm` (0 = off) and steps the
 * optimizer unless the loss or the norm is not finite. Disposes the gradients. Returns whether the
 * update was applied.
 */
export function applyGradients(
  grads: tf.NamedTensorMap,
  named: Map<string, tf.Variable>,
  stableOf: ReadonlyMap<string, string>,
  optimizer: SgdMomentum,
  learningRate: number,
  clipNorm: number,
  lossFinite: boolean,
  /** Learning-rate factor of the variables whose stable name starts with "teacher/" (default 1). */
  teacherFactor = 1,
): boolean {
  const byName = new Map<string, tf.Tensor>();
  for (const [registryName, grad] of Object.entries(grads)) byName.set(stableOf.get(registryName) ?? registryName, grad);
  let applied = lossFinite;
  const step = (update: Map<string, tf.Tensor>) => {
    if (teacherFactor === 1) return optimizer.step(update, named, learningRate);
    const isTeacher = (name: string) => name.startsWith('teacher/');
    const teacher = new Map([...update].filter(([name]) => isTeacher(name)));
    const rest = new Map([...update].filter(([name]) => !isTeacher(name)));
    if (rest.size > 0) optimizer.step(rest, named, learningRate);
    if (teacher.size > 0) optimizer.step(teacher, named, learningRate * teacherFactor);
  };
  if (clipNorm > 0) {
    const clipped = clipByGlobalNorm(byName, clipNorm);
    applied &&= Number.isFinite(clipped.norm);
    if (applied) step(clipped.grads);
    tf.dispose([...clipped.grads.values()]);
  } else if (applied) {
    step(byName);
  }
  tf.dispose([...byName.values()]);
  return applied;
}

/** The loss terms stacked in `parts` ([n], disposed here) by `names`, in order. */
export function lossValues(parts: tf.Tensor1D, names: readonly string[]): Record<string, number> {
  const values = parts.dataSync();
  parts.dispose();
  const losses: Record<string, number> = {};
  names.forEach((name, i) => (losses[name] = values[i] as number));
  return losses;
}

/** Registry name -> stable name of every variable of the given models. */
export function stableNames(named: ReadonlyMap<string, tf.Variable>): Map<string, string> {
  return new Map([...named].map(([stable, v]) => [v.name, stable]));
}

/**
 * Softmax cross-entropy over the channel axis against hard labels, the mean over labelled pixels:
 * -(1/|valid|) sum_{valid p} log softmax(x_p)[l_p]. With class weights w, the weighted mean
 * -(sum_p w[l_p] log softmax(x_p)[l_p]) / sum_p w[l_p] (PyTorch's `weight` with mean reduction).
 * 0 when no pixel is labelled.
 *
 * @param logits       [B,h,w,C]
 * @param labels       [B,h,w] int32 channel indices, 255 = not labelled
 * @param classWeights [C] non-negative, optional
 */
export function softmaxCrossEntropy(logits: tf.Tensor4D, labels: tf.Tensor3D, classWeights?: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const channels = logits.shape[3];
    const oneHot = tf.equal(labels.expandDims(-1), tf.range(0, channels, 1, 'int32')).toFloat(); // [B,h,w,C], all 0 at 255
    const weighted = classWeights ? oneHot.mul(classWeights) : oneHot; // [B,h,w,C]
    const weight = weighted.sum(3); // [B,h,w], 0 at 255
    const perPixel = tf.neg(tf.logSoftmax(logits, 3).mul(weighted).sum(3)); // [B,h,w]
    return perPixel.sum().div(weight.sum().maximum(classWeights ? 1e-12 : 1)) as tf.Scalar;
  });
}

/**
 * Softmax cross-entropy against soft targets, each pixel's targets normalised to sum 1:
 * -(1/|P|) sum_p sum_c (y_pc / sum_c' y_pc') log softmax(x_p)_c, over the pixels of `pixelMask`
 * (default all). Targets are data (no gradient flows into them).
 *
 * @param logits  [B,h,w,C]
 * @param targets [B,h,w,C] non-negative
 */
export function softCrossEntropy(logits: tf.Tensor4D, targets: tf.Tensor4D, pixelMask?: tf.Tensor3D): tf.Scalar {
  return tf.tidy(() => {
    const distribution = targets.div(targets.sum(3, true).maximum(1e-6)); // [B,h,w,C]
    let perPixel = tf.neg(tf.logSoftmax(logits, 3).mul(distribution).sum(3)); // [B,h,w]
    let count: tf.Tensor = tf.scalar(perPixel.size);
    if (pixelMask) {
      perPixel = perPixel.mul(pixelMask);
      count = pixelMask.sum();
    }
    return perPixel.sum().div(count.maximum(1)) as tf.Scalar;
  });
}
