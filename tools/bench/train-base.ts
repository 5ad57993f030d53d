/**
 * Step-0 training run on the embedded benchmark: the DEFAULT student (atrous 'native') trained with
 * the base-step trainer of @fmwiss/training on the 15-5 overlap step-0 images of VOC2012 train,
 * labels remapped with remapForStep to classes 0..15 (other classes -> background, 255 ignored).
 * SGD lr 0.01 (poly 0.9 over --steps), momentum 0.9, weight decay 1e-4 on every weight; augmentation
 * randomScaleCropFlip (scale 0.75..1.5, crop 128, flips); labels downsampled to the logits' size on
 * the CPU. Prints every 20 steps the mean loss of the last 20 steps, ms/step and numTensors, then the
 * first-20 vs last-20 mean loss.
 *
 *   npx tsx tools/bench/train-base.ts [--steps 200] [--batch 8] [--root data/fmwiss-world/VOCdevkit/VOC2012]
 *                                     [--backend wasm] [--seed 1]
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { labelIndexFor, openVocDataset, remapForStep, seenClasses, stepImageIds, taskByName } from '@fmwiss/datasets';
import { SeededRandom } from '@fmwiss/random';
import { createStudent, DEFAULT_MODEL_CONFIG } from '@fmwiss/segmentation-models';
import { initTensorRuntime, type BackendChoice } from '@fmwiss/tensor-runtime';
import { batches, createBaseStepTrainer, makeBatch, SgdMomentum, seededShuffle } from '@fmwiss/training';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}

function positiveInt(name: string, fallback: number): number {
  const value = Number(flag(name, String(fallback)));
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const STEPS = positiveInt('steps', 200);
const BATCH = positiveInt('batch', 8);
const SEED = positiveInt('seed', 1);
const ROOT = resolve(flag('root', 'data/fmwiss-world/VOCdevkit/VOC2012'));
const CACHE = resolve(flag('cache', 'tmp/bench/label-index-train.json'));
const WINDOW = 20;

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main(): Promise<void> {
  const info = await initTensorRuntime({ backend: flag('backend', 'wasm') as BackendChoice });
  const dataset = await openVocDataset({ root: ROOT, split: 'train' });
  mkdirSync(dirname(CACHE), { recursive: true });
  const { index } = await labelIndexFor(dataset, CACHE);
  const task = taskByName('15-5');
  const seen = seenClasses(task, 0); // [0, 1, ..., 15]
  const ids = stepImageIds(index, task, 0, 'overlap');
  const numClasses = seen.length;

  const config = { ...DEFAULT_MODEL_CONFIG, atrous: 'native' as const };
  const student = createStudent(config, numClasses, SEED);
  const optimizer = new SgdMomentum({ momentum: 0.9, weightDecay: 1e-4 });
  const trainer = createBaseStepTrainer({ student, optimizer, numClasses, baseLearningRate: 0.01, maxIterations: STEPS });
  const augment = new SeededRandom(SEED, 'train-base/augment');
  console.log(
    `backend ${info.backend}; ${dataset.name}: ${ids.length} images in 15-5 overlap step 0, ${numClasses} classes; ` +
      `batch ${BATCH}, ${STEPS} steps, lr 0.01 poly 0.9, momentum 0.9, wd 1e-4, ${config.imageSize}px, stride ${config.outputStride}`,
  );

  const losses: number[] = [];
  let windowStart = performance.now();
  let iteration = 0;
  for (let epoch = 0; iteration < STEPS; epoch++) {
    for (const batchIds of batches(seededShuffle(ids, SEED, epoch), BATCH, { dropLast: true })) {
      if (iteration >= STEPS) break;
      const samples = await Promise.all(
        batchIds.map(async (id) => {
          const sample = await dataset.read(id);
          return { image: sample.image, labels: remapForStep(sample.labels, seen) };
        }),
      );
      const { images, labels } = makeBatch(samples, {
        cropSize: config.imageSize,
        random: augment,
        scaleMin: 0.75,
        scaleMax: 1.5,
        labelStride: config.outputStride,
        classIds: seen,
      });
      const { loss } = trainer.step(images, labels, iteration);
      tf.dispose([images, labels]);
      losses.push(loss);
      iteration++;
      if (iteration % WINDOW === 0 || iteration === STEPS) {
        const now = performance.now();
        const count = iteration % WINDOW === 0 ? WINDOW : iteration % WINDOW;
        console.log(
          `step ${String(iteration).padStart(4)}  loss(last ${count}) ${mean(losses.slice(-count)).toFixed(4)}  ` +
            `${((now - windowStart) / count).toFixed(0)} ms/step  numTensors ${tf.memory().numTensors}`,
        );
        windowStart = now;
      }
    }
  }
  const first = mean(losses.slice(0, WINDOW));
  const last = mean(losses.slice(-WINDOW));
  console.log(`first-${WINDOW} mean loss ${first.toFixed(4)}, last-${WINDOW} mean loss ${last.toFixed(4)}: ${last < first ? 'dropped' : 'did NOT drop'} (${((100 * (first - last)) / first).toFixed(1)}%)`);
  optimizer.dispose();
  student.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
