import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readImageFile } from '@fmwiss/imaging';
import { initTensorRuntime } from '@fmwiss/tensor-runtime';
import { CLASSES, InMemoryMemoryBank, SIZE, tinySpec, writeTinyVoc, type TinyVoc } from '../test/fixtures';
import { StepCancelledError, StepPreconditionError } from './errors';
import { loadStepModel } from './predict';
import { asStepModel, modelInput } from './predict';
import { runTrainingStep } from './run-step';
import { readStepCheckpointMetadata } from './step-checkpoint';
import type { StepProgress, StepSpec } from './types';

let voc: TinyVoc;
let step0: string;
let step1: string;
let pseudo: string;
let base: string; // final checkpoint of the base step
const bank = new InMemoryMemoryBank();
const out = (name: string) => join(voc.root, '..', 'out', name);

// 12 images of the old classes 1 and 2, 8 of the new class 3 (half with class 1 too), 2 of class 1 only.
const OLD_SETS = [[1], [2], [1, 2], [2, 1]].flatMap((s) => [s, s, s]);
const NEW_SETS = [[3], [3, 1], [3], [1, 3], [3], [3, 1], [3], [1, 3]];

beforeAll(async () => {
  await initTensorRuntime({ backend: 'wasm' });
  voc = await writeTinyVoc([...OLD_SETS, ...NEW_SETS, [1], [1]]);
  const ids = [...voc.images.keys()];
  step0 = voc.list('step0', ids.slice(0, 12));
  step1 = voc.list('step1', ids.slice(12, 20));
  pseudo = voc.pseudoLabels('pseudo', ids.slice(12, 20), [3]);
});

afterAll(() => voc?.cleanup());

/** The loss reported at each epoch end. */
function epochEndLosses(progress: StepProgress[], name: string): number[] {
  return progress.filter((p) => p.iteration === p.iterationsPerEpoch && p.losses[name] !== undefined).map((p) => p.losses[name]!);
}

const weightsSha = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).files['weights.bin'].sha256 as string;

describe('base step', () => {
  const progress: StepProgress[] = [];
  const checkpoints: number[] = [];
  const tensorsAtEpochEnd: number[] = [];
  let spec: StepSpec;

  beforeAll(async () => {
    spec = tinySpec('base', { trainData: { format: 'voc', root: voc.root, listPath: step0 }, newClasses: [CLASSES[1]!, CLASSES[2]!], outputDir: out('base') }, { epochs: 8 });
    const before = tf.memory().numTensors;
    const result = await runTrainingStep(spec, {
      memoryBank: bank,
      onProgress: (p) => progress.push(p),
      onCheckpoint: (epoch) => {
        checkpoints.push(epoch);
        tensorsAtEpochEnd.push(tf.memory().numTensors);
      },
    });
    expect(tf.memory().numTensors).toBe(before);
    base = result.checkpoint;
    expect(result).toMatchObject({ epochsRun: 8, resumedFromEpoch: null, checkpoint: join(out('base'), 'final') });
  });

  it('trains: the loss falls, progress and checkpoints every epoch, no tensor leaks', () => {
    // the BCE ('seg'): the class-balanced cross-entropy weighs the tiny world's rare class up and falls more slowly
    const losses = epochEndLosses(progress, 'seg');
    expect(losses).toHaveLength(8);
    expect(losses[7]!).toBeLessThan(0.7 * losses[0]!); // 0.61 measured (a model that does not learn: about 1)
    expect(epochEndLosses(progress, 'ce')[7]!).toBeLessThan(epochEndLosses(progress, 'ce')[0]!);
    expect(progress.filter((p) => p.phase === 'base').every((p) => p.epochs === 8 && p.iterationsPerEpoch === 3 && p.learningRate > 0)).toBe(true);
    expect(checkpoints).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 8]);
    expect(new Set(tensorsAtEpochEnd.slice(0, 8)).size).toBe(1);
    expect(readdirSync(out('base')).filter((n) => !n.endsWith('.json')).sort()).toEqual(['epoch-007', 'epoch-008', 'final']);
  });

  it('writes the channel order and the spec in the checkpoint metadata', async () => {
    const metadata = await readStepCheckpointMetadata(base);
    expect(metadata).toMatchObject({ format: 'fmwiss-step', kind: 'base', step: 0, epoch: 8, final: true, hasTeacher: false, runId: 'test-run' });
    expect(metadata.classes).toEqual([CLASSES[1], CLASSES[2]]);
    expect(metadata.model).toMatchObject({ imageSize: SIZE, encoderWidth: 8, atrous: 'native' });
    expect(metadata.hyperparameters).toEqual(spec.hyperparameters);
  });

  it('offered every object once, unaugmented, with its mask, to an archive of the step classes', async () => {
    expect(bank.created).toEqual({ capacityPerClass: 64, classIds: [1, 2], seed: 1 });
    const squares = OLD_SETS.reduce((n, s) => n + s.length, 0);
    expect(bank.offers).toHaveLength(squares);
    const offer = bank.offers.find((o) => o.sourceImageId === 'img-002')!; // classes [1]
    const truth = voc.images.get('img-002')!;
    const { x, y, width, height } = offer.box!;
    for (let py = 0; py < height; py++) for (let px = 0; px < width; px++) expect(truth.labels.data[(y + py) * SIZE + x + px]).toBe(1);
    expect(offer.mask.every((v) => v === 1)).toBe(true);
    const decoded = await readImageFile(join(voc.root, 'JPEGImages', 'img-002.jpg'));
    expect(offer.image.data.subarray(0, 3)).toEqual(decoded.data.subarray((y * SIZE + x) * 3, (y * SIZE + x) * 3 + 3));
  });

  it('returns at once for a finished step, offering nothing again', async () => {
    const offers = bank.offers.length;
    const again = await runTrainingStep(spec, { memoryBank: bank });
    expect(again).toMatchObject({ epochsRun: 0, resumedFromEpoch: 8, checkpoint: base });
    expect(bank.offers).toHaveLength(offers);
  });

  it('refuses an output folder holding another spec', async () => {
    const other = { ...spec, hyperparameters: { ...spec.hyperparameters, seed: 2 } };
    await expect(runTrainingStep(other)).rejects.toThrow(StepPreconditionError);
    await expect(runTrainingStep(other)).rejects.toThrow(/holds checkpoints of a different step spec .*use an empty folder/);
  });
});

