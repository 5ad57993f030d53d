import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { SegmentationDataset } from '@fmwiss/datasets';
import { SeededRandom } from '@fmwiss/random';
import { registerGradientFixes } from '@fmwiss/tensor-runtime';
import { batches, cleanStaleTemporaries, makeBatch, seededShuffle, SgdMomentum, type LabelledSample } from '@fmwiss/training';
import { makeWeakBatch, type WeakSample } from './batch-data';
import { channelClasses, channelLabelValues } from './channels';
import type { PasteSource } from './copy-paste';
import { StepPreconditionError, throwIfCancelled } from './errors';
import { offerInstancesToMemoryBank } from './memory-offers';
import { setUpModels, type StepModels } from './models-setup';
import { ProgressReporter } from './progress';
import { inspectStepSpec, throwIfProblems } from './step-spec';
import {
  disposeLoaded,
  epochCheckpointName,
  epochFolders,
  FINAL_CHECKPOINT,
  loadStepCheckpoint,
  pruneEpochCheckpoints,
  readStepCheckpointMetadata,
  saveStepCheckpoint,
  weightsWithPrefix,
  STEP_CHECKPOINT_FORMAT,
  STEP_CHECKPOINT_VERSION,
  type StepCheckpointMetadata,
} from './step-checkpoint';
import { countChannelPixels, datasetImageLabels, readPixelSample, readWeakSample } from './step-data';
import type { ClassRef, SampledInstance, StepHooks, StepPhase, StepResult, StepSpec } from './types';
import { CLASS_BALANCE_POWER, CLASS_WEIGHT_CAP, type StepUpdate } from './constants';
import { classBalanceWeights } from './class-balance';
import { createPixelStepTrainer, type PixelStepTrainer } from './pixel-step';
import { createWeakStepTrainer } from './weak-step';

/** Epoch checkpoints kept besides "final": the newest and one before it, in case the newest is damaged. */
const EPOCH_CHECKPOINTS_KEPT = 2;
/** Most instances one memory-bank sample call asks for (the service's limit is 10000). */
const SAMPLE_CHUNK = 5000;

/** Everything a running step needs, resolved once. */
interface StepRun {
  spec: StepSpec;
  hooks: StepHooks;
  dataset: SegmentationDataset;
  ids: readonly string[];
  classes: ClassRef[];
  oldIds: number[];
  newIds: number[];
  hash: string;
  outputDir: string;
  batchSize: number;
  iterationsPerEpoch: number;
  maxIterations: number;
  models: StepModels;
  optimizer: SgdMomentum;
}

function metadataOf(run: StepRun, epoch: number, final: boolean, model: StepCheckpointMetadata['model']): StepCheckpointMetadata {
  const { spec } = run;
  return {
    format: STEP_CHECKPOINT_FORMAT,
    version: STEP_CHECKPOINT_VERSION,
    specHash: run.hash,
    runId: spec.runId,
    step: spec.step,
    kind: spec.kind,
    epoch,
    iteration: epoch * run.iterationsPerEpoch,
    classes: run.classes,
    model,
    hyperparameters: spec.hyperparameters,
    hasTeacher: run.models.teacher !== null,
    final,
  };
}

async function saveEpoch(run: StepRun, epoch: number, final: boolean): Promise<string> {
  const { student, teacher } = run.models;
  const weights = new Map<string, tf.Tensor>([...student.namedWeights(), ...(teacher?.namedWeights() ?? [])]);
  const state = final ? undefined : run.optimizer.getState();
  try {
    const dir = join(run.outputDir, final ? FINAL_CHECKPOINT : epochCheckpointName(epoch));
    return await saveStepCheckpoint(dir, weights, state, metadataOf(run, epoch, final, student.config));
  } finally {
    if (state) tf.dispose([...state.values()]);
  }
}

/** The newest epoch checkpoint of this spec that verifies, or null. */
async function findResumePoint(outputDir: string, hash: string, warn: (message: string) => void): Promise<{ epoch: number; path: string } | null> {
  const folders = (await epochFolders(outputDir)).reverse();
  for (const { path } of folders) {
    try {
      const metadata = await readStepCheckpointMetadata(path);
      if (metadata.specHash === hash && !metadata.final) return { epoch: metadata.epoch, path };
    } catch (error) {
      warn(`skipping checkpoint ${path}: ${(error as Error).message}`);
    }
  }
  return null;
}

