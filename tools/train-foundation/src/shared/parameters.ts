// Trainable variables under stable names ("image/blocks.0.attn.qkv.weight"), and gradients by those
// names: tfjs names variables globally with a process-unique suffix, checkpoints must not see it.
import * as tf from '@tensorflow/tfjs';

import { clipByGlobalNorm } from '@fmwiss/training';

/** Prefixes every name of `tensors` with `prefix/`. */
export function prefixed<T extends tf.Tensor>(prefix: string, tensors: Readonly<Record<string, T>>): Map<string, T> {
  return new Map(Object.entries(tensors).map(([name, tensor]) => [`${prefix}/${name}`, tensor]));
}

/** The entries of `map` whose name starts with `prefix/`, without the prefix. */
export function unprefixed<T>(prefix: string, map: ReadonlyMap<string, T>): Map<string, T> {
  const out = new Map<string, T>();
  for (const [name, value] of map) if (name.startsWith(`${prefix}/`)) out.set(name.slice(prefix.length + 1), value);
  return out;
}

export interface Gradients {
  /** The loss value (a number read back). */
  loss: number;
  /** Gradients by stable name, new tensors the caller disposes. */
  grads: Map<string, tf.Tensor>;
  /** Any other scalars `f` returned beside the loss, read back. */
  extras: Record<string, number>;
}

/**
 * The gradients of `f`'s loss with respect to `variables` (stable name -> variable). `f` returns the
 * loss and optional extra scalars to read back (they must not be needed for the gradient).
 */
export function gradientsOf(
  variables: ReadonlyMap<string, tf.Variable>,
  f: () => { loss: tf.Scalar; extras?: Record<string, tf.Scalar> },
): Gradients {
  const byTfName = new Map<string, string>();
  for (const [name, variable] of variables) byTfName.set(variable.name, name);
  let extras: Record<string, tf.Scalar> = {};
  const { value, grads } = tf.variableGrads(() => {
    const out = f();
    extras = out.extras ?? {};
    for (const tensor of Object.values(extras)) tf.keep(tensor);
    return out.loss;
  }, [...variables.values()]);
  const named = new Map<string, tf.Tensor>();
  for (const [tfName, grad] of Object.entries(grads)) named.set(byTfName.get(tfName)!, grad);
  const loss = (value.dataSync() as Float32Array)[0]!;
  const read: Record<string, number> = {};
  for (const [key, tensor] of Object.entries(extras)) read[key] = (tensor.dataSync() as Float32Array)[0]!;
  tf.dispose([value, ...Object.values(extras)]);
  return { loss, grads: named, extras: read };
}

/**
 * Clips the gradients to a global norm (when maxNorm > 0) and disposes the originals; returns the
 * clipped ones (the caller's) and the norm before clipping. A non-finite norm keeps them unscaled.
 */
export function clipGradients(grads: Map<string, tf.Tensor>, maxNorm: number): { grads: Map<string, tf.Tensor>; norm: number } {
  if (!(maxNorm > 0)) {
    const norm = tf.tidy(() => Math.sqrt((tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g)))).dataSync() as Float32Array)[0]!));
    return { grads, norm };
  }
  const clipped = clipByGlobalNorm(grads, maxNorm);
  tf.dispose([...grads.values()]);
  return clipped;
}
