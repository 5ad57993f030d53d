import * as tf from '@tensorflow/tfjs';
import { maskedBce, sigmoidBceWithLogits } from './bce';
import { LossInputError } from './errors';

beforeAll(async () => {
  tf.env().set('IS_TEST', true); // silences the "install tfjs-node" banner
  await tf.setBackend('cpu');
});

// bce(x, y) = max(x,0) - x*y + log(1 + e^-|x|), by hand:
//   bce( 0, 1) = 0 - 0 + ln 2                 = 0.693147
//   bce( 2, 0) = 2 - 0 + ln(1 + e^-2 = 1.135335) = 2 + 0.126928 = 2.126928
//   bce(-1, 0) = 0 - 0 + ln(1 + e^-1 = 1.367879) = 0.313262
//   bce( 3, 1) = 3 - 3 + ln(1 + e^-3 = 1.049787) = 0.048587
// One image of 1x2 pixels, two classes: pixel 0 = (x [0, 2], y [1, 0]), pixel 1 = (x [-1, 3], y [0, 1]).
const logits = () => tf.tensor4d([0, 2, -1, 3], [1, 1, 2, 2]);
const targets = () => tf.tensor4d([1, 0, 0, 1], [1, 1, 2, 2]);

function value(f: () => tf.Scalar): number {
  return tf.tidy(() => f().dataSync()[0] as number);
}

describe('maskedBce', () => {
  it('averages over all classes and pixels without masks', () => {
    // (0.693147 + 2.126928 + 0.313262 + 0.048587) / (2 classes * 2 pixels) = 3.181924 / 4 = 0.795481
    expect(value(() => maskedBce(logits(), targets()))).toBeCloseTo(0.795481, 5);
  });

  it('divides by |included classes| * |valid pixels|', () => {
    // class 0 only: (0.693147 + 0.313262) / (1 * 2) = 0.503205
    expect(value(() => maskedBce(logits(), targets(), { classMask: [1, 0] }))).toBeCloseTo(0.503205, 5);
    // pixel 0 only: (0.693147 + 2.126928) / (2 * 1) = 1.410038
    expect(value(() => maskedBce(logits(), targets(), { pixelMask: tf.tensor3d([1, 0], [1, 1, 2]) }))).toBeCloseTo(1.410038, 5);
    // both: 0.693147 / (1 * 1)
    expect(
      value(() => maskedBce(logits(), targets(), { classMask: tf.tensor1d([1, 0]), pixelMask: tf.tensor3d([1, 0], [1, 1, 2]) })),
    ).toBeCloseTo(0.693147, 5);
  });

  it('is 0, not NaN, when nothing is included', () => {
    expect(value(() => maskedBce(logits(), targets(), { classMask: [0, 0] }))).toBe(0);
    expect(value(() => maskedBce(logits(), targets(), { pixelMask: tf.zeros([1, 1, 2]) as tf.Tensor3D }))).toBe(0);
  });

  it('stays finite for huge logits: bce(100, 1) = 0, bce(-100, 1) = 100', () => {
    const out = tf.tidy(() => Array.from(sigmoidBceWithLogits(tf.tensor1d([100, -100, 1e6]), tf.tensor1d([1, 1, 0])).dataSync()));
    expect(out[0]).toBeCloseTo(0, 6);
    expect(out[1]).toBeCloseTo(100, 4);
    expect(out[2]).toBeCloseTo(1e6, 0);
  });

  it('has gradient (sigmoid(x) - y) * weight / normaliser, also at x = 0', () => {
    // Included: class 0 at both pixels, normaliser 1 * 2. d/dx = (sigmoid(x) - y) / 2:
    //   x=0,y=1: (0.5 - 1) / 2 = -0.25;  x=-1,y=0: (0.268941 - 0) / 2 = 0.134471;  class 1: 0.
    const grad = tf.tidy(() => tf.grad((x: tf.Tensor) => maskedBce(x as tf.Tensor4D, targets(), { classMask: [1, 0] }))(logits()).dataSync());
    expect([...grad]).toEqual([
      expect.closeTo(-0.25, 6),
      0,
      expect.closeTo(0.134471, 5),
      0,
    ]);
  });

  it('rejects masks and targets of the wrong shape', () => {
    tf.tidy(() => {
      expect(() => maskedBce(logits(), targets(), { classMask: [1, 0, 1] })).toThrow(LossInputError);
      expect(() => maskedBce(logits(), targets(), { pixelMask: tf.ones([1, 2, 1]) as tf.Tensor3D })).toThrow(LossInputError);
      expect(() => maskedBce(logits(), tf.zeros([1, 1, 2, 3]) as tf.Tensor4D)).toThrow(LossInputError);
    });
  });

  it('allocates nothing beyond its result', () => {
    const x = logits();
    const y = targets();
    const mask = tf.tensor3d([1, 1], [1, 1, 2]);
    const before = tf.memory().numTensors;
    const loss = maskedBce(x, y, { classMask: [1, 1], pixelMask: mask });
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([loss, x, y, mask]);
  });
});