async function restore(run: StepRun, path: string): Promise<void> {
  const loaded = await loadStepCheckpoint(path);
  try {
    run.models.student.setWeights(weightsWithPrefix(loaded.weights, 'student'));
    run.models.teacher?.setWeights(weightsWithPrefix(loaded.weights, 'teacher'));
    if (loaded.optimizerState) run.optimizer.setState(loaded.optimizerState);
  } catch (error) {
    throw new StepPreconditionError(`checkpoint ${path} does not fit this step's models: ${(error as Error).message}`);
  } finally {
    disposeLoaded(loaded);
  }
}

/** Instances to paste this epoch: instancesPerImage per image, sampled once per epoch with a seed of (seed, epoch). */
async function epochPastePool(run: StepRun, epoch: number): Promise<SampledInstance[]> {
  const h = run.spec.hyperparameters;
  const port = run.hooks.memoryBank!;
  const count = h.copyPaste.instancesPerImage * run.iterationsPerEpoch * run.batchSize;
  const pool: SampledInstance[] = [];
  for (let chunk = 0; pool.length < count; chunk++) {
    const seed = new SeededRandom(h.seed, 'copy-paste/sample', epoch, chunk).nextUint32();
    const drawn = await port.sample(run.oldIds, Math.min(SAMPLE_CHUNK, count - pool.length), seed);
    if (drawn.length === 0) break;
    pool.push(...drawn);
  }
  const usable = pool.filter((s) => s.mask.length === s.image.width * s.image.height && run.oldIds.includes(s.classId));
  if (usable.length < pool.length) run.hooks.onWarning?.(`${pool.length - usable.length} sampled memory-bank instance(s) had a mask of the wrong size or a class that is not old; skipped`);
  if (usable.length === 0) run.hooks.onWarning?.(`the memory bank returned no instance of the old classes ${run.oldIds.join(', ')}: epoch ${epoch + 1} trains without copy-paste`);
  return usable;
}

/** Loads the samples of the next batch while the current one trains (sharp decodes on its own threads). */
function prefetcher<T>(batchIds: readonly string[][], load: (ids: string[]) => Promise<T>): (i: number) => Promise<T> {
  const pending = new Map<number, Promise<T>>();
  const start = (i: number) => {
    if (i < batchIds.length && !pending.has(i)) {
      const promise = load(batchIds[i]!);
      promise.catch(() => undefined); // observed when awaited
      pending.set(i, promise);
    }
  };
  return (i) => {
    start(i);
    const current = pending.get(i)!;
    pending.delete(i);
    start(i + 1);
    return current;
  };
}

