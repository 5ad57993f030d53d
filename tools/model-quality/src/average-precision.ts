// Average precision of a ranking (multi-label classification, one class at a time) and its mean over
// classes. Pure functions on plain arrays.

/** A class's AP with the counts it comes from. */
export interface ClassAveragePrecision {
  classId: number;
  /** null when the class has no positive image (AP is undefined; no mean includes it). */
  ap: number | null;
  positives: number;
  items: number;
}

/**
 * Non-interpolated average precision of one class: rank the items by score, descending, and average
 * the precision at the rank of each positive (precision at rank r = positives among the first r / r).
 *
 * Ties are broken pessimistically and so deterministically: within a group of equal scores the
 * negatives rank before the positives. The result then depends on the scores only, never on the
 * order of the items, and a model that gives every item the same score gets the prevalence-like
 * lower bound rather than a lucky 1.
 *
 * Returns null when there is no positive (AP undefined). Throws a RangeError on lengths that differ
 * or a NaN score (a model fault that must not pass for a low score).
 */
export function averagePrecision(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>): number | null {
  const n = scores.length;
  if (positive.length !== n) throw new RangeError(`averagePrecision: ${n} scores but ${positive.length} labels`);
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i]!)) throw new RangeError(`averagePrecision: score ${i} is NaN`);
    order.push(i);
  }
  const isPositive = (i: number): number => (positive[i] ? 1 : 0);
  // Descending score; among ties negatives (0) first; then by index so the sort is total.
  order.sort((a, b) => scores[b]! - scores[a]! || isPositive(a) - isPositive(b) || a - b);
  let hits = 0;
  let sum = 0;
  order.forEach((item, rank) => {
    if (!isPositive(item)) return;
    hits++;
    sum += hits / (rank + 1);
  });
  return hits > 0 ? sum / hits : null;
}

/**
 * AP of every class over the same items, and their mean over the classes that have at least one
 * positive (null when none has).
 *
 * `scores` [items,C] and `positives` [items,C] are row-major: entry i * C + c belongs to item i and
 * class classIds[c].
 */
export function meanAveragePrecision(
  scores: ArrayLike<number> /* [items,C] */,
  positives: ArrayLike<boolean | number> /* [items,C] */,
  classIds: readonly number[],
): { mAP: number | null; perClass: ClassAveragePrecision[] } {
  const C = classIds.length;
  if (C === 0) throw new RangeError('meanAveragePrecision: no classes');
  if (scores.length % C !== 0 || positives.length !== scores.length) {
    throw new RangeError(`meanAveragePrecision: ${scores.length} scores and ${positives.length} labels are not [items,${C}]`);
  }
  const items = scores.length / C;
  const perClass = classIds.map((classId, c) => {
    const column = new Float64Array(items);
    const labels = new Uint8Array(items);
    let count = 0;
    for (let i = 0; i < items; i++) {
      column[i] = scores[i * C + c]!;
      labels[i] = positives[i * C + c] ? 1 : 0;
      count += labels[i]!;
    }
    return { classId, ap: averagePrecision(column, labels), positives: count, items };
  });
  const defined = perClass.filter((entry) => entry.ap !== null).map((entry) => entry.ap!);
  return { mAP: defined.length > 0 ? defined.reduce((a, b) => a + b, 0) / defined.length : null, perClass };
}
