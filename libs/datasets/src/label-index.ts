import { readFile, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { relative } from 'node:path';
import { z } from 'zod';
import { BACKGROUND_ID, IGNORE_VALUE } from './classes';
import type { SegmentationDataset } from './dataset';
import { DatasetError, errorCode } from './errors';
import { writeFileAtomic } from './fs-utils';
import { orderedConcurrentMap } from '@fmwiss/service-kit';

/** One problem found in a dataset: which image, which file, what is wrong. */
export interface DatasetProblem {
  readonly id: string;
  readonly file: string;
  readonly problem: string;
}

/** What the label map of one image holds. */
export interface ImageLabels {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  /** L(x): the classes present, sorted, background 0 and ignore 255 excluded. */
  readonly classes: readonly number[];
  /** Pixels per class present, background included (keys are class ids). */
  readonly pixels: Readonly<Record<number, number>>;
  /** Pixels with the ignore value 255. */
  readonly ignored: number;
}

/** Dataset-wide statistics of one class over the indexed images. */
export interface ClassStats {
  readonly id: number;
  /** Pixels of the class. */
  readonly pixels: number;
  /** pixels / all non-ignored pixels. */
  readonly frequency: number;
  /** Images whose label map holds the class. */
  readonly images: number;
}

/**
 * The label content of a dataset, built by scanDataset. Holds only the images without problems (in
 * the dataset's order); the problems found are kept too, so a cached index reports them again.
 */
export interface LabelIndex {
  readonly format: 'fmwiss-label-index';
  readonly version: 1;
  readonly dataset: string;
  /** datasetFingerprint() of the dataset when it was scanned. */
  readonly fingerprint: string;
  /** The dataset's class ids, background included, sorted. */
  readonly classIds: readonly number[];
  readonly images: readonly ImageLabels[];
  /** One entry per class id of the dataset, in classIds order. */
  readonly classStats: readonly ClassStats[];
  readonly problems: readonly DatasetProblem[];
}

/** Histogram of one label map's values. */
export function labelHistogram(data: Uint8Array): Float64Array {
  const counts = new Float64Array(256);
  for (let i = 0; i < data.length; i++) counts[data[i]]++;
  return counts;
}

/** The ImageLabels entry of a label map (values other than classes and 255 must already be refused). */
export function imageLabelsOf(id: string, labels: { width: number; height: number; data: Uint8Array }): ImageLabels {
  const counts = labelHistogram(labels.data);
  const classes: number[] = [];
  const pixels: Record<number, number> = {};
  counts.forEach((count, value) => {
    if (count === 0 || value === IGNORE_VALUE) return;
    pixels[value] = count;
    if (value !== BACKGROUND_ID) classes.push(value);
  });
  return { id, width: labels.width, height: labels.height, classes, pixels, ignored: counts[IGNORE_VALUE] };
}

/** Assembles a LabelIndex: per-class pixel counts, frequencies and image counts over `images`. */
export function buildLabelIndex(parts: {
  dataset: string;
  fingerprint: string;
  classIds: readonly number[];
  images: readonly ImageLabels[];
  problems: readonly DatasetProblem[];
}): LabelIndex {
  const classIds = [...parts.classIds].sort((a, b) => a - b);
  const pixels = new Map(classIds.map((id) => [id, 0]));
  const images = new Map(classIds.map((id) => [id, 0]));
  let total = 0;
  for (const image of parts.images) {
    for (const [key, count] of Object.entries(image.pixels)) {
      const id = Number(key);
      pixels.set(id, (pixels.get(id) ?? 0) + count);
      images.set(id, (images.get(id) ?? 0) + 1);
      total += count;
    }
  }
  return {
    format: 'fmwiss-label-index',
    version: 1,
    dataset: parts.dataset,
    fingerprint: parts.fingerprint,
    classIds,
    images: parts.images,
    classStats: classIds.map((id) => ({
      id,
      pixels: pixels.get(id) ?? 0,
      frequency: total > 0 ? (pixels.get(id) ?? 0) / total : 0,
      images: images.get(id) ?? 0,
    })),
    problems: parts.problems,
  };
}

/**
 * A sha256 over what the index depends on: the dataset's name, class ids and id list, and for every
 * id the label and image files' paths (relative to the root), sizes and modification times ("missing"
 * for an absent file). Any edit, touch, addition or removal changes it.
 */
export async function datasetFingerprint(dataset: SegmentationDataset, concurrency = 32): Promise<string> {
  const hash = createHash('sha256');
  const classes = dataset.classes.map((c) => c.id);
  hash.update(JSON.stringify({ format: 'fmwiss-label-index/1', name: dataset.name, classes }));
  const describe = async (path: string): Promise<string> => {
    try {
      const info = await stat(path);
      return `${relative(dataset.root, path)}:${info.size}:${info.mtimeMs}`;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return `${relative(dataset.root, path)}:missing`;
      return `${relative(dataset.root, path)}:${errorCode(error) ?? 'unreadable'}`;
    }
  };
  const lines = orderedConcurrentMap(dataset.ids, concurrency, async (id) =>
    [id, await describe(dataset.labelPath(id)), await describe(dataset.imagePath(id))].join('\t'),
  );
  for await (const line of lines) hash.update(`${line}\n`);
  return hash.digest('hex');
}

const problemSchema = z.object({ id: z.string(), file: z.string(), problem: z.string() });
const indexSchema = z.object({
  format: z.literal('fmwiss-label-index'),
  version: z.literal(1),
  dataset: z.string(),
  fingerprint: z.string(),
  classIds: z.array(z.number().int()),
  images: z.array(
    z.object({
      id: z.string(),
      width: z.number().int(),
      height: z.number().int(),
      classes: z.array(z.number().int()),
      pixels: z.record(z.string(), z.number()),
      ignored: z.number(),
    }),
  ),
  classStats: z.array(
    z.object({ id: z.number().int(), pixels: z.number(), frequency: z.number(), images: z.number() }),
  ),
  problems: z.array(problemSchema),
});

/** Writes the index as JSON (atomically). */
export async function saveLabelIndex(path: string, index: LabelIndex): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(index)}\n`);
}

/** Reads an index written by saveLabelIndex; DatasetError when missing, not JSON or not an index. */
export async function loadLabelIndex(path: string): Promise<LabelIndex> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = errorCode(error);
    const problem = code === 'ENOENT' ? 'label index not found' : `cannot read label index (${code})`;
    throw new DatasetError(path, problem, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DatasetError(path, `label index is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const parsed = indexSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DatasetError(path, `not a label index of this version (${issue.path.join('.')}: ${issue.message})`);
  }
  return parsed.data as LabelIndex;
}

const byIndex = new WeakMap<LabelIndex, Map<string, ImageLabels>>();

/** The entry of one image (undefined when the image is not indexed, e.g. it had a problem). */
export function imageLabels(index: LabelIndex, id: string): ImageLabels | undefined {
  let map = byIndex.get(index);
  if (!map) {
    map = new Map(index.images.map((image) => [image.id, image]));
    byIndex.set(index, map);
  }
  return map.get(id);
}