async function trainEpochs(run: StepRun, startEpoch: number): Promise<number> {
  const { spec, hooks } = run;
  const h = spec.hyperparameters;
  const weak = spec.kind === 'weak';
  const warmupEpochs = weak && run.models.teacher ? h.teacherWarmupEpochs : 0;
  const phaseOf = (epoch: number): StepPhase => (!weak ? 'base' : epoch < warmupEpochs ? 'teacher-warmup' : 'teacher-and-student');
  const remaining = new Map<StepPhase, number>();
  for (let e = startEpoch; e < h.epochs; e++) remaining.set(phaseOf(e), (remaining.get(phaseOf(e)) ?? 0) + run.iterationsPerEpoch);
  const progress = new ProgressReporter(hooks.onProgress, h.epochs, run.iterationsPerEpoch, remaining);

  const channelValues = channelLabelValues(run.classes);
  const channelOf = new Map(run.classes.map((c, k) => [c.id, k + 1]));
  let pixel: PixelStepTrainer | null = null;
  if (!weak) {
    progress.phase('loading', startEpoch + 1, 0);
    const counts = await countChannelPixels(run.dataset, run.ids, run.newIds, channelValues, hooks.signal);
    const classWeights = classBalanceWeights(counts, CLASS_BALANCE_POWER, CLASS_WEIGHT_CAP);
    pixel = createPixelStepTrainer({ student: run.models.student, optimizer: run.optimizer, hyperparameters: h, maxIterations: run.maxIterations, classWeights });
  }
  const weakTrainer = weak
    ? createWeakStepTrainer({
        student: run.models.student,
        teacher: run.models.teacher,
        previous: run.models.previous!,
        optimizer: run.optimizer,
        oldCount: run.oldIds.length,
        newCount: run.newIds.length,
        hyperparameters: h,
        maxIterations: run.maxIterations,
      })
    : null;
  let imageLabels: Record<string, number[]> = {};
  if (weak) {
    progress.phase('loading', startEpoch + 1, 0);
    imageLabels = spec.imageLabels && Object.keys(spec.imageLabels).length > 0 ? spec.imageLabels : await datasetImageLabels(run.dataset, run.ids, run.newIds, hooks.signal);
  }
  const copyPaste = weak && h.copyPaste.enabled && h.copyPaste.instancesPerImage > 0;
  const config = run.models.student.config;
  let epochsRun = 0;

  for (let epoch = startEpoch; epoch < h.epochs; epoch++) {
    const order = seededShuffle(run.ids, h.seed, epoch);
    const batchIds = batches(order, run.batchSize, { dropLast: run.ids.length >= run.batchSize });
    const augment = new SeededRandom(h.seed, 'augment', epoch);
    const pool = copyPaste ? await epochPastePool(run, epoch) : [];
    const phase = phaseOf(epoch);
    const next = weak
      ? prefetcher(batchIds, (ids) => Promise.all(ids.map((id) => readWeakSample(run.dataset, spec.pseudoLabelDir!, id, imageLabels[id] ?? [], run.newIds))))
      : prefetcher(batchIds, (ids) => Promise.all(ids.map((id) => readPixelSample(run.dataset, id, run.newIds))));
    for (let i = 0; i < batchIds.length; i++) {
      throwIfCancelled(hooks.signal, `at epoch ${epoch + 1}, iteration ${i + 1}`);
      const samples = await next(i);
      throwIfCancelled(hooks.signal, `at epoch ${epoch + 1}, iteration ${i + 1}`);
      const started = performance.now();
      const iteration = epoch * run.iterationsPerEpoch + i;
      let result: StepUpdate;
      if (pixel) {
        const { images, labels } = makeBatch(samples as LabelledSample[], {
          cropSize: config.imageSize,
          random: augment,
          scaleMin: h.scaleMin,
          scaleMax: h.scaleMax,
          labelStride: config.outputStride,
          classIds: channelValues,
        });
        try {
          result = pixel.step(images, labels, iteration);
        } finally {
          tf.dispose([images, labels]);
        }
      } else {
        const paste = copyPaste && pool.length > 0
          ? (samples as WeakSample[]).map((_, b) => {
              const k = i * run.batchSize + b;
              const n = h.copyPaste.instancesPerImage;
              const instances: PasteSource[] = Array.from({ length: n }, (_, j) => pool[(k * n + j) % pool.length]!);
              return { instances, random: new SeededRandom(h.seed, 'copy-paste', epoch, k) };
            })
          : undefined;
        const batch = makeWeakBatch(samples as WeakSample[], {
          cropSize: config.imageSize,
          labelStride: config.outputStride,
          scaleMin: h.scaleMin,
          scaleMax: h.scaleMax,
          augment,
          channelOf,
          newClassIds: run.newIds,
          ...(paste ? { paste } : {}),
          pasteScaleMin: h.copyPaste.scaleMin,
          pasteScaleMax: h.copyPaste.scaleMax,
        });
        const sampleSeed = `${h.seed}/dcl/${epoch}/${i}`;
        try {
          result = !run.models.teacher
            ? weakTrainer!.directStep(batch, iteration)
            : phase === 'teacher-warmup'
              ? weakTrainer!.warmupStep(batch, iteration, sampleSeed)
              : weakTrainer!.jointStep(batch, iteration, sampleSeed);
        } finally {
          tf.dispose([batch.images, batch.labels, batch.newClassMask]);
        }
      }
      if (!result.applied) hooks.onWarning?.(`epoch ${epoch + 1}, iteration ${i + 1}: a loss or the gradient norm was not finite; the update was skipped`);
      progress.iterationDone(
        {
          phase,
          epoch: epoch + 1,
          iteration: i + 1,
          losses: result.losses,
          learningRate: result.learningRate,
          batchSize: samples.length,
          seconds: (performance.now() - started) / 1000,
        },
        i === batchIds.length - 1,
      );
    }
    progress.phase('saving', epoch + 1, run.iterationsPerEpoch);
    const path = await saveEpoch(run, epoch + 1, false);
    hooks.onCheckpoint?.(epoch + 1, path);
    await pruneEpochCheckpoints(run.outputDir, EPOCH_CHECKPOINTS_KEPT);
    epochsRun++;
  }
  return epochsRun;
}

