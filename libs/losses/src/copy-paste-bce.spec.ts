import * as tf from '@tensorflow/tfjs';
import { copyPasteBce } from './copy-paste-bce';
import { LossInputError } from './errors';

beforeAll(async () => {
  tf.env().set('IS_TEST', true); // silences the "install tfjs-node" banner
  await tf.setBackend('cpu');
});

const value = (logits: number[], labels: number[], oldClasses = 2) =>
  tf.tidy(() => {
    const n = labels.length;
    return copyPasteBce(tf.tensor4d(logits, [1, 1, n, oldClasses]), tf.tensor3d(labels, [1, 1, n], 'int32')).dataSync()[0] as number;
  });

describe('copyPasteBce', () => {
  it('averages BCE against the one-hot of the pasted label over pasted pixels and old classes', () => {
    // Pixel 0 pasted as class 0, logits [1, -1]; pixel 1 not pasted (logits [5, 5] must not count);
    // pixel 2 pasted as class 1, logits [0, 2].  bce(x,y) = max(x,0) - xy + ln(1 + e^-|x|):
    //   bce(1,1) = 1 - 1 + ln(1.367879) = 0.313262;  bce(-1,0) = 0.313262
    //   bce(0,0) = ln 2 = 0.693147;                   bce(2,1) = 2 - 2 + ln(1.135335) = 0.126928
    //   L = (0.313262 + 0.313262 + 0.693147 + 0.126928) / (2 classes * 2 pasted pixels) = 1.446599 / 4 = 0.361650
    expect(value([1, -1, 5, 5, 0, 2], [0, -1, 1])).toBeCloseTo(0.36165, 5);
  });

  it('works with a single old class (tf.oneHot would refuse depth 1)', () => {
    // Pixel 0 pasted as class 0 with logit 2: bce(2,1) = 0.126928; pixel 1 not pasted.  L = 0.126928 / (1 * 1)
    expect(value([2, -3], [0, -1], 1)).toBeCloseTo(0.126928, 5);
  });

  it('is 0 when nothing is pasted', () => {
    expect(value([1, -1, 5, 5], [-1, -1])).toBe(0);
  });

  it('rejects a label outside [-1, Cold)', () => {
    expect(() => value([1, -1, 5, 5], [0, 2])).toThrow(LossInputError);
    expect(() => value([1, -1, 5, 5], [-2, 0])).toThrow(LossInputError);
  });

  it('sends gradient only to pasted pixels', () => {
    const grad = tf.tidy(() => {
      const labels = tf.tensor3d([0, -1], [1, 1, 2], 'int32');
      return tf.grad((x: tf.Tensor) => copyPasteBce(x as tf.Tensor4D, labels))(tf.tensor4d([0, 0, 3, 3], [1, 1, 2, 2])).dataSync();
    });
    // (sigmoid(0) - y) / (2 * 1): class 0 y=1 -> -0.25, class 1 y=0 -> 0.25; pixel 1 -> 0.
    expect([...grad]).toEqual([-0.25, 0.25, 0, 0]);
  });
});
