import * as tf from '@tensorflow/tfjs';
import { TrainingError } from './errors';

/**
 * Scales the gradients so that their global L2 norm (over all tensors together) is at most
 * `maxNorm`, as PyTorch's `clip_grad_norm_`: factor = min(1, maxNorm / (norm + 1e-6)).
 *
 * Ownership: the input tensors stay the caller's and are neither modified nor disposed. Every
 * returned gradient is a NEW tensor (a copy when no clipping was needed), owned by the caller, who
 * disposes both maps independently. `norm` is the norm before clipping. When it is not finite
 * (NaN or Infinity in a gradient) the gradients are returned unscaled, so that the caller can
 * check `Number.isFinite(norm)` and skip the step.
 */
export function clipByGlobalNorm(
  grads: Map<string, tf.Tensor>,
  maxNorm: number,
): { grads: Map<string, tf.Tensor>; norm: number } {
  if (!Number.isFinite(maxNorm) || maxNorm <= 0) throw new TrainingError(`maxNorm must be a finite number > 0, got ${maxNorm}`);
  let sumOfSquares = 0;
  for (const [name, grad] of grads) {
    if (grad.dtype !== 'float32') throw new TrainingError(`gradient ${name} must be float32, got ${grad.dtype}`);
    const squares = tf.tidy(() => tf.sum(tf.square(grad)));
    sumOfSquares += (squares.dataSync() as Float32Array)[0] as number;
    squares.dispose();
  }
  const norm = Math.sqrt(sumOfSquares);
  const factor = Number.isFinite(norm) ? Math.min(1, maxNorm / (norm + 1e-6)) : 1;
  const clipped = new Map<string, tf.Tensor>();
  for (const [name, grad] of grads) {
    clipped.set(name, factor === 1 ? tf.clone(grad) : tf.tidy(() => tf.mul(grad, factor)));
  }
  return { grads: clipped, norm };
}
