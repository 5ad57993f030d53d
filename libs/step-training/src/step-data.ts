import { join, resolve } from 'node:path';
import { remapForStep, type SegmentationDataset } from '@fmwiss/datasets';
import { readImageFile, readLabelFile, type LabelImage } from '@fmwiss/imaging';
import type { LabelledSample } from '@fmwiss/training';
import type { WeakSample } from './batch-data';
import { StepPreconditionError, throwIfCancelled } from './errors';
import { IGNORE } from './constants';

/** Wraps a read failure into a StepPreconditionError naming the file (unless it already is one). */
function readFailure(error: unknown, what: string): Error {
  if (error instanceof StepPreconditionError) return error;
  return new StepPreconditionError(`cannot read ${what}: ${(error as Error).message}`);
}

/** An image with its pixel labels, every class outside `stepClassIds` relabelled background (255 stays). */
export async function readPixelSample(dataset: SegmentationDataset, id: string, stepClassIds: readonly number[]): Promise<LabelledSample> {
  try {
    const sample = await dataset.read(id);
    return { image: sample.image, labels: remapForStep(sample.labels, stepClassIds) };
  } catch (error) {
    throw readFailure(error, `training image "${id}"`);
  }
}

/** Checks a pseudo label map: same size as its image, values 0, new class ids or 255 only. */
export function checkPseudoLabels(pseudo: LabelImage, image: { width: number; height: number }, newClassIds: readonly number[], file: string): void {
  if (pseudo.width !== image.width || pseudo.height !== image.height) {
    throw new StepPreconditionError(`pseudo label ${file} is ${pseudo.width}x${pseudo.height} but its image is ${image.width}x${image.height}`);
  }
  const allowed = new Uint8Array(256);
  allowed[0] = 1;
  allowed[IGNORE] = 1;
  for (const id of newClassIds) allowed[id] = 1;
  for (let i = 0; i < pseudo.data.length; i++) {
    const v = pseudo.data[i]!;
    if (allowed[v]) continue;
    const x = i % pseudo.width;
    const y = (i - x) / pseudo.width;
    throw new StepPreconditionError(
      `pseudo label ${file} has value ${v} at (${x},${y}), which is neither background 0, a new class of this step (${newClassIds.join(', ')}) nor 255`,
    );
  }
}

/** A weak step's sample: the image, its pseudo label map from pseudoLabelDir, its image-level labels. */
export async function readWeakSample(
  dataset: SegmentationDataset,
  pseudoLabelDir: string,
  id: string,
  classes: readonly number[],
  newClassIds: readonly number[],
): Promise<WeakSample> {
  const file = join(resolve(pseudoLabelDir), `${id}.png`);
  try {
    const [image, pseudo] = await Promise.all([readImageFile(dataset.imagePath(id)), readLabelFile(file)]);
    checkPseudoLabels(pseudo, image, newClassIds, file);
    return { id, image, pseudo, classes };
  } catch (error) {
    throw readFailure(error, `training image "${id}" or its pseudo label ${file}`);
  }
}

/**
 * Reads the label map of every id, 16 at a time (cancellable between chunks), and hands each to
 * `visit` in order. `purpose` names the reading in errors ("the labels of "x" (purpose): ...").
 */
async function forEachLabelMap(
  dataset: SegmentationDataset,
  ids: readonly string[],
  purpose: string,
  signal: AbortSignal | undefined,
  visit: (id: string, labels: LabelImage) => void,
): Promise<void> {
  for (let i = 0; i < ids.length; i += 16) {
    throwIfCancelled(signal, `while reading the labels (${purpose})`);
    const chunk = ids.slice(i, i + 16);
    const maps = await Promise.all(
      chunk.map(async (id) => {
        try {
          return await dataset.readLabels(id);
        } catch (error) {
          throw readFailure(error, `the labels of "${id}" (${purpose})`);
        }
      }),
    );
    chunk.forEach((id, k) => visit(id, maps[k]!));
  }
}

/**
 * The protocol's image-level labels, L(x) ∩ new, read from the dataset's label maps (only the set of
 * classes present is kept: the pixels are never used for training).
 */
export async function datasetImageLabels(
  dataset: SegmentationDataset,
  ids: readonly string[],
  newClassIds: readonly number[],
  signal?: AbortSignal,
): Promise<Record<string, number[]>> {
  const result: Record<string, number[]> = {};
  await forEachLabelMap(dataset, ids, 'for its image-level labels', signal, (id, labels) => {
    const present = new Uint8Array(256);
    for (const v of labels.data) present[v] = 1;
    result[id] = newClassIds.filter((c) => present[c] === 1);
  });
  return result;
}

/**
 * Labelled pixels per channel of a pixel step's training images: labels remapped to the step's classes
 * (others -> background), value -> channel by `channelValues` ([0, class ids in channel order]); 255
 * and values outside the channels are not counted.
 */
export async function countChannelPixels(
  dataset: SegmentationDataset,
  ids: readonly string[],
  stepClassIds: readonly number[],
  channelValues: readonly number[],
  signal?: AbortSignal,
): Promise<number[]> {
  const channelOf = new Int16Array(256).fill(-1);
  channelValues.forEach((value, channel) => (channelOf[value] = channel));
  const counts = new Array<number>(channelValues.length).fill(0);
  await forEachLabelMap(dataset, ids, 'class weights', signal, (_id, labels) => {
    for (const value of remapForStep(labels, stepClassIds).data) {
      const channel = channelOf[value]!;
      if (channel >= 0) counts[channel]!++;
    }
  });
  return counts;
}
