import * as tf from '@tensorflow/tfjs';
import { denseContrastiveLoss, sampleContrastivePoints } from './dense-contrastive';
import { LossInputError } from './errors';

beforeAll(async () => {
  tf.env().set('IS_TEST', true); // silences the "install tfjs-node" banner
  await tf.setBackend('cpu');
});

function loss(embeddings: number[], shape: [number, number, number, number], labels: number[], temperature = 1, extra = {}): number {
  return tf.tidy(() => {
    const e = tf.tensor4d(embeddings, shape);
    const l = tf.tensor3d(labels, shape.slice(0, 3) as [number, number, number], 'int32');
    return denseContrastiveLoss(e, l, { temperature, pointsPerClass: 10, seed: 1, ...extra }).dataSync()[0] as number;
  });
}

/** An independent float64 reference of L_dcl over ALL given points (no sampling). */
function reference(points: number[][], classes: number[], tau: number): number {
  const z = points.map((p) => {
    const n = Math.hypot(...p);
    return p.map((v) => v / n);
  });
  const s = (i: number, j: number) => z[i]!.reduce((acc, v, k) => acc + v * z[j]![k]!, 0) / tau;
  const perPoint: number[] = [];
  for (let i = 0; i < z.length; i++) {
    const pos = z.map((_, j) => j).filter((j) => j !== i && classes[j] === classes[i]);
    const neg = z.map((_, j) => j).filter((j) => classes[j] !== classes[i]);
    if (pos.length === 0) continue;
    const negSum = neg.reduce((acc, q) => acc + Math.exp(s(i, q)), 0);
    perPoint.push(pos.reduce((acc, p) => acc - Math.log(Math.exp(s(i, p)) / (Math.exp(s(i, p)) + negSum)), 0) / pos.length);
  }
  return perPoint.length === 0 ? 0 : perPoint.reduce((a, b) => a + b, 0) / perPoint.length;
}

