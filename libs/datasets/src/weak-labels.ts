import { imageLabels, type LabelIndex } from './label-index';

/**
 * The image-level label of image `id` at a step: L(x) ∩ new, sorted (the only supervision of the
 * weak setting for steps t > 0). RangeError for an image the index does not hold.
 */
export function imageLevelLabels(index: LabelIndex, id: string, newClassIds: readonly number[]): number[] {
  const entry = imageLabels(index, id);
  if (!entry) {
    throw new RangeError(`label index of ${index.dataset} has no image "${id}" (unknown, or it had a problem)`);
  }
  const added = new Set(newClassIds);
  return entry.classes.filter((c) => added.has(c));
}