/**
 * Runs one step. Resumes by itself: when outputDir holds complete epoch checkpoints written for the
 * same spec (hash in their metadata), it continues after the latest one (at most one epoch lost);
 * with a complete "final" of the same spec it returns at once. The data order and augmentation of
 * epoch e derive from (seed, e) alone, so a resumed run equals an uninterrupted one.
 *
 * Needs @fmwiss/tensor-runtime initialised in this process or worker (initTensorRuntime).
 */
export async function runTrainingStep(spec: StepSpec, hooks: StepHooks = {}): Promise<StepResult> {
  registerGradientFixes(); // idempotent; native dilated convs need their gradient
  throwIfCancelled(hooks.signal, 'before the step started');
  const checked = await inspectStepSpec(spec);
  throwIfProblems(checked);
  const h = spec.hyperparameters;
  const model = checked.model!;
  const hash = checked.hash!;
  const outputDir = resolve(spec.outputDir);
  const result = (checkpoint: string, epochsRun: number, resumedFromEpoch: number | null): StepResult => ({
    checkpoint,
    epochsRun,
    resumedFromEpoch,
    model,
    hyperparameters: h,
  });
  await mkdir(outputDir, { recursive: true });
  await cleanStaleTemporaries(outputDir);
  const finalPath = join(outputDir, FINAL_CHECKPOINT);
  try {
    const final = await readStepCheckpointMetadata(finalPath);
    if (final.specHash === hash) return result(finalPath, 0, final.epoch);
  } catch {
    // no complete final yet
  }
  const copyPaste = spec.kind === 'weak' && h.copyPaste.enabled && h.copyPaste.instancesPerImage > 0;
  if (copyPaste && !hooks.memoryBank) {
    throw new StepPreconditionError('copy-paste is enabled but no memory bank was given: pass the memory bank of the run, or set hyperparameters.copyPaste.enabled to false');
  }
  const warn = (message: string) => hooks.onWarning?.(message);
  const resume = await findResumePoint(outputDir, hash, warn);

  const classes = channelClasses(spec.kind, spec.oldClasses, spec.newClasses);
  const dataset = checked.dataset!;
  const ids = dataset.ids;
  const batchSize = Math.min(h.batchSize, ids.length);
  const iterationsPerEpoch = Math.floor(ids.length / batchSize);
  const oldIds = spec.kind === 'weak' || spec.kind === 'finetune' ? spec.oldClasses.map((c) => c.id) : [];
  const models = await setUpModels({
    kind: spec.kind,
    model,
    oldClasses: spec.oldClasses,
    totalChannels: 1 + classes.length,
    seed: h.seed,
    useTeacher: h.useTeacher,
    ...(spec.previousCheckpoint ? { previousCheckpoint: resolve(spec.previousCheckpoint) } : {}),
  });
  const optimizer = new SgdMomentum({ momentum: h.momentum, weightDecay: h.weightDecay });
  const run: StepRun = {
    spec,
    hooks,
    dataset,
    ids,
    classes,
    oldIds,
    newIds: spec.newClasses.map((c) => c.id),
    hash,
    outputDir,
    batchSize,
    iterationsPerEpoch,
    maxIterations: h.epochs * iterationsPerEpoch,
    models,
    optimizer,
  };
  try {
    if (resume) await restore(run, resume.path);
    if (spec.kind === 'base' && hooks.memoryBank) {
      hooks.onProgress?.({
        phase: 'loading', epoch: 1, epochs: h.epochs, iteration: 0, iterationsPerEpoch,
        losses: {}, learningRate: 0, imagesPerSecond: 0, etaSeconds: 0,
      });
      await offerInstancesToMemoryBank({
        port: hooks.memoryBank,
        dataset,
        ids,
        classIds: run.newIds,
        seed: h.seed,
        outputDir,
        specHash: hash,
        ...(hooks.signal ? { signal: hooks.signal } : {}),
      });
    }
    const epochsRun = await trainEpochs(run, resume?.epoch ?? 0);
    throwIfCancelled(hooks.signal, 'before saving the final checkpoint');
    const path = await saveEpoch(run, h.epochs, true);
    hooks.onCheckpoint?.(h.epochs, path);
    return result(path, epochsRun, resume?.epoch ?? null);
  } finally {
    optimizer.dispose();
    models.dispose();
  }
}
