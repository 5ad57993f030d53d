import type { LabelImage } from '@fmwiss/imaging';
import { IGNORE_VALUE } from './classes';
import { describeIds } from './errors';

/** The first pixel whose value is not allowed, and how many such pixels there are. */
export interface BadLabelValues {
  readonly value: number;
  readonly x: number;
  readonly y: number;
  /** Number of pixels with a value that is not allowed. */
  readonly pixels: number;
  /** Every distinct value that is not allowed, sorted. */
  readonly values: readonly number[];
}

/** A 256-entry table: 1 for the given values and the ignore value 255. */
export function allowedTable(classIds: readonly number[]): Uint8Array {
  const table = new Uint8Array(256);
  for (const id of classIds) table[id] = 1;
  table[IGNORE_VALUE] = 1;
  return table;
}

/** Finds label values outside `allowed` (a table of allowedTable), or undefined when all are allowed. */
export function findBadLabelValues(labels: LabelImage, allowed: Uint8Array): BadLabelValues | undefined {
  const { data, width } = labels;
  let first = -1;
  let pixels = 0;
  const seen = new Uint8Array(256);
  for (let i = 0; i < data.length; i++) {
    if (allowed[data[i]] === 0) {
      if (first < 0) first = i;
      pixels++;
      seen[data[i]] = 1;
    }
  }
  if (first < 0) return undefined;
  const values: number[] = [];
  seen.forEach((flag, value) => flag && values.push(value));
  return { value: data[first], x: first % width, y: Math.floor(first / width), pixels, values };
}

/**
 * "label value 37 at (3,4) is no class of the dataset (0-20, 255 ignore)", with the count and the
 * values when more pixels are wrong: "; 12 such pixels, values 37, 40".
 */
export function describeBadLabelValues(
  bad: BadLabelValues,
  classIds: readonly number[],
  what = 'class of the dataset',
): string {
  const base = `label value ${bad.value} at (${bad.x},${bad.y}) is no ${what} (${describeIds(classIds)}, 255 ignore)`;
  return bad.pixels === 1 ? base : `${base}; ${bad.pixels} such pixels, values ${bad.values.join(', ')}`;
}
