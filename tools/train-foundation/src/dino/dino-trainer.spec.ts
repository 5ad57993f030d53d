import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from '@fmwiss/random';
import { initTensorRuntime } from '@fmwiss/tensor-runtime';
import { IMAGENET_MEAN, IMAGENET_STD } from '@fmwiss/vit-models';

import { runResumeScenario, syntheticImages } from '../../test/resume-harness';
import { DEFAULT_DINO_HYPER, DinoTrainer, type DinoTrainerOptions } from './dino-trainer';
import { DEFAULT_MULTI_CROP, makeMultiCropBatch, randomResizedCropBox } from './multi-crop';

beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  await initTensorRuntime({ backend: 'wasm' });
});

const images = syntheticImages(8, 24, 5);

function options(): DinoTrainerOptions {
  return {
    vit: { imageSize: 16, patchSize: 4, width: 16, depth: 2, heads: 2, outputDim: 0 },
    head: { hiddenDim: 16, bottleneckDim: 8, outDim: 32 },
    seed: 4,
    batchSize: 2,
    hyper: { ...DEFAULT_DINO_HYPER, warmupSteps: 2, freezeLastLayerSteps: 2, learningRate: 1e-2 },
    crops: { ...DEFAULT_MULTI_CROP, globalSize: 16, localSize: 8, mean: IMAGENET_MEAN, std: IMAGENET_STD },
    images,
  };
}

describe('multi-crop', () => {
  it('cuts boxes inside the image within the scale range', () => {
    const random = new SeededRandom(1);
    for (let i = 0; i < 50; i++) {
      const box = randomResizedCropBox(128, 128, [0.1, 0.4], [3 / 4, 4 / 3], random);
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(128 + 1e-9);
      expect(box.y + box.height).toBeLessThanOrEqual(128 + 1e-9);
      const area = (box.width * box.height) / 128 ** 2;
      expect(area).toBeGreaterThanOrEqual(0.1 - 1e-9);
      expect(area).toBeLessThanOrEqual(0.4 + 1e-9);
    }
  });

  it('gives 2 global and 4 local crops per image, crop-major, as a pure function of the stream', () => {
    const o = options().crops;
    const a = makeMultiCropBatch(images.slice(0, 2), o, new SeededRandom(3));
    const b = makeMultiCropBatch(images.slice(0, 2), o, new SeededRandom(3));
    expect(a.globals.length).toBe(2 * 2 * 16 * 16 * 3);
    expect(a.locals.length).toBe(4 * 2 * 8 * 8 * 3);
    expect(Array.from(a.globals)).toEqual(Array.from(b.globals));
    expect(Array.from(a.locals)).toEqual(Array.from(b.locals));
  });
});

describe('DinoTrainer', () => {
  it('resumes bit for bit: 3 steps, checkpoint, a fresh trainer for 3 more equals 6 straight steps', async () => {
    const before = tf.memory().numTensors;
    const { straight, resumed, first, second } = await runResumeScenario(() => new DinoTrainer(options()), 6, 3, 4);
    expect(first.steps).toBe(3);
    expect(second.steps).toBe(6);
    expect([...resumed.keys()].sort()).toEqual([...straight.keys()].sort());
    for (const prefix of ['student/', 'teacher/', 'student_head/', 'teacher_head/', 'center', 'optimizer:adamw/m/student/']) {
      expect([...straight.keys()].some((k) => k.startsWith(prefix))).toBe(true);
    }
    for (const [name, values] of straight) expect({ name, values: resumed.get(name) }).toEqual({ name, values });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps the prototypes frozen during the first steps, moves the teacher by EMA and the centre', async () => {
    const trainer = new DinoTrainer(options());
    try {
      const lastLayer = () => Array.from(trainer.studentHead['last_layer.weight_v']!.dataSync());
      const teacherPos = () => Array.from(trainer.teacher.tensors['pos_embed']!.dataSync());
      const initial = lastLayer();
      const teacherBefore = teacherPos();
      const metrics = await trainer.step(0, 10);
      expect(lastLayer()).toEqual(initial);
      expect(teacherPos()).not.toEqual(teacherBefore);
      expect(Array.from(trainer.center.dataSync()).some((v) => v !== 0)).toBe(true);
      expect(metrics['momentum']).toBeCloseTo(0.996, 9);
      await trainer.step(1, 10);
      await trainer.step(2, 10);
      expect(lastLayer()).not.toEqual(initial);
    } finally {
      trainer.dispose();
    }
  });
});