describe('steps after the base step', () => {
  const weakSpec = (name: string, hyperparameters = {}, fields: Partial<StepSpec> = {}) =>
    tinySpec(
      'weak',
      {
        trainData: { format: 'voc', root: voc.root, listPath: step1 },
        newClasses: [CLASSES[3]!],
        oldClasses: [CLASSES[1]!, CLASSES[2]!],
        previousCheckpoint: base,
        pseudoLabelDir: pseudo,
        outputDir: out(name),
        ...fields,
      },
      { epochs: 4, teacherWarmupEpochs: 1, learningRate: 0.02, ...hyperparameters },
    );

  it('weak: teacher warm-up, then teacher and student; pseudo labels, copy-paste and the frozen previous model', async () => {
    const progress: StepProgress[] = [];
    const samplesBefore = bank.sampleCalls.length;
    const before = tf.memory().numTensors;
    const result = await runTrainingStep(weakSpec('weak'), { memoryBank: bank, onProgress: (p) => progress.push(p) });
    expect(tf.memory().numTensors).toBe(before);
    expect(progress.filter((p) => p.phase === 'teacher-warmup').every((p) => p.epoch === 1)).toBe(true);
    expect(progress.some((p) => p.phase === 'teacher-and-student' && p.epoch === 4)).toBe(true);
    const ends = progress.filter((p) => p.iteration === p.iterationsPerEpoch && p.phase !== 'saving');
    expect(Object.keys(ends[0]!.losses).sort()).toEqual(['dcl', 'old_bce', 'teacher_bce', 'teacher_ce', 'total']);
    expect(Object.keys(ends[3]!.losses).sort()).toEqual(['ce', 'dcl', 'old_bce', 'seg', 'teacher_bce', 'teacher_ce', 'total']);
    expect(ends[3]!.losses['teacher_bce']!).toBeLessThan(ends[0]!.losses['teacher_bce']!);
    expect(ends.every((p) => p.losses['old_bce']! > 0)).toBe(true); // instances were pasted
    expect(bank.sampleCalls.slice(samplesBefore).map((c) => [c.classIds, c.count])).toEqual([[[1, 2], 16], [[1, 2], 16], [[1, 2], 16], [[1, 2], 16]]);

    const metadata = await readStepCheckpointMetadata(result.checkpoint);
    expect(metadata).toMatchObject({ kind: 'weak', hasTeacher: true, classes: [CLASSES[1], CLASSES[2], CLASSES[3]] });

    // On an image without new classes, the student's old-class outputs stay close to the previous model's.
    const [previous, student] = await Promise.all([loadStepModel(base), loadStepModel(result.checkpoint)]);
    const image = await readImageFile(join(voc.root, 'JPEGImages', 'img-020.jpg')); // class 1 only
    const probs = (m: typeof previous) =>
      tf.tidy(() => tf.sigmoid(asStepModel(m).student.forward(tf.tensor4d(modelInput(image, SIZE), [1, SIZE, SIZE, 3])).logits).dataSync());
    const p = probs(previous);
    const s = probs(student);
    let difference = 0;
    for (let i = 0; i < p.length / 3; i++) for (let c = 0; c < 3; c++) difference += Math.abs(p[i * 3 + c]! - s[i * 4 + c]!);
    expect(difference / p.length).toBeLessThan(0.1);
    previous.dispose();
    student.dispose();
  });

  it('weak without the teacher: the student learns from the pseudo labels and the previous model directly', async () => {
    const progress: StepProgress[] = [];
    const result = await runTrainingStep(weakSpec('weak-no-teacher', { useTeacher: false, teacherWarmupEpochs: 0, epochs: 3, copyPaste: { enabled: false } }), {
      onProgress: (p) => progress.push(p),
    });
    const losses = epochEndLosses(progress, 'seg');
    expect(losses[2]!).toBeLessThan(losses[0]!);
    expect(Object.keys(progress.at(-2)!.losses).sort()).toEqual(['ce', 'seg', 'total']);
    expect((await readStepCheckpointMetadata(result.checkpoint)).hasTeacher).toBe(false);
  });

  it('weak with copy-paste needs the memory bank', async () => {
    await expect(runTrainingStep(weakSpec('weak-no-bank'))).rejects.toThrow(/copy-paste is enabled but no memory bank was given/);
  });

  it('finetune: grows the base model and learns the new class from pixel labels', async () => {
    const progress: StepProgress[] = [];
    const spec = tinySpec(
      'finetune',
      { trainData: { format: 'voc', root: voc.root, listPath: step1 }, newClasses: [CLASSES[3]!], oldClasses: [CLASSES[1]!, CLASSES[2]!], previousCheckpoint: base, outputDir: out('finetune') },
      { epochs: 4 },
    );
    const result = await runTrainingStep(spec, { onProgress: (p) => progress.push(p) });
    const losses = epochEndLosses(progress, 'total');
    expect(losses[3]!).toBeLessThan(losses[0]!);
    expect((await readStepCheckpointMetadata(result.checkpoint)).classes.map((c) => c.id)).toEqual([1, 2, 3]);
  });

  it('joint: every class from scratch with pixel labels', async () => {
    const progress: StepProgress[] = [];
    const all = voc.list('all', [...voc.images.keys()].slice(0, 20));
    const spec = tinySpec('joint', { step: 1, trainData: { format: 'voc', root: voc.root, listPath: all }, newClasses: [CLASSES[1]!, CLASSES[2]!, CLASSES[3]!], outputDir: out('joint') }, { epochs: 8, learningRate: 0.1 });
    await runTrainingStep(spec, { onProgress: (p) => progress.push(p) });
    const losses = epochEndLosses(progress, 'seg');
    expect(losses[7]!).toBeLessThan(0.8 * losses[0]!); // 0.75 measured
  });

  it('a resumed weak step equals an uninterrupted one bit for bit', async () => {
    const whole = await runTrainingStep(weakSpec('resume-whole', { epochs: 3 }), { memoryBank: bank });
    const controller = new AbortController();
    const spec = weakSpec('resume-parts', { epochs: 3 });
    await expect(
      runTrainingStep(spec, { memoryBank: bank, signal: controller.signal, onCheckpoint: (epoch) => epoch === 2 && controller.abort() }),
    ).rejects.toThrow(StepCancelledError);
    expect(readdirSync(out('resume-parts'))).not.toContain('final');
    const resumed = await runTrainingStep(spec, { memoryBank: bank });
    expect(resumed).toMatchObject({ resumedFromEpoch: 2, epochsRun: 1 });
    expect(weightsSha(resumed.checkpoint)).toBe(weightsSha(whole.checkpoint));
    expect(weightsSha(join(out('resume-parts'), 'epoch-003'))).toBe(weightsSha(join(out('resume-whole'), 'epoch-003')));
  });

  it('cancelling stops at the next iteration', async () => {
    const controller = new AbortController();
    let iterations = 0;
    const spec = weakSpec('cancel', { epochs: 3 });
    const run = runTrainingStep(spec, {
      memoryBank: bank,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.iteration > 0 && p.phase !== 'saving') {
          iterations++;
          controller.abort();
        }
      },
    });
    await expect(run).rejects.toThrow(/cancelled at epoch 1, iteration 2/);
    expect(iterations).toBe(1);
    expect(readdirSync(out('cancel')).filter((n) => n.startsWith('epoch-') || n === 'final')).toEqual([]);
  });
});
