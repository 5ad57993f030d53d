// IoU of a binary mask with one class of a ground-truth label map, and the small statistics the
// report needs. Pure functions.

/** The ground-truth value of pixels that are not evaluated (VOC object borders). */
export const IGNORE_LABEL = 255;

/** 1 where `labels` [H,W] holds `classId`, else 0: the object mask of a class. */
export function classMask(labels: Uint8Array /* [H,W] */, classId: number): Uint8Array /* [H,W] */ {
  const mask = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) if (labels[i] === classId) mask[i] = 1;
  return mask;
}

/**
 * IoU of a binary prediction (non-zero = inside) with the pixels of class `classId` in a label map,
 * both [H,W] row-major: |P ∩ G| / |P ∪ G|. Pixels whose ground truth is `ignoreLabel` count in
 * neither set. Returns null when the union is empty (the class is absent and nothing is predicted).
 */
export function classMaskIoU(prediction: Uint8Array /* [H,W] */, labels: Uint8Array /* [H,W] */, classId: number, ignoreLabel = IGNORE_LABEL): number | null {
  if (prediction.length !== labels.length) {
    throw new RangeError(`classMaskIoU: the prediction has ${prediction.length} pixels but the label map ${labels.length}`);
  }
  let intersection = 0;
  let union = 0;
  for (let i = 0; i < labels.length; i++) {
    const g = labels[i]!;
    if (g === ignoreLabel) continue;
    const inGt = g === classId;
    const inPred = prediction[i] !== 0;
    if (inGt && inPred) intersection++;
    if (inGt || inPred) union++;
  }
  return union > 0 ? intersection / union : null;
}

/** The class ids present in a label map, ascending: values 1..maxClassId (background 0 and ignoreLabel left out). */
export function presentClasses(labels: Uint8Array /* [H,W] */, ignoreLabel = IGNORE_LABEL): number[] {
  const seen = new Uint8Array(256);
  for (let i = 0; i < labels.length; i++) seen[labels[i]!] = 1;
  const ids: number[] = [];
  for (let v = 1; v < 256; v++) if (seen[v] && v !== ignoreLabel) ids.push(v);
  return ids;
}

/** Arithmetic mean; null for no values. */
export function mean(values: readonly number[]): number | null {
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

/** Median (the mean of the two middle values for an even count); null for no values. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
