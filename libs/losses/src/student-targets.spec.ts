import * as tf from '@tensorflow/tfjs';
import { LossInputError } from './errors';
import { studentTargets } from './student-targets';

beforeAll(async () => {
  tf.env().set('IS_TEST', true); // silences the "install tfjs-node" banner
  await tf.setBackend('cpu');
});

// Two pixels, Cold = 1, Cnew = 2, alpha 0.5, beta 0.9.
//   pixel 0: P_T = [0.3, 0.6], P_T,old = [0.2], prev = [bg 0.7, old 0.1]
//     hard = one-hot(argmax [0.3, 0.6]) = [0, 1]
//     new = 0.5 * [0, 1] + 0.5 * [0.3, 0.6] = [0.15, 0.8]
//     old = 0.9 * 0.1 + 0.1 * 0.2 = 0.09 + 0.02 = 0.11
//     bg  = clip(1 - max(0.11, 0.15, 0.8)) = 0.2           -> [0.2, 0.11, 0.15, 0.8]
//   pixel 1: P_T = [0.1, 0.05], P_T,old = [0.9], prev = [bg 0.05, old 0.95]
//     hard = [1, 0];  new = [0.5 + 0.05, 0 + 0.025] = [0.55, 0.025]
//     old = 0.9 * 0.95 + 0.1 * 0.9 = 0.855 + 0.09 = 0.945
//     bg  = 1 - 0.945 = 0.055                                -> [0.055, 0.945, 0.55, 0.025]
function targets(hardMinProb?: number): number[] {
  return tf.tidy(() =>
    Array.from(
      studentTargets({
        teacherProbs: tf.tensor4d([0.3, 0.6, 0.1, 0.05], [1, 1, 2, 2]),
        teacherOldProbs: tf.tensor4d([0.2, 0.9], [1, 1, 2, 1]),
        previousProbs: tf.tensor4d([0.7, 0.1, 0.05, 0.95], [1, 1, 2, 2]),
        alpha: 0.5,
        beta: 0.9,
        ...(hardMinProb == null ? {} : { hardMinProb }),
      }).dataSync(),
    ),
  );
}

describe('studentTargets', () => {
  it('mixes hard and soft teacher labels for new classes, previous model and teacher for old ones', () => {
    const expected = [0.2, 0.11, 0.15, 0.8, 0.055, 0.945, 0.55, 0.025];
    targets().forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  });

  it('gates the one-hot vote with hardMinProb', () => {
    // hardMinProb 0.5: pixel 0 keeps its vote (0.6 >= 0.5); pixel 1 (max 0.1) gets new = 0.5 * [0.1, 0.05] = [0.05, 0.025].
    const expected = [0.2, 0.11, 0.15, 0.8, 0.055, 0.945, 0.05, 0.025];
    targets(0.5).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  });

  it('works with a single new class: the hard label is then 1 everywhere', () => {
    // P_T = [0.2], P_T,old = [0.4], prev = [0.5, 0.6]:
    //   new = 0.5 * 1 + 0.5 * 0.2 = 0.6;  old = 0.9 * 0.6 + 0.1 * 0.4 = 0.58;  bg = 1 - 0.6 = 0.4
    const out = tf.tidy(() =>
      Array.from(
        studentTargets({
          teacherProbs: tf.tensor4d([0.2], [1, 1, 1, 1]),
          teacherOldProbs: tf.tensor4d([0.4], [1, 1, 1, 1]),
          previousProbs: tf.tensor4d([0.5, 0.6], [1, 1, 1, 2]),
          alpha: 0.5,
          beta: 0.9,
        }).dataSync(),
      ),
    );
    [0.4, 0.58, 0.6].forEach((v, i) => expect(out[i]).toBeCloseTo(v, 6));
  });

  it('rejects a previous model without the background channel', () => {
    tf.tidy(() => {
      const call = () =>
        studentTargets({
          teacherProbs: tf.zeros([1, 2, 2, 2]) as tf.Tensor4D,
          teacherOldProbs: tf.zeros([1, 2, 2, 3]) as tf.Tensor4D,
          previousProbs: tf.zeros([1, 2, 2, 3]) as tf.Tensor4D,
          alpha: 0.5,
          beta: 0.9,
        });
      expect(call).toThrow(LossInputError);
    });
  });
});
