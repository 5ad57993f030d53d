import * as tf from '@tensorflow/tfjs';
import { initTensorRuntime } from '@fmwiss/tensor-runtime';
import { distillationDistribution, hardTargets, weakStudentTargets } from './weak-step';

beforeAll(async () => {
  await initTensorRuntime({ backend: 'wasm' });
});

/** The per-pixel rows of a [1,1,P,C] tensor. */
const rows = (t: tf.Tensor): number[][] => (t.arraySync() as number[][][][])[0]![0]!;

describe('hardTargets', () => {
  it('is the one-hot of the arg-max, the lowest channel on a tie', () => {
    const q = tf.tensor4d([0.2, 0.5, 0.3, 0.4, 0.4, 0.2, 0, 0, 1], [1, 1, 3, 3]);
    expect(rows(hardTargets(q))).toEqual([
      [0, 1, 0],
      [1, 0, 0],
      [0, 0, 1],
    ]);
  });
});

describe('distillationDistribution', () => {
  it("splits the previous model's background mass by the new-class targets and keeps its old classes", () => {
    // previous softmax per pixel: [bg 0.6, old 0.4] (logits ln 0.6, ln 0.4)
    const previous = tf.tensor4d([Math.log(0.6), Math.log(0.4), Math.log(0.6), Math.log(0.4)], [1, 1, 2, 2]);
    // two new classes; pixel 0 targets (0.75, 0), pixel 1 (0.8, 0.8): sum above 1, rescaled to (0.5, 0.5)
    const targets = tf.tensor4d([0.75, 0, 0.8, 0.8], [1, 1, 2, 2]);
    const [p0, p1] = rows(distillationDistribution(previous, targets));
    [0.15, 0.4, 0.45, 0].forEach((v, i) => expect(p0![i]).toBeCloseTo(v, 5));
    [0, 0.4, 0.3, 0.3].forEach((v, i) => expect(p1![i]).toBeCloseTo(v, 5));
  });
});

describe('weakStudentTargets', () => {
  it("gives the hard vote only to the image's new classes, and 0 to new classes the image-level labels do not list", () => {
    // channels: bg, old 1, new A, new B; the teacher prefers B, but the image lists only A
    const teacher = tf.tensor4d([0, -5, 1, 3], [1, 1, 1, 4]);
    const previousProbs = tf.tensor4d([0.5, 0.2], [1, 1, 1, 2]);
    const onlyA = tf.tensor2d([[1, 0]]);
    const [y] = rows(weakStudentTargets(teacher, onlyA, previousProbs, 1, 0.5, 0.9));
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
    const newA = 0.5 * 1 + 0.5 * sigmoid(1); // A wins over background among the allowed channels
    const old = 0.9 * 0.2 + 0.1 * sigmoid(-5);
    [1 - newA, old, newA, 0].forEach((v, i) => expect(y![i]).toBeCloseTo(v, 5));
  });

  it('gives no hard vote where background beats every listed new class', () => {
    const teacher = tf.tensor4d([2, -5, 1, 3], [1, 1, 1, 4]);
    const [y] = rows(weakStudentTargets(teacher, tf.tensor2d([[1, 0]]), tf.tensor4d([0.5, 0.2], [1, 1, 1, 2]), 1, 0.5, 0.9));
    expect(y![2]).toBeCloseTo(0.5 / (1 + Math.exp(-1)), 5);
  });
});
