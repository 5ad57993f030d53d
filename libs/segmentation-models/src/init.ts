import * as tf from '@tensorflow/tfjs';
import { SeededRandom, type SeedPart } from '@fmwiss/random';

/**
 * `count` draws of N(0, std^2) from a seeded stream (Box-Muller on SeededRandom), never tf's own RNG:
 * the same seed and key give the same weights on every backend and machine.
 */
export function seededNormal(count: number, std: number, seed: SeedPart, ...key: SeedPart[]): Float32Array {
  const random = new SeededRandom(seed, ...key);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - random.next())); // 1 - u in (0, 1]: no log(0)
    const angle = 2 * Math.PI * random.next();
    out[i] = std * radius * Math.cos(angle);
    if (i + 1 < count) out[i + 1] = std * radius * Math.sin(angle);
  }
  return out;
}

/** He-normal kernel [k,k,in,out], std sqrt(2 / fan_in); the stream is keyed by the weight's stable name. */
export function heNormalKernel(shape: [number, number, number, number], seed: SeedPart, name: string): tf.Tensor4D {
  const fanIn = shape[0] * shape[1] * shape[2];
  const count = fanIn * shape[3];
  return tf.tensor4d(seededNormal(count, Math.sqrt(2 / fanIn), seed, 'init', name), shape);
}

/** Normal kernel with a fixed std (0.01 for classifier rows: near-zero logits at the start). */
export function smallNormalKernel(shape: [number, number, number, number], seed: SeedPart, name: string, std = 0.01): tf.Tensor4D {
  const count = shape[0] * shape[1] * shape[2] * shape[3];
  return tf.tensor4d(seededNormal(count, std, seed, 'init', name), shape);
}
