import * as tf from '@tensorflow/tfjs';
import type { LabelImage, RgbImage } from '@fmwiss/imaging';
import { SeededRandom } from '@fmwiss/random';
import { createStudent, type ModelConfig } from '@fmwiss/segmentation-models';
import { initTensorRuntime } from '@fmwiss/tensor-runtime';
import { createBaseStepTrainer, makeBatch, type LabelledSample } from './base-step';
import { TrainingError } from './errors';
import { SgdMomentum } from './sgd-momentum';

const TINY: ModelConfig = {
  imageSize: 32,
  encoderWidth: 4,
  outputStride: 4,
  asppRates: [1, 2],
  asppChannels: 8,
  embeddingDim: 8,
  normGroups: 2,
  atrous: 'native',
};
const SIZE = 32;
const CLASSES = 3; // background, red square (1), blue disc (2)

/** A grey image with a red square (class 1) and a blue disc (class 2) at random places; a 255 border. */
function syntheticSample(random: SeededRandom): LabelledSample {
  const image: RgbImage = { width: SIZE, height: SIZE, data: new Uint8Array(SIZE * SIZE * 3).fill(128) };
  const labels: LabelImage = { width: SIZE, height: SIZE, data: new Uint8Array(SIZE * SIZE) };
  const paint = (x: number, y: number, rgb: [number, number, number], label: number): void => {
    const i = y * SIZE + x;
    image.data.set(rgb, i * 3);
    labels.data[i] = label;
  };
  const sx = random.int(SIZE - 10);
  const sy = random.int(SIZE - 10);
  for (let y = sy; y < sy + 10; y++) for (let x = sx; x < sx + 10; x++) paint(x, y, [220, 30, 30], 1);
  const cx = 6 + random.int(SIZE - 12);
  const cy = 6 + random.int(SIZE - 12);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const d2 = (x - cx) ** 2 + (y - cy) ** 2;
      if (d2 <= 25) paint(x, y, [30, 40, 220], 2);
      else if (d2 <= 30) labels.data[y * SIZE + x] = 255; // an ignored rim
    }
  }
  return { image, labels };
}

beforeAll(async () => {
  await initTensorRuntime({ backend: 'wasm' });
});

describe('createBaseStepTrainer', () => {
  it('trains a tiny student for 200 steps with a constant tensor count and a falling loss', () => {
    const random = new SeededRandom(7, 'base-step-spec');
    const pool = Array.from({ length: 24 }, () => syntheticSample(random));
    const augment = new SeededRandom(7, 'augment');
    const student = createStudent(TINY, CLASSES, 1);
    const optimizer = new SgdMomentum({ momentum: 0.9, weightDecay: 1e-4 });
    const steps = 200;
    const trainer = createBaseStepTrainer({ student, optimizer, numClasses: CLASSES, baseLearningRate: 0.05, maxIterations: steps, clipNorm: 10 });
    const weights = student.variables.length;
    const velocityBuffers = student.variables.filter((v) => v.trainable).length;

    const before = tf.memory().numTensors;
    const losses: number[] = [];
    let afterFirst = -1;
    for (let it = 0; it < steps; it++) {
      const batch = [0, 1, 2, 3].map((k) => pool[(it * 4 + k) % pool.length]!);
      const { images, labels } = makeBatch(batch, { cropSize: SIZE, random: augment, scaleMin: 0.75, scaleMax: 1.25, labelStride: TINY.outputStride });
      const result = trainer.step(images, labels, it);
      tf.dispose([images, labels]);
      expect(result.applied).toBe(true);
      losses.push(result.loss);
      if (it === 0) afterFirst = tf.memory().numTensors;
    }
    // The only tensors a step leaves are the optimiser's velocity buffers, made at the first step.
    expect(afterFirst).toBe(before + velocityBuffers);
    expect(tf.memory().numTensors).toBe(afterFirst);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const first = mean(losses.slice(0, 10));
    const last = mean(losses.slice(-10));
    expect(last).toBeLessThan(0.5 * first);
    optimizer.dispose();
    student.dispose();
    expect(tf.memory().numTensors).toBe(before - weights);
  });

  it('downsamples image-size labels itself, giving the same loss as logits-size labels', () => {
    const random = new SeededRandom(3, 'labels');
    const samples = [syntheticSample(random), syntheticSample(random)];
    const full = makeBatch(samples, { cropSize: SIZE });
    const small = makeBatch(samples, { cropSize: SIZE, labelStride: TINY.outputStride });
    const run = (labels: tf.Tensor3D): number => {
      const student = createStudent(TINY, CLASSES, 5);
      const optimizer = new SgdMomentum({ momentum: 0, weightDecay: 0 });
      const trainer = createBaseStepTrainer({ student, optimizer, numClasses: CLASSES, baseLearningRate: 0.01, maxIterations: 10 });
      const before = tf.memory().numTensors;
      const { loss } = trainer.step(full.images, labels, 0);
      expect(tf.memory().numTensors).toBe(before);
      student.dispose();
      return loss;
    };
    expect(run(full.labels)).toBeCloseTo(run(small.labels), 6);
    tf.dispose([full.images, full.labels, small.images, small.labels]);
  });

  it('maps label values through classIds and rejects mismatched inputs', () => {
    const labels: LabelImage = { width: 2, height: 1, data: Uint8Array.from([15, 7]) };
    const image: RgbImage = { width: 2, height: 1, data: new Uint8Array(6) };
    const batch = makeBatch([{ image, labels }], { cropSize: 2, classIds: [0, 15] });
    expect(batch.images.shape).toEqual([1, 2, 2, 3]);
    expect(Array.from(batch.labels.dataSync())).toEqual([1, 255, 1, 255]);
    tf.dispose([batch.images, batch.labels]);

    const student = createStudent(TINY, CLASSES, 1);
    const optimizer = new SgdMomentum({ momentum: 0.9, weightDecay: 0 });
    expect(() => createBaseStepTrainer({ student, optimizer, numClasses: 4, baseLearningRate: 0.01, maxIterations: 10 })).toThrow(TrainingError);
    const trainer = createBaseStepTrainer({ student, optimizer, numClasses: CLASSES, baseLearningRate: 0.01, maxIterations: 10 });
    const images = tf.zeros([1, SIZE, SIZE, 3]) as tf.Tensor4D;
    const wrong = tf.zeros([1, 5, 5], 'int32') as tf.Tensor3D;
    expect(() => trainer.step(images, wrong, 0)).toThrow(/logits' size \[1,8,8\]/);
    tf.dispose([images, wrong]);
    student.dispose();
    optimizer.dispose();
  });
});
