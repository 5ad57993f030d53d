import * as tf from '@tensorflow/tfjs';
import { initTensorRuntime } from '@fmwiss/tensor-runtime';

import { dinoLoss, teacherStatistics, teacherTargets, updatedCenter } from './dino-loss';
import { emaUpdate } from './ema';

beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  await initTensorRuntime({ backend: 'wasm' });
});

const softmax = (row: number[]) => {
  const e = row.map((v) => Math.exp(v - Math.max(...row)));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};
const logSoftmax = (row: number[]) => softmax(row).map(Math.log);
const crossEntropy = (q: number[], logP: number[]) => -q.reduce((s, qk, k) => s + qk * logP[k]!, 0);

describe('DINO loss', () => {
  it('matches a hand computation: centred, sharpened teacher vs every other student crop', () => {
    // B = 1, K = 2, two global crops (teacher rows 0, 1) and one local crop (student row 2).
    const teacher = [
      [1, 0],
      [0, 1],
    ];
    const center = [0.5, 0.5];
    const student = [
      [2, 0],
      [0, 0],
      [0, 2],
    ];
    const teacherTemp = 0.5;
    const studentTemp = 1;
    // q_i = softmax((t_i - c) / 0.5): [sigma(2), sigma(-2)] and its mirror.
    const q = teacher.map((t) => softmax(t.map((v, k) => (v - center[k]!) / teacherTemp)));
    expect(q[0]![0]).toBeCloseTo(1 / (1 + Math.exp(-2)), 12);
    const logP = student.map((s) => logSoftmax(s.map((v) => v / studentTemp)));
    // Pairs (teacher crop, student crop) with different crops: (0,1), (0,2), (1,0), (1,2).
    const expected = (crossEntropy(q[0]!, logP[1]!) + crossEntropy(q[0]!, logP[2]!) + crossEntropy(q[1]!, logP[0]!) + crossEntropy(q[1]!, logP[2]!)) / 4;

    const before = tf.memory().numTensors;
    const value = tf.tidy(() => {
      const targets = teacherTargets(tf.tensor2d(teacher), tf.tensor2d([center]), teacherTemp);
      return dinoLoss(tf.tensor2d(student), targets, studentTemp, { batch: 1, globalCrops: 2, studentCrops: 3 }).dataSync()[0]!;
    });
    expect(value).toBeCloseTo(expected, 5);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('averages over the batch within each pair', () => {
    // B = 2, one pair type only through identical crops: the loss is the mean of the rows' cross-entropies.
    const targets = tf.tensor2d([
      [1, 0],
      [0.5, 0.5],
      [1, 0],
      [0.5, 0.5],
    ]);
    const student = tf.tensor2d([
      [0, 0],
      [1, 0],
      [0, 0],
      [1, 0],
    ]);
    const got = tf.tidy(() => dinoLoss(student, targets, 1, { batch: 2, globalCrops: 2, studentCrops: 2 }).dataSync()[0]!);
    const expected = (crossEntropy([1, 0], logSoftmax([0, 0])) + crossEntropy([0.5, 0.5], logSoftmax([1, 0]))) / 2;
    expect(got).toBeCloseTo(expected, 6);
    tf.dispose([targets, student]);
  });

  it('updates the centre with momentum 0.9 from the batch mean', () => {
    const center = tf.tidy(() => updatedCenter(tf.tensor2d([[1, -1]]), tf.tensor2d([[1, 2], [3, 4]]), 0.9));
    // 0.9 * [1, -1] + 0.1 * [2, 3]
    const values = Array.from(center.dataSync());
    expect(values[0]).toBeCloseTo(1.1, 6);
    expect(values[1]).toBeCloseTo(-0.6, 6);
    center.dispose();
  });

  it('reports the teacher entropies that tell collapse apart', () => {
    const uniform = tf.fill([3, 4], 0.25) as tf.Tensor2D;
    const oneHot = tf.tensor2d([[1, 0, 0, 0], [1, 0, 0, 0]]);
    expect(teacherStatistics(uniform).rowEntropy).toBeCloseTo(Math.log(4), 5);
    expect(teacherStatistics(oneHot).rowEntropy).toBeCloseTo(0, 5);
    expect(teacherStatistics(oneHot).meanEntropy).toBeCloseTo(0, 5);
    tf.dispose([uniform, oneHot]);
  });
});

describe('emaUpdate', () => {
  it('moves the teacher by (1 - m) towards the student, name by name', () => {
    const teacher = new Map([['w', tf.tidy(() => tf.variable(tf.tensor1d([1, 2])))]]);
    const student = new Map([['w', tf.tensor1d([3, -2])]]);
    emaUpdate(teacher, student, 0.9);
    const values = Array.from(teacher.get('w')!.dataSync());
    expect(values[0]).toBeCloseTo(0.9 * 1 + 0.1 * 3, 6);
    expect(values[1]).toBeCloseTo(0.9 * 2 + 0.1 * -2, 6);
    emaUpdate(teacher, student, 1);
    expect(Array.from(teacher.get('w')!.dataSync())).toEqual(values);
    expect(() => emaUpdate(teacher, new Map([['x', student.get('w')!]]), 0.9)).toThrow(/no w/);
    tf.dispose([...teacher.values(), ...student.values()]);
  });
});
