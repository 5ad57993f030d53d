import { availableParallelism } from 'node:os';
import { ImageError, type LabelImage, type RgbImage } from '@fmwiss/imaging';
import { classIdsOf } from './classes';
import { sizeMismatch, type SegmentationDataset } from './dataset';
import { DatasetError } from './errors';
import {
  buildLabelIndex,
  datasetFingerprint,
  imageLabelsOf,
  loadLabelIndex,
  saveLabelIndex,
  type DatasetProblem,
  type ImageLabels,
  type LabelIndex,
} from './label-index';
import { allowedTable, describeBadLabelValues, findBadLabelValues } from './label-values';
import { orderedConcurrentMap } from '@fmwiss/service-kit';

export interface ScanProgress {
  /** Images scanned so far, and in all. */
  readonly done: number;
  readonly total: number;
  /** The image just scanned, and how many problems were found so far. */
  readonly id: string;
  readonly problems: number;
}

export interface ScanOptions {
  /** Images read at once (default: the number of CPUs, at least 2). */
  readonly concurrency?: number;
  readonly onProgress?: (progress: ScanProgress) => void;
}

export interface ScanResult {
  /** Every problem found, in the dataset's order. */
  readonly problems: readonly DatasetProblem[];
  /** The label content of the images without problems. */
  readonly index: LabelIndex;
}

/** The problem of a failed read: the file named by the error, and its problem in words. */
function problemOf(id: string, kind: 'image' | 'label', fallbackFile: string, error: unknown): DatasetProblem {
  if (error instanceof ImageError) {
    const problem = error.problem === 'file not found' ? `${kind} file not found` : error.problem;
    return { id, file: error.what, problem };
  }
  if (error instanceof DatasetError) return { id, file: error.file, problem: error.problem };
  const reason = error instanceof Error ? error.message : String(error);
  return { id, file: fallbackFile, problem: `cannot read ${kind}: ${reason}` };
}

/**
 * Checks one image: the image decodes fully, the label map decodes, both have the same size, and every
 * label value is a class of the dataset or 255. The image is decoded, not just its header read
 * (sharp's metadata() cannot see a truncated JPEG): measured on 2 cores, a 500x375 JPEG + label PNG
 * scan costs about 3.3 ms per image (about 35 s for VOC's 10,582 train_aug images, once per cache).
 */
async function scanImage(
  dataset: SegmentationDataset,
  id: string,
  allowed: Uint8Array,
  classIds: readonly number[],
): Promise<{ entry?: ImageLabels; problems: DatasetProblem[] }> {
  const [image, labels] = await Promise.allSettled([
    dataset.readImage(id).then((decoded: RgbImage) => ({ width: decoded.width, height: decoded.height })),
    dataset.readLabels(id),
  ]);
  const problems: DatasetProblem[] = [];
  if (image.status === 'rejected') problems.push(problemOf(id, 'image', dataset.imagePath(id), image.reason));
  if (labels.status === 'rejected') problems.push(problemOf(id, 'label', dataset.labelPath(id), labels.reason));
  if (labels.status !== 'fulfilled') return { problems };
  const map: LabelImage = labels.value;
  if (image.status === 'fulfilled') {
    const mismatch = sizeMismatch(image.value, map);
    if (mismatch) problems.push({ id, file: dataset.labelPath(id), problem: mismatch });
  }
  const bad = findBadLabelValues(map, allowed);
  if (bad) problems.push({ id, file: dataset.labelPath(id), problem: describeBadLabelValues(bad, classIds) });
  return problems.length > 0 ? { problems } : { entry: imageLabelsOf(id, map), problems };
}

/**
 * Reads every image and label map of the dataset (streamed, `concurrency` at a time) and returns ALL
 * problems (missing image or label, size mismatch, label value that is no class, truncated/corrupt or
 * unreadable file) and the LabelIndex of the images without problems.
 */
export async function scanDataset(dataset: SegmentationDataset, options: ScanOptions = {}): Promise<ScanResult> {
  const fingerprint = await datasetFingerprint(dataset);
  const classIds = classIdsOf(dataset.classes);
  const allowed = allowedTable(classIds);
  const images: ImageLabels[] = [];
  const problems: DatasetProblem[] = [];
  let done = 0;
  const results = orderedConcurrentMap(dataset.ids, options.concurrency ?? Math.max(2, availableParallelism()), async (id) => ({
    id,
    ...(await scanImage(dataset, id, allowed, classIds)),
  }));
  for await (const result of results) {
    if (result.entry) images.push(result.entry);
    problems.push(...result.problems);
    done++;
    options.onProgress?.({ done, total: dataset.ids.length, id: result.id, problems: problems.length });
  }
  return { problems, index: buildLabelIndex({ dataset: dataset.name, fingerprint, classIds, images, problems }) };
}

export interface LabelIndexForResult {
  readonly index: LabelIndex;
  /** Every problem of the dataset (index.problems). */
  readonly problems: readonly DatasetProblem[];
  /** True when the cache was up to date and loaded; false when the dataset was scanned. */
  readonly fromCache: boolean;
  /** Why the dataset was scanned: "no cache", "stale: dataset changed", "cache unusable: ...". */
  readonly reason?: string;
}

/**
 * The LabelIndex of a dataset, cached at `cachePath`: loaded when the cached fingerprint matches the
 * dataset's (ids, label and image files' sizes and mtimes), else rebuilt by scanDataset and saved.
 */
export async function labelIndexFor(
  dataset: SegmentationDataset,
  cachePath: string,
  options: ScanOptions = {},
): Promise<LabelIndexForResult> {
  let reason: string;
  try {
    const cached = await loadLabelIndex(cachePath);
    const fingerprint = await datasetFingerprint(dataset);
    if (cached.fingerprint === fingerprint && cached.dataset === dataset.name) {
      return { index: cached, problems: cached.problems, fromCache: true };
    }
    reason = 'stale: dataset changed';
  } catch (error) {
    if (!(error instanceof DatasetError)) throw error;
    reason = error.problem === 'label index not found' ? 'no cache' : `cache unusable: ${error.problem}`;
  }
  const { index } = await scanDataset(dataset, options);
  await saveLabelIndex(cachePath, index);
  return { index, problems: index.problems, fromCache: false, reason };
}