describe('denseContrastiveLoss', () => {
  it('matches a hand computation on 4 points in 2-D (tau = 1)', () => {
    // A = (2,0) -> (1,0), B = (0,3) -> (0,1), C = (3,4) -> (0.6,0.8): class 0;  D = (-0.5,0) -> (-1,0): class 1.
    // Dot products: AB 0, AC 0.6, AD -1, BC 0.8, BD 0, CD -0.6. With tau = 1, term(i,p) = ln(e^s_ip + e^s_iD) - s_ip:
    //   A: p=B: ln(1 + e^-1 = 1.367879) - 0 = 0.313262;  p=C: ln(1.822119 + 0.367879 = 2.189998) - 0.6 = 0.183901
    //      loss_A = (0.313262 + 0.183901) / 2 = 0.248581
    //   B: p=A: ln(1 + 1) - 0 = 0.693147;  p=C: ln(2.225541 + 1 = 3.225541) - 0.8 = 0.371101
    //      loss_B = (0.693147 + 0.371101) / 2 = 0.532124
    //   C: p=A: ln(1.822119 + 0.548812 = 2.370931) - 0.6 = 0.263282;  p=B: ln(2.225541 + 0.548812 = 2.774353) - 0.8 = 0.220417
    //      loss_C = (0.263282 + 0.220417) / 2 = 0.241850
    //   D: no positive, skipped.   L = (0.248581 + 0.532124 + 0.241850) / 3 = 0.340852
    const value = loss([2, 0, 0, 3, 3, 4, -0.5, 0], [1, 2, 2, 2], [0, 0, 0, 1]);
    expect(value).toBeCloseTo(0.340852, 5);
    expect(value).toBeCloseTo(reference([[2, 0], [0, 3], [3, 4], [-0.5, 0]], [0, 0, 0, 1], 1), 5);
  });

  it('matches a symmetric case with tau = 0.5 across a batch of two images', () => {
    // (1,0),(0,1) class 0 in image 0; (-1,0),(0,-1) class 1 in image 1. Every point: one positive at
    // dot 0, negatives at dots -1 and 0, s = dot / 0.5:  ln(e^0 + e^-2 + e^0) - 0 = ln(2.135335) = 0.758624.
    expect(loss([1, 0, 0, 1, -1, 0, 0, -1], [2, 1, 2, 2], [0, 0, 1, 1], 0.5)).toBeCloseTo(0.758624, 5);
  });

  it('ignores -1 labels and, on request, the background', () => {
    // Adding an ignored point does not change the 4-point value.
    expect(loss([2, 0, 0, 3, 3, 4, -0.5, 0, 9, 9, 0, 0], [1, 3, 2, 2], [0, 0, 0, 1, -1, -1])).toBeCloseTo(0.340852, 5);
    // Background excluded: only class 1 remains -> fewer than two classes -> 0.
    expect(loss([2, 0, 0, 3, 3, 4, -0.5, 0], [1, 2, 2, 2], [0, 0, 0, 1], 1, { includeBackground: false })).toBe(0);
  });

  it('is 0 with one class or without any positive pair', () => {
    expect(loss([1, 0, 0, 1], [1, 1, 2, 2], [3, 3])).toBe(0);
    expect(loss([1, 0, 0, 1], [1, 1, 2, 2], [1, 2])).toBe(0);
  });

  it('stays finite for a tiny temperature (log-sum-exp)', () => {
    // A = (1,0), B = (0,1) class 0; C = (1,0), D = (0,1) class 1; tau = 0.001. For A: positive B at s = 0,
    // negatives C at s = 1000 and D at s = 0: -ln(e^0 / (e^0 + e^1000 + e^0)) = 1000 + ln(1 + 2e^-1000) = 1000
    // (the naive form overflows: e^1000 = Infinity). Every point is alike, so L = 1000.
    expect(loss([1, 0, 0, 1, 1, 0, 0, 1], [1, 1, 4, 2], [0, 0, 1, 1], 0.001)).toBeCloseTo(1000, 2);
    // And a positive at s = 1000 against negatives at 0: ln(e^1000 + 2) - 1000 = 2e^-1000 = 0.
    expect(loss([1, 0, 1, 0, 0, 1, 0, 1], [1, 1, 4, 2], [0, 0, 1, 1], 0.001)).toBeCloseTo(0, 6);
  });

  it('has the gradient of a float64 finite-difference reference', () => {
    // 5 points in 3-D, classes 0,0,1,1,2; tau 0.1.
    const values = [0.3, -1.2, 0.5, 0.8, 0.1, -0.4, -0.6, 0.9, 0.2, -0.2, 1.1, 0.7, 0.4, 0.4, -1];
    const labels = [0, 0, 1, 1, 2];
    const tau = 0.1;
    const analytic = tf.tidy(() => {
      const l = tf.tensor3d(labels, [1, 1, 5], 'int32');
      const f = (e: tf.Tensor) => denseContrastiveLoss(e as tf.Tensor4D, l, { temperature: tau, pointsPerClass: 10, seed: 0 });
      return tf.grad(f)(tf.tensor4d(values, [1, 1, 5, 3])).dataSync();
    });
    const points = (v: number[]) => [0, 1, 2, 3, 4].map((i) => v.slice(3 * i, 3 * i + 3));
    const h = 1e-6;
    values.forEach((_, k) => {
      const plus = values.slice();
      const minus = values.slice();
      plus[k]! += h;
      minus[k]! -= h;
      const numeric = (reference(points(plus), labels, tau) - reference(points(minus), labels, tau)) / (2 * h);
      expect(analytic[k]).toBeCloseTo(numeric, 3);
    });
  });

  it('computes the loss on the sampled points only when a class has more than pointsPerClass pixels', () => {
    // 6 points of class 0 and 5 of class 1 in 2-D, 3 drawn per class; the value equals the reference on those 6.
    const values = [1, 0.2, 0.3, 1, -0.4, 0.9, 0.8, 0.8, 0.1, -1, 0.5, 0.5, -1, -0.3, -0.2, 0.7, 0.6, -0.9, 0.2, 0.2, -0.5, -0.1];
    const labels = [0, 1, 0, 0, 1, 1, 0, 1, 0, 1, 0];
    const options = { pointsPerClass: 3, seed: 'batch-17' };
    const sample = sampleContrastivePoints(labels, options);
    expect(sample.indices.length).toBe(6);
    const chosen = [...sample.indices].map((i) => values.slice(2 * i, 2 * i + 2));
    const expected = reference(chosen, [...sample.classes], 0.1);
    const value = tf.tidy(() =>
      denseContrastiveLoss(tf.tensor4d(values, [1, 1, 11, 2]), tf.tensor3d(labels, [1, 1, 11], 'int32'), { ...options, temperature: 0.1 }).dataSync()[0],
    );
    expect(value).toBeCloseTo(expected, 4);
  });

  it('rejects mismatched labels and a bad temperature, and leaks nothing', () => {
    const e = tf.randomNormal([1, 2, 2, 3]) as tf.Tensor4D;
    const l = tf.tensor3d([0, 1, 0, 1], [1, 2, 2], 'int32');
    expect(() => denseContrastiveLoss(e, tf.zeros([1, 2, 3], 'int32') as tf.Tensor3D, { temperature: 0.1, pointsPerClass: 10, seed: 0 })).toThrow(LossInputError);
    expect(() => denseContrastiveLoss(e, l, { temperature: 0, pointsPerClass: 10, seed: 0 })).toThrow(LossInputError);
    const before = tf.memory().numTensors;
    const value = denseContrastiveLoss(e, l, { temperature: 0.1, pointsPerClass: 10, seed: 0 });
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([value, e, l]);
  });
});

