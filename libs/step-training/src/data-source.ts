import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DatasetError, openCocoDataset, openManifestDataset, openVocDataset, type SegmentationDataset } from '@fmwiss/datasets';
import { StepPreconditionError } from './errors';
import type { DataRef } from './types';

/** The list file a DataRef reads (null when the layout has none, e.g. a manifest without listPath). */
export function listFileOf(ref: DataRef): string | null {
  if (ref.listPath) return resolve(ref.listPath);
  if (ref.format === 'voc') return join(resolve(ref.root), 'ImageSets', 'Segmentation', `${ref.split ?? 'train'}.txt`);
  if (ref.format === 'coco') return join(resolve(ref.root), `${ref.split ?? 'train2017'}.txt`);
  return null;
}

async function manifestPath(root: string): Promise<string> {
  const path = resolve(root);
  try {
    if ((await stat(path)).isDirectory()) return join(path, 'manifest.json');
  } catch {
    // reported by openManifestDataset
  }
  return path;
}

/** Reads an id list file the way the datasets library does (blank lines skipped, first token = id). */
async function listIds(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const first = line.split(/\s+/)[0]!;
      const name = first.replace(/\\/g, '/').split('/').pop()!;
      return first.includes('/') || first.includes('\\') ? name.replace(/\.[^.]*$/, '') : first;
    });
}

/**
 * Opens the dataset of a DataRef, restricted to its list, after checking the list's sha256 when the
 * ref records one. Every failure is a StepPreconditionError whose message names the file (`what`
 * names the field, e.g. "trainData").
 */
export async function openData(ref: DataRef, what: string): Promise<SegmentationDataset> {
  try {
    const list = listFileOf(ref);
    if (ref.listSha256 && list) {
      let bytes: Buffer;
      try {
        bytes = await readFile(list);
      } catch {
        throw new StepPreconditionError(`${what}: list file ${list} not found`);
      }
      const actual = createHash('sha256').update(bytes).digest('hex');
      if (actual !== ref.listSha256.toLowerCase()) {
        throw new StepPreconditionError(
          `${what}: list file ${list} changed since it was recorded (sha256 ${actual}, expected ${ref.listSha256}); restore it or regenerate the lists and start the run again`,
        );
      }
    }
    if (ref.format === 'voc') return await openVocDataset({ root: ref.root, split: ref.split ?? 'train', ...(ref.listPath ? { listPath: ref.listPath } : {}) });
    const dataset =
      ref.format === 'coco'
        ? await openCocoDataset({ root: ref.root, split: ref.split ?? 'train2017', labelSpace: 'coco' })
        : await openManifestDataset(await manifestPath(ref.root), { split: ref.split ?? 'train' });
    if (!ref.listPath) return dataset;
    const ids = await listIds(resolve(ref.listPath));
    const known = new Set(dataset.ids);
    const missing = ids.filter((id) => !known.has(id));
    if (missing.length > 0) {
      throw new StepPreconditionError(
        `${what}: ${missing.length} id(s) of list ${ref.listPath} are not in ${dataset.name} (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''})`,
      );
    }
    return { ...dataset, ids };
  } catch (error) {
    if (error instanceof StepPreconditionError) throw error;
    if (error instanceof DatasetError) throw new StepPreconditionError(`${what}: ${error.message}`);
    throw new StepPreconditionError(`${what}: cannot open the ${ref.format} dataset at ${ref.root}: ${(error as Error).message}`);
  }
}
