import type { ConfusionMatrix } from './confusion-matrix';

/** Intersection over union of one class, with the counts it comes from. */
export interface ClassIoU {
  classId: number;
  /**
   * TP / (TP + FP + FN). Never NaN: a class with TP + FP + FN = 0 (neither in the ground truth nor
   * predicted) gets 0, and is not `present`, so no mean includes it.
   */
  iou: number;
  /** The class occurs in the ground truth (groundTruthPixels > 0): only such classes enter an mIoU. */
  present: boolean;
  truePositives: number;
  /** Pixels predicted as this class whose ground truth is another class (ignored pixels excluded). */
  falsePositives: number;
  /** Pixels of this class in the ground truth predicted as another class. */
  falseNegatives: number;
  /** Row sum: TP + FN. */
  groundTruthPixels: number;
  /** Column sum: TP + FP. */
  predictedPixels: number;
}

/**
 * Per-class IoU, in the matrix's class order. A class that is predicted but absent from the ground
 * truth has iou 0 and present false: it is left out of every mean, but its false positives still
 * lower the IoU of the classes whose pixels it took.
 */
export function perClassIoU(matrix: ConfusionMatrix): ClassIoU[] {
  const n = matrix.size;
  const m = matrix.counts(); /* [C*C] rows = ground truth */
  return matrix.classIds.map((classId, c) => {
    let groundTruthPixels = 0;
    let predictedPixels = 0;
    for (let k = 0; k < n; k++) {
      groundTruthPixels += m[c * n + k];
      predictedPixels += m[k * n + c];
    }
    const truePositives = m[c * n + c];
    const falsePositives = predictedPixels - truePositives;
    const falseNegatives = groundTruthPixels - truePositives;
    const union = truePositives + falsePositives + falseNegatives;
    return {
      classId,
      iou: union > 0 ? truePositives / union : 0,
      present: groundTruthPixels > 0,
      truePositives,
      falsePositives,
      falseNegatives,
      groundTruthPixels,
      predictedPixels,
    };
  });
}
