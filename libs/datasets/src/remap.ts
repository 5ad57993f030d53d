import { assertLabelImage, type LabelImage } from '@fmwiss/imaging';
import { BACKGROUND_ID, IGNORE_VALUE } from './classes';

function checkLabelValue(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 255) {
    throw new RangeError(`${what} must be an integer label value in 0..255, got ${value}`);
  }
}

function applyTable(labels: LabelImage, table: Uint8Array): LabelImage {
  const out = new Uint8Array(labels.data.length);
  const { data } = labels;
  for (let i = 0; i < data.length; i++) out[i] = table[data[i]];
  return { width: labels.width, height: labels.height, data: out };
}

/**
 * The supervision of one step: pixels of classes outside `stepClassIds` become background 0, the
 * ignore value 255 stays, the step's classes keep their id. Returns a new label map.
 */
export function remapForStep(labels: LabelImage, stepClassIds: readonly number[]): LabelImage {
  assertLabelImage(labels);
  const table = new Uint8Array(256); // every value -> 0 ...
  for (const id of stepClassIds) {
    checkLabelValue(id, 'step class id');
    table[id] = id; // ... except the step's classes
  }
  table[IGNORE_VALUE] = IGNORE_VALUE;
  return applyTable(labels, table);
}

/**
 * Maps label values to another label space (e.g. COCO ids -> VOC ids with cocoToVocMapping()): a
 * value in `mapping` takes the mapped value, 255 not in `mapping` stays 255, any other value becomes
 * `unmapped` (default background 0). Returns a new label map.
 */
export function remapLabelSpace(
  labels: LabelImage,
  mapping: ReadonlyMap<number, number>,
  unmapped: number = BACKGROUND_ID,
): LabelImage {
  assertLabelImage(labels);
  checkLabelValue(unmapped, 'unmapped');
  const table = new Uint8Array(256).fill(unmapped);
  table[IGNORE_VALUE] = IGNORE_VALUE;
  for (const [from, to] of mapping) {
    checkLabelValue(from, 'mapped value');
    checkLabelValue(to, `mapping of ${from}`);
    table[from] = to;
  }
  return applyTable(labels, table);
}