describe('sampleContrastivePoints', () => {
  // 2 images of 3x4: class 0 on 14 pixels, class 5 on 8, class 2 on 1, ignore on 1.
  const labels = [0, 0, 0, 0, 0, 5, 5, 5, 0, 5, 5, 2, /* image 1 */ 0, 0, 0, 0, 0, 0, 5, 5, 5, -1, 0, 0];

  it('draws up to pointsPerClass per class across the batch, grouped by ascending class', () => {
    const sample = sampleContrastivePoints(labels, { pointsPerClass: 4, seed: 7 });
    expect(sample.classIds).toEqual([0, 2, 5]);
    expect([...sample.classes]).toEqual([0, 0, 0, 0, 2, 5, 5, 5, 5]);
    for (let i = 0; i < sample.indices.length; i++) expect(labels[sample.indices[i]!]).toBe(sample.classes[i]);
    expect(new Set(sample.indices).size).toBe(sample.indices.length); // without replacement
  });

  it('is deterministic given the seed, and the seed matters', () => {
    const a = sampleContrastivePoints(labels, { pointsPerClass: 4, seed: 7 });
    const b = sampleContrastivePoints(labels, { pointsPerClass: 4, seed: 7 });
    expect([...a.indices]).toEqual([...b.indices]);
    const others = [8, 9, 10, 11].map((seed) => [...sampleContrastivePoints(labels, { pointsPerClass: 4, seed }).indices].join());
    expect(others.some((o) => o !== [...a.indices].join())).toBe(true);
  });

  it('draws uniformly: each of the 8 class-5 pixels is picked about half the time with 4 of 8', () => {
    const counts = new Map<number, number>();
    for (let seed = 0; seed < 2000; seed++) {
      const s = sampleContrastivePoints(labels, { pointsPerClass: 4, seed, includeBackground: false });
      s.indices.forEach((index, i) => {
        if (s.classes[i] === 5) counts.set(index, (counts.get(index) ?? 0) + 1);
      });
    }
    expect(counts.size).toBe(8);
    for (const count of counts.values()) expect(count / 2000).toBeGreaterThan(0.44);
    for (const count of counts.values()) expect(count / 2000).toBeLessThan(0.56);
  });

  it('rejects a non-positive pointsPerClass', () => {
    expect(() => sampleContrastivePoints(labels, { pointsPerClass: 0, seed: 1 })).toThrow(LossInputError);
  });
});
