// A seeded subset of a dataset's training list, written to a file so that a small demo trains on a
// reproducible part of the benchmark (RunConfig has no image cap; a DatasetRef names a list).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readIdList } from '@fmwiss/datasets';
import { SeededRandom } from '@fmwiss/random';

export interface TrainSubsetOptions {
  /** The list to draw from: a list file, or a VOC root's ImageSets/Segmentation/<split>.txt. */
  listPath?: string;
  vocRoot?: string;
  split?: string;
  count: number;
  seed: number;
  /** The subset list is written here as train-<count>-seed<seed>.txt. */
  outDir: string;
}

export interface TrainSubset {
  path: string;
  images: number;
  /** Images in the list it was drawn from. */
  of: number;
}

/** Draws `count` ids (seeded, kept in list order); undefined when the list has no more than `count`. */
export async function writeTrainSubset(options: TrainSubsetOptions): Promise<TrainSubset | undefined> {
  const source = options.listPath ?? join(options.vocRoot ?? '.', 'ImageSets', 'Segmentation', `${options.split ?? 'train'}.txt`);
  const ids = await readIdList(source, 'training list');
  if (ids.length <= options.count) return undefined;
  const chosen = new Set(new SeededRandom(options.seed, 'fmwiss-train-subset').shuffle([...ids]).slice(0, options.count));
  const subset = ids.filter((id) => chosen.has(id));
  await mkdir(options.outDir, { recursive: true });
  const path = join(options.outDir, `train-${options.count}-seed${options.seed}.txt`);
  await writeFile(path, `${subset.join('\n')}\n`);
  return { path, images: subset.length, of: ids.length };
}
