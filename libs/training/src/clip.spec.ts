import * as tf from '@tensorflow/tfjs';
import { clipByGlobalNorm } from './clip';

beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  await tf.setBackend('cpu');
});

describe('clipByGlobalNorm', () => {
  it('scales every gradient by maxNorm / norm when the global norm is above maxNorm (hand values)', () => {
    // Global norm of {a: [3], b: [4, 0]} = sqrt(9 + 16) = 5; maxNorm 1 scales by 1 / (5 + 1e-6).
    const grads = new Map([
      ['a', tf.tensor1d([3])],
      ['b', tf.tensor1d([4, 0])],
    ]);
    const before = tf.memory().numTensors;
    const { grads: clipped, norm } = clipByGlobalNorm(grads, 1);
    expect(norm).toBeCloseTo(5, 6);
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(Array.from((clipped.get('a') as tf.Tensor).dataSync())).toEqual([expect.closeTo(0.6, 5)]);
    expect(Array.from((clipped.get('b') as tf.Tensor).dataSync())).toEqual([expect.closeTo(0.8, 5), 0]);
    // The inputs are untouched and still alive.
    expect(Array.from((grads.get('a') as tf.Tensor).dataSync())).toEqual([3]);
    for (const t of [...clipped.values(), ...grads.values()]) t.dispose();
    expect(tf.memory().numTensors).toBe(before - 2);
  });

  it('returns copies, unscaled, when the norm is within maxNorm', () => {
    const grads = new Map([['a', tf.tensor2d([[0.3, 0.4]])]]);
    const { grads: clipped, norm } = clipByGlobalNorm(grads, 1);
    expect(norm).toBeCloseTo(0.5, 6);
    const a = clipped.get('a') as tf.Tensor;
    expect(a).not.toBe(grads.get('a'));
    expect(a.shape).toEqual([1, 2]);
    expect(Array.from(a.dataSync())).toEqual(Array.from((grads.get('a') as tf.Tensor).dataSync()));
    a.dispose();
    expect((grads.get('a') as tf.Tensor).isDisposed).toBe(false);
    (grads.get('a') as tf.Tensor).dispose();
  });

  it('reports a non-finite norm and leaves the gradients unscaled', () => {
    const grads = new Map([['a', tf.tensor1d([Number.NaN, 1])]]);
    const { grads: clipped, norm } = clipByGlobalNorm(grads, 1);
    expect(Number.isFinite(norm)).toBe(false);
    expect((clipped.get('a') as tf.Tensor).dataSync()[1]).toBe(1);
    for (const t of [...clipped.values(), ...grads.values()]) t.dispose();
    expect(() => clipByGlobalNorm(new Map(), 0)).toThrow(/maxNorm/);
  });
});
