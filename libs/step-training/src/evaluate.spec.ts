import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createStudent, createTeacher } from '@fmwiss/segmentation-models';
import { initTensorRuntime } from '@fmwiss/tensor-runtime';
import { SIZE, TINY_MODEL, writeTinyVoc, type TinyVoc } from '../test/fixtures';
import { StepPreconditionError } from './errors';
import { evaluateCheckpoint } from './evaluate';
import { resolveHyperparameters } from './hyperparameters';
import { resolveStepModel } from './model-config';
import { loadStepModel, predictImage } from './predict';
import { saveStepCheckpoint, type StepCheckpointMetadata } from './step-checkpoint';

let voc: TinyVoc;
const classes = [
  { id: 2, name: 'green' },
  { id: 4, name: 'yellow' },
];
const model = resolveStepModel(TINY_MODEL);

/**
 * A checkpoint whose heads ignore the image: classifier kernels 0, so the logits are the biases.
 * The student predicts channel 1 (class 2) everywhere; the teacher channel 2 (class 4).
 */
async function constantCheckpoint(dir: string, withTeacher: boolean): Promise<string> {
  const student = createStudent(model, 3, 1);
  const teacher = createTeacher(model, 3, 1);
  const set = (m: typeof student | typeof teacher, prefix: string, bias: number[]) => {
    const kernel = m.namedWeights().get(`${prefix}/classifier/kernel`)!;
    const values = new Map<string, tf.Tensor>([[`${prefix}/classifier/kernel`, tf.zerosLike(kernel)], [`${prefix}/classifier/bias`, tf.tensor1d(bias)]]);
    m.setWeights(values, { allowMissing: true });
    tf.dispose([...values.values()]);
  };
  set(student, 'student', [0, 5, -5]);
  set(teacher, 'teacher', [0, -5, 5]);
  const weights = new Map<string, tf.Tensor>([...student.namedWeights(), ...(withTeacher ? teacher.namedWeights() : [])]);
  const metadata: StepCheckpointMetadata = {
    format: 'fmwiss-step', version: 1, specHash: 'x', runId: 'r', step: 1, kind: withTeacher ? 'weak' : 'finetune',
    epoch: 1, iteration: 1, classes, model, hyperparameters: resolveHyperparameters('weak', {}), hasTeacher: withTeacher, final: true,
  };
  const path = await saveStepCheckpoint(dir, weights, undefined, metadata);
  student.dispose();
  teacher.dispose();
  return path;
}

beforeAll(async () => {
  await initTensorRuntime({ backend: 'wasm' });
  voc = await writeTinyVoc([[2], [1, 2], [3], [2, 3], [4]]);
  voc.list('val', [...voc.images.keys()]);
});

afterAll(() => voc?.cleanup());

describe('evaluateCheckpoint', () => {
  it('equals the confusion matrix counted by hand for a known prediction', async () => {
    const checkpoint = await constantCheckpoint(join(voc.root, '..', 'constant'), false);
    // By hand: every pixel is predicted class 2; ground truth of classes the checkpoint lacks (1, 3) and 255 is ignored.
    const gt = { 0: 0, 2: 0, 4: 0 };
    for (const { labels } of voc.images.values()) for (const v of labels.data) if (v in gt) gt[v as 0 | 2 | 4]++;
    const progress: number[] = [];
    const before = tf.memory().numTensors;
    const summary = await evaluateCheckpoint({
      checkpoint,
      data: { format: 'voc', root: voc.root, split: 'val' },
      baseClassIds: [1, 2],
      newClassIds: [3, 4],
      batchSize: 2,
      includeConfusion: true,
      onProgress: (done) => progress.push(done),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(progress).toEqual([2, 4, 5]);
    expect(summary.confusion).toEqual({ classIds: [0, 2, 4], counts: [0, gt[0], 0, 0, gt[2], 0, 0, gt[4], 0] });
    const iou2 = gt[2] / (gt[0] + gt[2] + gt[4]);
    expect(summary.classes).toEqual([
      { classId: 0, name: 'background', iou: 0, present: true },
      { classId: 2, name: 'green', iou: iou2, present: true },
      { classId: 4, name: 'yellow', iou: 0, present: true },
    ]);
    expect(summary.miouOld).toBeCloseTo(iou2, 12); // class 1 is not in the checkpoint
    expect(summary.miouNew).toBe(0);
    expect(summary.miouAll).toBeCloseTo(iou2 / 3, 12);
    expect(summary.pixelAccuracy).toBeCloseTo(gt[2] / (gt[0] + gt[2] + gt[4]), 12);
    expect(summary.images).toBe(5);
  });
});

describe('predictImage', () => {
  it('labels the image at its own size with class ids, probabilities [C,H,W] background first', async () => {
    const loaded = await loadStepModel(await constantCheckpoint(join(voc.root, '..', 'teacher'), true));
    expect(loaded).toMatchObject({ classes, hasTeacher: true, step: 1, kind: 'weak', model: { imageSize: SIZE } });
    const image = { width: 40, height: 24, data: new Uint8Array(40 * 24 * 3).fill(128) };
    const before = tf.memory().numTensors;
    const student = predictImage(loaded, image, { head: 'student', includeProbabilities: true });
    expect(student.labels.width).toBe(40);
    expect(student.labels.height).toBe(24);
    expect(student.labels.data.every((v) => v === 2)).toBe(true);
    expect(student.probabilities).toHaveLength(3 * 24 * 40);
    expect(student.probabilities![0]).toBeCloseTo(0.5, 5); // background channel first
    expect(student.probabilities![24 * 40]).toBeCloseTo(1 / (1 + Math.exp(-5)), 5);
    const teacher = predictImage(loaded, image, { head: 'teacher' });
    expect(teacher.labels.data.every((v) => v === 4)).toBe(true);
    expect(teacher.probabilities).toBeUndefined();
    expect(tf.memory().numTensors).toBe(before);
    loaded.dispose();
  });

  it('refuses the teacher head of a checkpoint without one', async () => {
    const loaded = await loadStepModel(join(voc.root, '..', 'constant'));
    expect(() => predictImage(loaded, { width: 4, height: 4, data: new Uint8Array(48) }, { head: 'teacher' })).toThrow(StepPreconditionError);
    expect(() => predictImage(loaded, { width: 4, height: 4, data: new Uint8Array(48) }, { head: 'teacher' })).toThrow(/has no teacher .*ask for the student head/);
    loaded.dispose();
  });

  it('refuses a folder that is no step checkpoint', async () => {
    await expect(loadStepModel(join(voc.root, 'nowhere'))).rejects.toThrow(/checkpoint .*nowhere not found/);
  });
});
