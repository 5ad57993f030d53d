import type { ConfusionMatrix } from './confusion-matrix';
import { MetricsError } from './errors';
import { perClassIoU, type ClassIoU } from './iou';

/** Which column of the protocol's table a class belongs to. */
export type ClassGroup = 'background' | 'old' | 'new' | 'other';

export interface ClassSummary extends ClassIoU {
  name: string;
  group: ClassGroup;
}

export interface SummarizeOptions {
  /** Step-0 classes without background (1..15 for 15-5). */
  oldClassIds: readonly number[];
  /** Classes added after step 0 (16..20 for 15-5). */
  newClassIds: readonly number[];
  /** Display names; a class without one is named by its id. */
  classNames?: Readonly<Record<number, string>>;
  /** Number of images evaluated, copied into the summary when given. */
  images?: number;
}

/**
 * The protocol's figures. Every mIoU is a fraction in [0, 1] averaging only the classes `present` in
 * the ground truth; a column with no present class is `null` (never NaN).
 */
export interface MetricsSummary {
  /** Mean IoU of the present old classes (step 0 without background). */
  miouOld: number | null;
  /** Mean IoU of the present new classes (added after step 0). */
  miouNew: number | null;
  /** Mean IoU of all present classes of the matrix, background included. */
  miouAll: number | null;
  /** trace / total; null when no pixel was counted. */
  pixelAccuracy: number | null;
  /** Pixels counted (ignored pixels excluded). */
  pixels: number;
  /** Images evaluated, when the caller says (settable). */
  images?: number;
  oldClassIds: number[];
  newClassIds: number[];
  /** In the matrix's class order. */
  perClass: ClassSummary[];
}

/**
 * mIoU old / new / all and pixel accuracy of a confusion matrix. `oldClassIds` and `newClassIds` must
 * be disjoint, duplicate-free subsets of the matrix's class ids without 0. A class id in neither list
 * (other than background 0) counts only in "all" (group "other").
 */
export function summarize(matrix: ConfusionMatrix, options: SummarizeOptions): MetricsSummary {
  const { oldClassIds, newClassIds, classNames = {} } = options;
  const group = new Map<number, ClassGroup>();
  for (const [ids, name] of [
    [oldClassIds, 'old'],
    [newClassIds, 'new'],
  ] as const) {
    for (const id of ids) {
      if (id === 0) throw new MetricsError(`${name}ClassIds must not contain background 0`);
      if (!matrix.classIds.includes(id)) {
        throw new MetricsError(`${name}ClassIds: ${id} is not a class id of the confusion matrix`);
      }
      const already = group.get(id);
      if (already !== undefined) {
        throw new MetricsError(
          already === name ? `${name}ClassIds lists ${id} twice` : `class ${id} is in both oldClassIds and newClassIds`,
        );
      }
      group.set(id, name);
    }
  }
  if (options.images !== undefined && !(Number.isSafeInteger(options.images) && options.images >= 0)) {
    throw new MetricsError(`images must be a non-negative integer, got ${options.images}`);
  }

  const perClass: ClassSummary[] = perClassIoU(matrix).map((entry) => ({
    ...entry,
    name: classNames[entry.classId] ?? String(entry.classId),
    group: entry.classId === 0 ? 'background' : (group.get(entry.classId) ?? 'other'),
  }));
  const counts = matrix.counts();
  let trace = 0;
  for (let c = 0; c < matrix.size; c++) trace += counts[c * matrix.size + c];
  const pixels = matrix.pixels();

  const summary: MetricsSummary = {
    miouOld: meanPresent(perClass.filter((e) => e.group === 'old')),
    miouNew: meanPresent(perClass.filter((e) => e.group === 'new')),
    miouAll: meanPresent(perClass),
    pixelAccuracy: pixels > 0 ? trace / pixels : null,
    pixels,
    oldClassIds: [...oldClassIds],
    newClassIds: [...newClassIds],
    perClass,
  };
  if (options.images !== undefined) summary.images = options.images;
  return summary;
}

function meanPresent(entries: readonly ClassIoU[]): number | null {
  let sum = 0;
  let n = 0;
  for (const e of entries) {
    if (!e.present) continue;
    sum += e.iou;
    n++;
  }
  return n > 0 ? sum / n : null;
}
