// Opening the datasets a run names (DatasetRef) with @fmwiss/datasets, and their cached label index.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetRef_Format, type DatasetRef } from '@fmwiss/contracts';
import {
  DatasetError,
  labelIndexFor,
  openCocoDataset,
  openManifestDataset,
  openVocDataset,
  readIdList,
  readStepList,
  sha256Hex,
  type LabelIndex,
  type SegmentationDataset,
} from '@fmwiss/datasets';
import { FailedPreconditionError } from '@fmwiss/service-kit';
import type { CacheFolder } from './run-folder';

/** A manifest dataset's root is the manifest file, or a folder holding manifest.json. */
async function manifestPath(root: string): Promise<string> {
  const info = await stat(root).catch(() => undefined);
  return info?.isDirectory() ? join(root, 'manifest.json') : root;
}

/** Restricts a dataset to the ids of a list file (in the list's order). */
function restrictTo(dataset: SegmentationDataset, ids: string[], listPath: string): SegmentationDataset {
  const known = new Set(dataset.ids);
  const missing = ids.filter((id) => !known.has(id));
  if (missing.length > 0) {
    throw new DatasetError(listPath, `${missing.length} id(s) of the list are not in the dataset, e.g. "${missing[0]}"`);
  }
  return { ...dataset, ids };
}

/**
 * Opens the dataset a DatasetRef names: VOC (root = the VOC2012 folder), prepared COCO (labels in the
 * task's class space) or a manifest; `list_path` picks the images, else `split`. A set `list_sha256`
 * must match the list file. Problems are FAILED_PRECONDITION naming `field`.
 */
export async function openDatasetRef(field: string, ref: DatasetRef, classSpace: 'voc' | 'coco'): Promise<SegmentationDataset> {
  try {
    if (ref.listPath !== '' && ref.listSha256 !== '') await readStepList(ref.listPath, ref.listSha256);
    switch (ref.format) {
      case DatasetRef_Format.FORMAT_COCO: {
        const dataset = await openCocoDataset({ root: ref.root, split: ref.split, labelSpace: classSpace });
        return ref.listPath === '' ? dataset : restrictTo(dataset, await readIdList(ref.listPath), ref.listPath);
      }
      case DatasetRef_Format.FORMAT_MANIFEST: {
        const dataset = await openManifestDataset(await manifestPath(ref.root), { split: ref.split });
        return ref.listPath === '' ? dataset : restrictTo(dataset, await readIdList(ref.listPath), ref.listPath);
      }
      default:
        return await openVocDataset({ root: ref.root, split: ref.split, ...(ref.listPath !== '' && { listPath: ref.listPath }) });
    }
  } catch (error) {
    if (error instanceof DatasetError) throw new FailedPreconditionError(`${field}: ${error.message}`, { cause: error });
    throw error;
  }
}

/** The cache key of a dataset's label index: what identifies the images and labels it covers. */
export function labelIndexKey(ref: DatasetRef, classSpace: string): string {
  return sha256Hex(JSON.stringify({ format: ref.format, root: ref.root, split: ref.split, listPath: ref.listPath, classSpace }));
}

/**
 * The label index of the dataset (cached under <cache-dir>/label-index, rebuilt when a file changed).
 * Images with problems are left out of every list; the problems are returned for a warning.
 */
export async function labelIndexOf(
  dataset: SegmentationDataset,
  ref: DatasetRef,
  classSpace: string,
  cache: CacheFolder,
): Promise<{ index: LabelIndex; problems: readonly { id: string; file: string; problem: string }[]; fromCache: boolean }> {
  const result = await labelIndexFor(dataset, cache.labelIndex(labelIndexKey(ref, classSpace)));
  return { index: result.index, problems: result.problems, fromCache: result.fromCache };
}
