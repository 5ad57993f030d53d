import * as tf from '@tensorflow/tfjs';
import { initTensorRuntime } from '@fmwiss/tensor-runtime';

import { clipLoss, denseMilLoss, duplicateTargets, INITIAL_LOG_SCALE } from './clip-loss';

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

describe('denseMilLoss', () => {
  it('equals clipLoss when every patch of an image holds the same embedding', () => {
    const image = tf.tensor2d([[1, 0.2, 0], [0.1, 1, 0.3], [0, 0.4, 1]]);
    const text = tf.tensor2d([[0.9, 0.1, 0], [0, 1, 0.2], [0.3, 0, 1]]);
    const dense = tf.tile(tf.reshape(image, [3, 1, 1, 3]), [1, 2, 2, 1]) as tf.Tensor4D;
    const logScale = tf.scalar(Math.log(10));
    const targets = tf.eye(3) as tf.Tensor2D;
    const expected = clipLoss(image, text, logScale, targets).dataSync()[0]!;
    const actual = denseMilLoss(dense, text, logScale, targets, 0.1).dataSync()[0]!;
    expect(actual).toBeCloseTo(expected, 4);
    tf.dispose([image, text, dense, logScale, targets]);
  });

  it('scores an image by its best patch: one matching patch among unrelated ones is enough', () => {
    // Image 0 holds text 0's direction in one patch of four; image 1 holds text 1's in one patch.
    const dense = tf.tensor4d(
      [
        [[[1, 0, 0], [0, 0, 1]], [[0, 0, 1], [0, 0, 1]]],
        [[[0, 0, 1], [0, 0, 1]], [[0, 0, 1], [0, 1, 0]]],
      ],
      [2, 2, 2, 3],
    );
    const text = tf.tensor2d([[1, 0, 0], [0, 1, 0]]);
    const targets = tf.eye(2) as tf.Tensor2D;
    const logScale = tf.scalar(Math.log(20));
    const swapped = tf.tensor2d([[0, 1, 0], [1, 0, 0]]);
    const right = denseMilLoss(dense, text, logScale, targets, 0.05).dataSync()[0]!;
    const wrong = denseMilLoss(dense, swapped, logScale, targets, 0.05).dataSync()[0]!;
    expect(right).toBeLessThan(0.01);
    expect(wrong).toBeGreaterThan(10);
    tf.dispose([dense, text, targets, logScale, swapped]);
  });
});
