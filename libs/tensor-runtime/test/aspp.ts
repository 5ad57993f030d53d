/**
 * A small DeepLabV3-style student (conv encoder to stride 8, ASPP with dilated 3x3 convs and image
 * pooling, 1x1 classifier, bilinear upsampling) plus an ASPP teacher head and the losses of
 * METHOD.md sections 3-5 (sigmoid BCE, dense contrastive InfoNCE over gathered points), written with
 * plain tf ops so every kernel the training step needs is exercised.
 */
import * as tf from '@tensorflow/tfjs';
import { randomArray, rng } from './parity';

export const SIZE = 32;
export const CLASSES = 4;

export const PARAM_SHAPES: Record<string, number[]> = {
  enc1: [3, 3, 3, 8],
  enc2: [3, 3, 8, 16],
  enc3: [3, 3, 16, 16],
  ...asppShapes('s', 16, 8),
  cls: [1, 1, 8, CLASSES],
  clsBias: [CLASSES],
  ...asppShapes('t', 16, 8),
  tcls: [1, 1, 8, CLASSES],
  tembed: [1, 1, 8, 8],
  sep: [3, 3, 8, 1],
};

function asppShapes(prefix: string, cin: number, c: number): Record<string, number[]> {
  return {
    [`${prefix}b0`]: [1, 1, cin, c],
    [`${prefix}b1`]: [3, 3, cin, c],
    [`${prefix}b2`]: [3, 3, cin, c],
    [`${prefix}pool`]: [1, 1, cin, c],
    [`${prefix}proj`]: [1, 1, 4 * c, c],
  };
}

export function initialParams(seed: number): Record<string, Float32Array> {
  const rand = rng(seed);
  const out: Record<string, Float32Array> = {};
  for (const [name, shape] of Object.entries(PARAM_SHAPES)) {
    const fanIn = shape.length === 4 ? shape[0] * shape[1] * shape[2] : 1;
    out[name] = randomArray(rand, shape.reduce((p, d) => p * d, 1), Math.sqrt(3 / fanIn));
  }
  return out;
}

/** Simple per-image, per-channel normalisation (instance-norm style, no parameters). */
function normalise(x: tf.Tensor4D): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [1, 2], true);
  return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))) as tf.Tensor4D;
}

function conv(x: tf.Tensor4D, w: tf.Tensor, stride = 1, dilation = 1): tf.Tensor4D {
  return tf.conv2d(x, w as tf.Tensor4D, stride, 'same', 'NHWC', dilation);
}

function aspp(p: Record<string, tf.Tensor>, prefix: string, f: tf.Tensor4D): tf.Tensor4D {
  const [, h, w] = f.shape;
  const b0 = tf.relu(conv(f, p[`${prefix}b0`]));
  const b1 = tf.relu(conv(f, p[`${prefix}b1`], 1, 2));
  const b2 = tf.relu(conv(f, p[`${prefix}b2`], 1, 3));
  const pooled = tf.relu(conv(tf.mean(f, [1, 2], true) as tf.Tensor4D, p[`${prefix}pool`]));
  const pool = tf.image.resizeBilinear(pooled, [h, w]);
  return tf.relu(conv(tf.concat([b0, b1, b2, pool], 3), p[`${prefix}proj`]));
}

export interface Batch {
  images: tf.Tensor4D /* [B,SIZE,SIZE,3] */;
  targets: tf.Tensor4D /* [B,SIZE,SIZE,CLASSES] in [0,1] */;
  points: tf.Tensor1D /* int32 [P]: flat indices into the teacher's [B*h*w] feature rows */;
  pointClass: tf.Tensor1D /* int32 [P] */;
  pixels: tf.Tensor2D /* int32 [Q,3]: (b, y, x) pixels of the logits for gatherND */;
}

export function makeBatch(seed: number, batch: number): Batch {
  const rand = rng(seed);
  const images = tf.tensor4d(randomArray(rand, batch * SIZE * SIZE * 3), [batch, SIZE, SIZE, 3]);
  const targets = tf.tensor4d(
    Float32Array.from({ length: batch * SIZE * SIZE * CLASSES }, () => (rand() > 0.7 ? 1 : 0)),
    [batch, SIZE, SIZE, CLASSES],
  );
  const rows = batch * (SIZE / 8) * (SIZE / 8);
  const p = 24;
  const points = tf.tensor1d(Int32Array.from({ length: p }, () => Math.floor(rand() * rows)), 'int32');
  const pointClass = tf.tensor1d(Int32Array.from({ length: p }, (_, i) => i % 3), 'int32');
  const pixels = tf.tensor2d(
    Int32Array.from({ length: 10 * 3 }, (_, i) => (i % 3 === 0 ? Math.floor(rand() * batch) : Math.floor(rand() * SIZE))),
    [10, 3],
    'int32',
  );
  return { images, targets, points, pointClass, pixels };
}

/** L_seg + L_bce + lambda * L_dcl (+ a gatherND point term), as one scalar. */
export function loss(p: Record<string, tf.Tensor>, b: Batch): tf.Scalar {
  return tf.tidy(() => {
    let f = tf.relu(normalise(conv(b.images, p.enc1, 2)));
    f = tf.relu(normalise(conv(f, p.enc2, 2)));
    f = tf.relu(conv(f, p.enc3, 2)); // [B, SIZE/8, SIZE/8, 16]
    // Student.
    const s = aspp(p, 's', f);
    const sLogits = tf.add(conv(s, p.cls), p.clsBias) as tf.Tensor4D;
    const sUp = tf.image.resizeBilinear(sLogits, [SIZE, SIZE], false, true);
    const lSeg = tf.losses.sigmoidCrossEntropy(b.targets, sUp);
    // Teacher head on the same encoder features, with a depthwise layer in front of its logits.
    const t = aspp(p, 't', f);
    const tDw = tf.depthwiseConv2d(t, p.sep as tf.Tensor4D, 1, 'same') as tf.Tensor4D;
    const tUp = tf.image.resizeBilinear(conv(tDw, p.tcls), [SIZE, SIZE], false, true);
    const lBce = tf.losses.sigmoidCrossEntropy(b.targets, tUp);
    // Dense contrastive loss over sampled points (features L2-normalised, tau = 0.1).
    const feats = tf.reshape(conv(t, p.tembed), [-1, 8]);
    const z = tf.gather(feats, b.points);
    const zn = tf.div(z, tf.add(tf.norm(z, 2, 1, true), 1e-6));
    const sim = tf.div(tf.matMul(zn, zn, false, true), 0.1);
    const same = tf.cast(tf.equal(tf.expandDims(b.pointClass, 1), tf.expandDims(b.pointClass, 0)), 'float32');
    const logProb = tf.logSoftmax(sim);
    const lDcl = tf.neg(tf.mean(tf.div(tf.sum(tf.mul(logProb, same), 1), tf.sum(same, 1))));
    // Logits at a few pixels (gatherND), as point supervision would read them.
    const lPts = tf.mean(tf.square(tf.gatherND(sUp, b.pixels)));
    return tf.addN([lSeg, lBce, tf.mul(lDcl, 0.1), tf.mul(lPts, 0.01)]) as tf.Scalar;
  });
}
