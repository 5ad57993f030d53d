import * as tf from '@tensorflow/tfjs';
import { copyPasteBce, denseContrastiveLoss, maskedBce } from '@fmwiss/losses';
import type { ModelConfig } from './config';
import { ModelError } from './errors';
import { createStudent, createTeacher, type Student, type Teacher } from './models';
import { countFlops } from './plan';
import { cloneFrozen, growClassifier } from './transfer';

beforeAll(async () => {
  tf.env().set('IS_TEST', true); // silences the "install tfjs-node" banner
  await tf.setBackend('cpu');
});

// The stock cpu backend's Conv2DBackpropFilter runs at a few MMAC/s: models here stay tiny.
const TINY: ModelConfig = { imageSize: 16, encoderWidth: 4, outputStride: 8, asppRates: [1, 2], asppChannels: 8, embeddingDim: 4, normGroups: 2 };

const images = (batch: number, size: number, seed = 11) => tf.randomNormal([batch, size, size, 3], 0, 1, 'float32', seed) as tf.Tensor4D;

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => a.sub(b).abs().max().dataSync()[0] as number);
}

describe('createStudent / createTeacher', () => {
  it.each([
    [4, 4],
    [8, 2],
    [16, 1],
  ] as const)('outputStride %i: logits and features at %i x %i for 16 px images', (outputStride, side) => {
    const student = createStudent({ ...TINY, outputStride }, 3, 1);
    const teacher = createTeacher({ ...TINY, outputStride }, 5, 2);
    tf.tidy(() => {
      const { logits, features } = student.forward(images(2, 16), { training: true });
      expect(logits.shape).toEqual([2, side, side, 3]);
      expect(features.shape).toEqual([2, side, side, 16]);
      const out = teacher.forward(features);
      expect(out.logits.shape).toEqual([2, side, side, 5]);
      expect(out.embeddings.shape).toEqual([2, side, side, 4]);
      const probs = student.predictProbs(images(2, 16));
      expect(probs.shape).toEqual([2, 16, 16, 3]);
      expect(probs.min().dataSync()[0]).toBeGreaterThanOrEqual(0);
      expect(probs.max().dataSync()[0]).toBeLessThanOrEqual(1);
      expect(teacher.predictProbs(features, [16, 16]).shape).toEqual([2, 16, 16, 5]);
    });
    student.dispose();
    teacher.dispose();
  });

  it('handles image sides that are not multiples of the stride (ceil at every stride-2 conv)', () => {
    const student = createStudent(TINY, 3, 1);
    tf.tidy(() => expect(student.forward(images(1, 13)).logits.shape).toEqual([1, 2, 2, 3])); // 13 -> 7 -> 4 -> 2
    student.dispose();
  });

  it('initialises deterministically from the seed, per weight name', () => {
    const a = createStudent(TINY, 3, 'seed-a');
    const b = createStudent(TINY, 3, 'seed-a');
    const c = createStudent(TINY, 3, 'seed-c');
    const wa = a.namedWeights();
    const wb = b.namedWeights();
    const wc = c.namedWeights();
    for (const [name, v] of wa) expect(Array.from(v.dataSync())).toEqual(Array.from(wb.get(name)!.dataSync()));
    const kernel = 'student/encoder/stage1/block0/conv1/kernel';
    expect(Array.from(wa.get(kernel)!.dataSync())).not.toEqual(Array.from(wc.get(kernel)!.dataSync()));
    tf.tidy(() => expect(maxAbsDiff(a.forward(images(1, 16)).logits, b.forward(images(1, 16)).logits)).toBe(0));
    // He-normal: std sqrt(2 / (3*3*4)) = 0.2357 for a 3x3 conv from 4 channels (144 draws).
    const values = Array.from(wa.get(kernel)!.dataSync());
    const std = Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
    expect(std).toBeGreaterThan(0.2357 * 0.8);
    expect(std).toBeLessThan(0.2357 * 1.2);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('names weights stably and holds exactly the counted parameters', () => {
    const student = createStudent(TINY, 3, 1);
    const teacher = createTeacher(TINY, 3, 1);
    const names = [...student.namedWeights().keys()];
    expect(names.slice(0, 4)).toEqual([
      'student/encoder/stem/conv/kernel',
      'student/encoder/stem/norm/gamma',
      'student/encoder/stem/norm/beta',
      'student/encoder/stage1/down/conv/kernel',
    ]);
    expect(names).toContain('student/encoder/stage1/block0/conv1/kernel');
    expect(names).toContain('student/encoder/stage3/block0/norm2/beta');
    expect(names).toContain('student/aspp/branch2/conv/kernel');
    expect(names).toContain('student/aspp/pool/conv/bias');
    expect(names.slice(-2)).toEqual(['student/classifier/kernel', 'student/classifier/bias']);
    expect([...teacher.namedWeights().keys()].slice(-4)).toEqual([
      'teacher/embedding/conv1/kernel',
      'teacher/embedding/conv1/bias',
      'teacher/embedding/conv2/kernel',
      'teacher/embedding/conv2/bias',
    ]);
    const size = (m: Student | Teacher) => m.variables.reduce((n, v) => n + v.size, 0);
    const report = countFlops(TINY, 1, 3);
    expect(size(student)).toBe(report.student.params);
    expect(size(teacher)).toBe(report.teacher.params);
    student.dispose();
    teacher.dispose();
  });

  it("computes the same outputs with atrous: 'native' (same weights)", () => {
    const a = createStudent({ ...TINY, outputStride: 4 }, 3, 1);
    const b = createStudent({ ...TINY, outputStride: 4, atrous: 'native' }, 3, 1);
    tf.tidy(() => expect(maxAbsDiff(a.forward(images(2, 16)).logits, b.forward(images(2, 16)).logits)).toBeLessThan(1e-4));
    a.dispose();
    b.dispose();
  });

  it('rejects wrong inputs, and a disposed model', () => {
    const student = createStudent(TINY, 3, 1);
    const teacher = createTeacher(TINY, 3, 1);
    tf.tidy(() => {
      expect(() => student.forward(tf.zeros([1, 16, 16, 1]) as tf.Tensor4D)).toThrow(ModelError);
      expect(() => teacher.forward(tf.zeros([1, 2, 2, 8]) as tf.Tensor4D)).toThrow(ModelError);
    });
    expect(() => createStudent(TINY, 0, 1)).toThrow(ModelError);
    student.dispose();
    teacher.dispose();
    expect(student.isDisposed).toBe(true);
    expect(() => student.forward(tf.zeros([1, 16, 16, 3]) as tf.Tensor4D)).toThrow(ModelError);
  });

  it('restores weights by stable name with setWeights', () => {
    const a = createStudent(TINY, 3, 1);
    const b = createStudent(TINY, 3, 2);
    b.setWeights(a.namedWeights());
    tf.tidy(() => expect(maxAbsDiff(a.forward(images(1, 16)).logits, b.forward(images(1, 16)).logits)).toBe(0));
    const bias = tf.tensor1d([1, 2, 3]);
    expect(() => b.setWeights(new Map([['student/classifier/bias', bias]]))).toThrow(/missing/);
    b.setWeights(new Map([['student/classifier/bias', bias]]), { allowMissing: true });
    expect(Array.from(b.namedWeights().get('student/classifier/bias')!.dataSync())).toEqual([1, 2, 3]);
    expect(() => b.setWeights(new Map([['student/classifier/kernel', bias]]), { allowMissing: true })).toThrow(ModelError);
    bias.dispose();
    a.dispose();
    b.dispose();
  });

  it('allocates exactly its variables and frees them on dispose', () => {
    const before = tf.memory().numTensors;
    const student = createStudent(TINY, 3, 1);
    expect(tf.memory().numTensors).toBe(before + student.variables.length);
    student.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('growClassifier', () => {
  it.each(['student', 'teacher'] as const)('%s: keeps old outputs and starts new classes from background minus ln(N+1)', (kind) => {
    const create = kind === 'student' ? createStudent : createTeacher;
    const model = create(TINY, 3, 1);
    const biasName = `${kind}/classifier/bias`;
    const bias = tf.tensor1d([0.3, -0.2, 0.1]);
    model.setWeights(new Map([[biasName, bias]]), { allowMissing: true });
    bias.dispose();
    const grown = growClassifier(model, 5);
    expect(grown.numClasses).toBe(5);
    expect(grown.kind).toBe(kind);
    expect(Array.from(grown.namedWeights().get(biasName)!.dataSync())).toEqual([
      expect.closeTo(0.3, 6),
      expect.closeTo(-0.2, 6),
      expect.closeTo(0.1, 6),
      expect.closeTo(0.3 - Math.log(3), 6), // two new classes: b_bg - ln(2 + 1)
      expect.closeTo(0.3 - Math.log(3), 6),
    ]);
    const run = (m: Student | Teacher) =>
      m.kind === 'student' ? m.forward(images(2, 16)).logits : m.forward(tf.randomNormal([2, 2, 2, 16], 0, 1, 'float32', 9) as tf.Tensor4D).logits;
    tf.tidy(() => {
      const before = run(model); // [2,2,2,3]
      const after = run(grown); // [2,2,2,5]
      expect(maxAbsDiff(after.slice([0, 0, 0, 0], [2, 2, 2, 3]), before)).toBe(0);
      const background = before.slice([0, 0, 0, 0], [2, 2, 2, 1]);
      for (const c of [3, 4]) {
        expect(maxAbsDiff(after.slice([0, 0, 0, c], [2, 2, 2, 1]), background.sub(Math.log(3)))).toBeLessThan(1e-5);
      }
    });
    // Independent copies: disposing the source leaves the grown model working.
    model.dispose();
    tf.tidy(() => expect(run(grown).shape).toEqual([2, 2, 2, 5]));
    grown.dispose();
  });

  it('takes a custom bias offset and rejects shrinking', () => {
    const model = createStudent(TINY, 2, 1);
    const grown = growClassifier(model, 3, { newBiasOffset: 0 });
    const w = grown.namedWeights();
    expect(Array.from(w.get('student/classifier/bias')!.dataSync())).toEqual([0, 0, 0]);
    tf.tidy(() => {
      const kernel = w.get('student/classifier/kernel')!; // [1,1,8,3]
      expect(maxAbsDiff(kernel.slice([0, 0, 0, 2], [1, 1, 8, 1]), kernel.slice([0, 0, 0, 0], [1, 1, 8, 1]))).toBe(0);
    });
    expect(() => growClassifier(model, 1)).toThrow(ModelError);
    model.dispose();
    grown.dispose();
  });
});

describe('cloneFrozen', () => {
  it('copies the weights into non-trainable variables that optimisers skip', () => {
    const model = createStudent(TINY, 3, 1);
    const previous = cloneFrozen(model);
    expect(previous.trainable).toBe(false);
    expect(previous.variables.every((v) => !v.trainable)).toBe(true);
    expect([...previous.namedWeights().keys()]).toEqual([...model.namedWeights().keys()]);
    const x = images(1, 16);
    const sgd = tf.train.sgd(0.5);
    const loss = sgd.minimize(() => model.forward(x).logits.square().mean() as tf.Scalar, true)!;
    tf.tidy(() => {
      // Training the model moved it away from the frozen copy, whose weights stayed the original ones.
      expect(maxAbsDiff(model.forward(x).logits, previous.forward(x).logits)).toBeGreaterThan(0);
      const { grads, value } = tf.variableGrads(() => model.forward(x).logits.mean() as tf.Scalar);
      const frozenNames = new Set(previous.variables.map((v) => v.name));
      expect(Object.keys(grads).some((name) => frozenNames.has(name))).toBe(false);
      tf.dispose([value, ...Object.values(grads)]);
    });
    tf.dispose([loss, x]);
    sgd.dispose();
    model.dispose();
    previous.dispose();
  });
});

describe('training with the losses', () => {
  /** Student + teacher on 2 images of 16 px with every loss of METHOD.md; 4 classes (bg, 1 old, 2 new). */
  function setup() {
    const student = createStudent(TINY, 4, 1);
    const teacher = createTeacher(TINY, 4, 2);
    const data = tf.tidy(() => {
      const x = images(2, 16, 3);
      const targets = tf.randomUniform([2, 2, 2, 4], 0, 1, 'float32', 4) as tf.Tensor4D; // student targets
      const pseudo = tf.randomUniform([2, 2, 2, 4], 0, 1, 'float32', 5).round() as tf.Tensor4D; // fused masks
      const labels = tf.tensor3d([0, 2, 3, 0, 2, 2, 3, 0], [2, 2, 2], 'int32'); // pseudo classes
      const pasted = tf.tensor3d([-1, 0, -1, -1, 0, -1, -1, -1], [2, 2, 2], 'int32'); // old class 1 -> column 0
      return { x, targets, pseudo, labels, pasted };
    });
    const loss = (seed: number) => (): tf.Scalar =>
      tf.tidy(() => {
        const { logits, features } = student.forward(data.x, { training: true });
        const t = teacher.forward(features, { training: true });
        const seg = maskedBce(logits, data.targets);
        const bce = maskedBce(t.logits, data.pseudo, { classMask: [0, 0, 1, 1] });
        const dcl = denseContrastiveLoss(t.embeddings, data.labels, { temperature: 0.1, pointsPerClass: 10, seed });
        const old = copyPasteBce(t.logits.slice([0, 0, 0, 1], [2, 2, 2, 1]), data.pasted);
        return seg.add(bce).add(dcl.mul(0.1)).add(old) as tf.Scalar;
      });
    const dispose = () => {
      student.dispose();
      teacher.dispose();
      tf.dispose(Object.values(data));
    };
    return { student, teacher, loss, dispose };
  }

  it('sends a finite, non-null gradient to every trainable variable of student and teacher', () => {
    const { student, teacher, loss, dispose } = setup();
    const vars = [...student.variables, ...teacher.variables];
    const { value, grads } = tf.variableGrads(loss(0), vars);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    const missing = vars.filter((v) => grads[v.name] == null).map((v) => v.name);
    expect(missing).toEqual([]);
    for (const v of vars) {
      const g = grads[v.name]!;
      expect(g.shape).toEqual(v.shape);
      expect(tf.tidy(() => g.isFinite().all().dataSync()[0])).toBe(1);
    }
    // Every variable gets a non-zero gradient somewhere (nothing is cut off by the graph).
    const zero = vars.filter((v) => tf.tidy(() => grads[v.name]!.abs().max().dataSync()[0]) === 0).map((v) => v.name);
    expect(zero).toEqual([]);
    tf.dispose([value, ...Object.values(grads)]);
    dispose();
  });

  it('leaves tf.memory().numTensors unchanged over 10 forward/backward steps', () => {
    const { student, teacher, loss, dispose } = setup();
    const sgd = tf.train.sgd(0.01);
    const vars = [...student.variables, ...teacher.variables];
    const step = (i: number) => {
      const { value, grads } = tf.variableGrads(loss(i), vars);
      sgd.applyGradients(grads);
      tf.dispose([value, ...Object.values(grads)]);
    };
    step(0); // the optimiser's constants exist from here on
    const before = tf.memory().numTensors;
    for (let i = 1; i <= 10; i++) step(i);
    expect(tf.memory().numTensors).toBe(before);
    sgd.dispose();
    dispose();
  });

  it('overfits 4 synthetic 32 px images of two shapes: BCE at least halves in 60 SGD steps', () => {
    // Squares (class 1) and discs (class 2) on a flat background; targets = one-hot averaged over the
    // 8x8 pixels of each logit cell (stride 8 -> 4x4 logits).
    // Narrow (w = 2, no residual blocks) because jest runs the stock cpu conv gradients ~5x slower than node.
    const config: ModelConfig = { imageSize: 32, encoderWidth: 2, outputStride: 8, asppRates: [1], asppChannels: 4, embeddingDim: 4, normGroups: 2, blocksPerStage: [0, 0, 0] };
    const { x, targets } = tf.tidy(() => {
      const side = 32;
      const pixels = new Float32Array(4 * side * side * 3);
      const labels = new Int32Array(4 * side * side);
      for (let b = 0; b < 4; b++) {
        const [cx, cy] = [8 + 5 * b, 22 - 4 * b];
        for (let y = 0; y < side; y++) {
          for (let xx = 0; xx < side; xx++) {
            const p = (b * side + y) * side + xx;
            const inside = b % 2 === 0 ? Math.abs(xx - cx) <= 5 && Math.abs(y - cy) <= 5 : (xx - cx) ** 2 + (y - cy) ** 2 <= 36;
            const c = inside ? (b % 2 === 0 ? 1 : 2) : 0;
            labels[p] = c;
            pixels.set([c === 0 ? -0.5 : 0.8, c === 2 ? -0.8 : c === 1 ? 0.8 : -0.5, 0.1], 3 * p);
          }
        }
      }
      const oneHot = tf.oneHot(tf.tensor3d(labels, [4, side, side], 'int32'), 3).toFloat() as tf.Tensor4D; // [4,32,32,3]
      return { x: tf.tensor4d(pixels, [4, side, side, 3]), targets: tf.avgPool(oneHot, 8, 8, 'valid') as tf.Tensor4D }; // [4,4,4,3]
    });
    const student = createStudent(config, 3, 7);
    const sgd = tf.train.sgd(0.5);
    const losses: number[] = [];
    for (let i = 0; i < 60; i++) {
      const value = sgd.minimize(() => maskedBce(student.forward(x, { training: true }).logits, targets), true, student.variables as tf.Variable[])!;
      losses.push(value.dataSync()[0] as number);
      value.dispose();
    }
    expect(losses[59]!).toBeLessThan(losses[0]! / 2);
    tf.dispose([x, targets]);
    sgd.dispose();
    student.dispose();
  });
});
