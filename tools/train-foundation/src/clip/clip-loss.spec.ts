import * as tf from '@tensorflow/tfjs';
import { initTensorRuntime } from '@fmwiss/tensor-runtime';

import { clipLoss, duplicateTargets, INITIAL_LOG_SCALE } from './clip-loss';

beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  await initTensorRuntime({ backend: 'wasm' });
});

/** log(sum exp(row)) - row[k], in float64. */
function crossEntropy(row: number[], k: number): number {
  const max = Math.max(...row);
  return max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0)) - row[k]!;
}

describe('duplicateTargets', () => {
  it('is the identity for distinct texts and spreads over identical ones', () => {
    expect(Array.from(duplicateTargets(['a', 'b']))).toEqual([1, 0, 0, 1]);
    expect(Array.from(duplicateTargets(['a', 'b', 'a']))).toEqual([0.5, 0, 0.5, 0, 1, 0, 0.5, 0, 0.5]);
  });
});

describe('clipLoss', () => {
  it('matches a hand-computed symmetric InfoNCE', () => {
    // Unit vectors: image i = e_i rotated; texts chosen so that every cosine is simple.
    const image = [
      [1, 0],
      [0, 1],
    ];
    const text = [
      [3, 4], // cos with image 0: 0.6, with image 1: 0.8
      [0, 2], // cos 0, 1
    ];
    const scale = 10;
    // logits[t][i] = 10 * cos(text t, image i)
    const logits = [
      [6, 8],
      [0, 10],
    ];
    const textToImage = (crossEntropy(logits[0]!, 0) + crossEntropy(logits[1]!, 1)) / 2;
    const imageToText = (crossEntropy([logits[0]![0]!, logits[1]![0]!], 0) + crossEntropy([logits[0]![1]!, logits[1]![1]!], 1)) / 2;
    const expected = (textToImage + imageToText) / 2;
    // By hand: t->i = (2 + log(1 + e^-2) + log(1 + e^-10)) / 2; i->t = (log(1 + e^-6) + log(1 + e^-2)) / 2.
    expect(expected).toBeCloseTo((2 + Math.log(1 + Math.exp(-2)) + Math.log(1 + Math.exp(-10)) + Math.log(1 + Math.exp(-6)) + Math.log(1 + Math.exp(-2))) / 4, 12);

    const loss = tf.tidy(() =>
      clipLoss(tf.tensor2d(image), tf.tensor2d(text), tf.scalar(Math.log(scale)), tf.tensor2d(duplicateTargets(['x', 'y']), [2, 2])).dataSync()[0]!,
    );
    expect(loss).toBeCloseTo(expected, 5);
  });

  it('is ln B at the start (all cosines equal) and its gradient reaches the scale', () => {
    const B = 4;
    const before = tf.memory().numTensors;
    const logScale = tf.tidy(() => tf.variable(tf.scalar(INITIAL_LOG_SCALE)));
    const same = tf.ones([B, 8]) as tf.Tensor2D;
    const targets = tf.tensor2d(duplicateTargets(['a', 'b', 'c', 'd']), [B, B]);
    const { value, grads } = tf.variableGrads(() => clipLoss(same, same, logScale, targets), [logScale]);
    expect(value.dataSync()[0]).toBeCloseTo(Math.log(B), 5);
    expect(Object.keys(grads)).toEqual([logScale.name]);
    tf.dispose([value, ...Object.values(grads), logScale, same, targets]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
