import * as tf from '@tensorflow/tfjs';
import { ModelError } from './errors';
import { rebuild, weightsOf, type SegmentationModel } from './models';

export interface GrowOptions {
  /**
   * Added to the background bias to give each new class's bias. Default -ln(N + 1) for N new classes
   * (MiB's initialisation). The background's own bias is NOT shifted: with per-class sigmoids every old
   * output, background included, stays exactly what it was.
   */
  newBiasOffset?: number;
}

/**
 * A copy of `model` whose classifier has `newNumClasses` outputs (the input model is untouched; dispose
 * it when done). Rows 0..old-1 are copied; every new row takes the background's kernel and the bias
 * b_new = b_bg + newBiasOffset (default b_bg - ln(N + 1)), so before training a new class's logit is the
 * background logit minus ln(N + 1). MiB (Cermelli et al. 2020) shifts the background bias as well, which
 * keeps the softmax of old classes unchanged; with sigmoids, keeping it unchanged does that. All other
 * weights are copied; the copy is trainable iff `model` is.
 */
export function growClassifier<M extends SegmentationModel>(model: M, newNumClasses: number, options: GrowOptions = {}): M {
  const oldNumClasses = model.numClasses;
  if (!Number.isInteger(newNumClasses) || newNumClasses < oldNumClasses) {
    throw new ModelError(`newNumClasses must be an integer >= the current ${oldNumClasses}, got ${newNumClasses}`);
  }
  const added = newNumClasses - oldNumClasses;
  const offset = options.newBiasOffset ?? -Math.log(added + 1);
  const weights = weightsOf(model);
  const kernelName = `${model.kind}/classifier/kernel`;
  const biasName = `${model.kind}/classifier/bias`;
  const grown = tf.tidy(() => {
    const kernel = weights.get(kernelName); // [1,1,F,Cold]
    const bias = weights.get(biasName); // [Cold]
    if (added === 0) return [kernel.clone(), bias.clone()];
    const [k, , features] = kernel.shape;
    const background = kernel.slice([0, 0, 0, 0], [k!, k!, features!, 1]); // [1,1,F,1]
    const newKernel = tf.concat([kernel, tf.tile(background, [1, 1, 1, added])], 3); // [1,1,F,Cnew]
    const newBias = tf.concat([bias, tf.fill([added], 0).add(bias.slice([0], [1]).add(offset))]); // [Cnew]
    return [newKernel, newBias];
  });
  try {
    const copy = weights.copy(model.trainable, new Map([
      [kernelName, grown[0]!],
      [biasName, grown[1]!],
    ]));
    return rebuild(model, newNumClasses, copy);
  } finally {
    tf.dispose(grown);
  }
}

/**
 * An independent copy of `model` with `trainable: false` variables: the previous-step model of an
 * incremental step (its outputs feed the old-class targets; tf.variableGrads and optimizers skip it).
 */
export function cloneFrozen<M extends SegmentationModel>(model: M): M {
  return rebuild(model, model.numClasses, weightsOf(model).copy(false));
}
