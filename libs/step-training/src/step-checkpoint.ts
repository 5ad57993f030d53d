import { readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { resolveModelConfig, type ModelConfig, type ResolvedModelConfig } from '@fmwiss/segmentation-models';
import { CheckpointError, loadCheckpoint, saveCheckpoint, verifyCheckpoint, type LoadedCheckpoint } from '@fmwiss/training';
import { StepPreconditionError } from './errors';
import { STEP_KINDS, type ClassRef, type StepHyperparameters, type StepKind } from './types';

export const STEP_CHECKPOINT_FORMAT = 'fmwiss-step';
export const STEP_CHECKPOINT_VERSION = 1;
export const FINAL_CHECKPOINT = 'final';

/** What every checkpoint of a step says about itself (its manifest's `metadata`). */
export interface StepCheckpointMetadata {
  format: typeof STEP_CHECKPOINT_FORMAT;
  version: typeof STEP_CHECKPOINT_VERSION;
  /** sha256 of the step's spec (outputDir excluded): a resume continues only checkpoints of the same spec. */
  specHash: string;
  runId: string;
  step: number;
  kind: StepKind;
  /** Epochs completed (1-based): epoch-003 holds 3. */
  epoch: number;
  /** Iterations completed. */
  iteration: number;
  /** Channel order after background: old classes by ascending id, then new ones. */
  classes: ClassRef[];
  model: ResolvedModelConfig;
  hyperparameters: StepHyperparameters;
  hasTeacher: boolean;
  final: boolean;
}

/** "epoch-001" for epoch 1. */
export function epochCheckpointName(epoch: number): string {
  return `epoch-${String(epoch).padStart(3, '0')}`;
}

const EPOCH_NAME = /^epoch-(\d{3,})$/;

/** Checks the metadata of a step checkpoint; throws StepPreconditionError naming the folder. */
export function parseStepMetadata(metadata: Record<string, unknown>, dir: string): StepCheckpointMetadata {
  const m = metadata as Partial<StepCheckpointMetadata>;
  if (m.format !== STEP_CHECKPOINT_FORMAT) {
    throw new StepPreconditionError(`${dir} is not a training-step checkpoint (metadata.format ${JSON.stringify(m.format)}, expected "${STEP_CHECKPOINT_FORMAT}")`);
  }
  if (m.version !== STEP_CHECKPOINT_VERSION) {
    throw new StepPreconditionError(`${dir}: unsupported step checkpoint version ${String(m.version)} (this trainer reads ${STEP_CHECKPOINT_VERSION})`);
  }
  const classesOk =
    Array.isArray(m.classes) && m.classes.every((c) => c && Number.isInteger(c.id) && c.id > 0 && c.id < 255 && typeof c.name === 'string');
  if (!classesOk || !m.kind || !STEP_KINDS.includes(m.kind) || typeof m.specHash !== 'string' || !Number.isInteger(m.epoch) || !m.model) {
    throw new StepPreconditionError(`${dir}: step checkpoint metadata is incomplete (classes, kind, specHash, epoch, model)`);
  }
  let model: ResolvedModelConfig;
  try {
    model = resolveModelConfig(m.model as ModelConfig);
  } catch (error) {
    throw new StepPreconditionError(`${dir}: metadata.model is not a valid model: ${(error as Error).message}`);
  }
  return { ...(m as StepCheckpointMetadata), model };
}

function describeCheckpointError(error: unknown, dir: string): StepPreconditionError {
  if (error instanceof StepPreconditionError) return error;
  if (error instanceof CheckpointError) {
    return new StepPreconditionError(
      error.code === 'not-found' ? `checkpoint ${dir} not found` : `checkpoint ${dir} is unusable: ${error.message}`,
    );
  }
  return new StepPreconditionError(`checkpoint ${dir} cannot be read: ${(error as Error).message}`);
}

/** Verifies a step checkpoint (checksums included) and returns its metadata; StepPreconditionError otherwise. */
export async function readStepCheckpointMetadata(dir: string): Promise<StepCheckpointMetadata> {
  try {
    const manifest = await verifyCheckpoint(dir);
    return parseStepMetadata(manifest.metadata, dir);
  } catch (error) {
    throw describeCheckpointError(error, dir);
  }
}

/** Loads a step checkpoint's tensors (owned by the caller) and metadata; StepPreconditionError otherwise. */
export async function loadStepCheckpoint(dir: string): Promise<LoadedCheckpoint & { step: StepCheckpointMetadata }> {
  let loaded: LoadedCheckpoint;
  try {
    loaded = await loadCheckpoint(dir);
  } catch (error) {
    throw describeCheckpointError(error, dir);
  }
  try {
    return { ...loaded, step: parseStepMetadata(loaded.metadata, dir) };
  } catch (error) {
    disposeLoaded(loaded);
    throw error;
  }
}

export function disposeLoaded(loaded: LoadedCheckpoint): void {
  for (const t of loaded.weights.values()) t.dispose();
  for (const t of loaded.optimizerState?.values() ?? []) t.dispose();
}

/** The weights whose names start with `<prefix>/` (e.g. "student"). */
export function weightsWithPrefix(weights: ReadonlyMap<string, tf.Tensor>, prefix: string): Map<string, tf.Tensor> {
  return new Map([...weights].filter(([name]) => name.startsWith(`${prefix}/`)));
}

export async function saveStepCheckpoint(
  dir: string,
  weights: Map<string, tf.Tensor>,
  optimizerState: Map<string, tf.Tensor> | undefined,
  metadata: StepCheckpointMetadata,
): Promise<string> {
  const { path } = await saveCheckpoint(dir, {
    weights,
    ...(optimizerState ? { optimizerState } : {}),
    metadata: metadata as unknown as Record<string, unknown>,
  });
  return path;
}

/** The epoch checkpoint folders of outputDir, by epoch (names only, nothing verified). */
export async function epochFolders(outputDir: string): Promise<{ epoch: number; path: string }[]> {
  let names: string[];
  try {
    names = await readdir(outputDir);
  } catch {
    return [];
  }
  return names
    .map((name) => ({ name, match: EPOCH_NAME.exec(name) }))
    .filter((e) => e.match !== null)
    .map((e) => ({ epoch: Number(e.match![1]), path: join(resolve(outputDir), e.name) }))
    .sort((a, b) => a.epoch - b.epoch);
}

/** Checkpoints in outputDir that a different spec wrote (they block the folder). */
export async function foreignCheckpoints(outputDir: string, specHash: string): Promise<string[]> {
  const folders = [...(await epochFolders(outputDir)).map((e) => e.path), join(resolve(outputDir), FINAL_CHECKPOINT)];
  const foreign: string[] = [];
  for (const path of folders) {
    try {
      const manifest = await verifyCheckpoint(path);
      if ((manifest.metadata as { specHash?: unknown }).specHash !== specHash) foreign.push(path);
    } catch {
      // missing or incomplete: not a checkpoint of anybody
    }
  }
  return foreign;
}

/** Removes epoch checkpoints older than the newest `keep`. */
export async function pruneEpochCheckpoints(outputDir: string, keep: number): Promise<void> {
  const folders = await epochFolders(outputDir);
  for (const { path } of folders.slice(0, Math.max(0, folders.length - keep))) await rm(path, { recursive: true, force: true });
}
