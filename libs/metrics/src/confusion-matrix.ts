import { MetricsError, describeIds } from './errors';

/** A label map or a prediction: one label value per pixel, row-major. */
export type LabelArray = Uint8Array | ArrayLike<number>;

export interface ConfusionMatrixOptions {
  /** Ground-truth value of pixels that are not evaluated (object borders in VOC). Default 255. */
  ignoreLabel?: number;
}

/** Checkpoint form of a {@link ConfusionMatrix} (`toJSON()` / `ConfusionMatrix.fromJSON()`). */
export interface ConfusionMatrixJSON {
  format: typeof JSON_FORMAT;
  classIds: number[];
  ignoreLabel: number;
  /** [C*C] row-major: counts[g * C + p] = pixels of ground-truth class index g predicted as p. */
  counts: number[];
}

export const DEFAULT_IGNORE_LABEL = 255;
const JSON_FORMAT = 'fmwiss.confusion-matrix/v1';

// Lookup-table codes for values that are not a class id.
const INVALID = -2;
const IGNORE = -1;

/**
 * A streaming pixel confusion matrix over a fixed set of class ids (the label values evaluated:
 * background 0 and every seen class). Rows are the ground truth, columns the prediction; class ids are
 * mapped to dense indices 0..C-1 in ascending order, so `counts()[g * C + p]` belongs to
 * `classIds[g]` predicted as `classIds[p]`.
 *
 * Pixels whose ground truth is the ignore label are skipped. Every other ground-truth value and every
 * prediction value (including at ignored pixels: a model never outputs the ignore label) must be a
 * class id, else `update` throws a {@link MetricsError} and leaves the matrix unchanged.
 *
 * Counts are held in a Float64Array: exact up to 2^53 pixels.
 */
export class ConfusionMatrix {
  /** The evaluated class ids, ascending; index i of the matrix is classIds[i]. */
  readonly classIds: readonly number[];
  readonly ignoreLabel: number;
  /** Number of classes C. */
  readonly size: number;

  private readonly matrix: Float64Array; /* [C*C] row-major, rows = ground truth */
  /** label value -> dense row index * C, IGNORE or INVALID. Covers at least 0..255. */
  private readonly rowOffset: Int32Array;
  /** label value -> dense column index or INVALID. Same length as rowOffset. */
  private readonly column: Int32Array;

  constructor(classIds: readonly number[], options: ConfusionMatrixOptions = {}) {
    const ignoreLabel = options.ignoreLabel ?? DEFAULT_IGNORE_LABEL;
    checkLabelValue(ignoreLabel, 'the ignore label');
    if (classIds.length === 0) throw new MetricsError('a confusion matrix needs at least one class id');
    classIds.forEach((id, i) => {
      checkLabelValue(id, `class id ${id}`);
      if (i > 0 && id <= classIds[i - 1]) {
        throw new MetricsError(`class ids must be distinct and ascending; got ${classIds.join(', ')}`);
      }
    });
    if (classIds.includes(ignoreLabel)) {
      throw new MetricsError(`the ignore label ${ignoreLabel} cannot also be a class id`);
    }
    this.classIds = Object.freeze([...classIds]);
    this.ignoreLabel = ignoreLabel;
    this.size = classIds.length;
    this.matrix = new Float64Array(this.size * this.size);

    const lutLength = Math.max(256, classIds[classIds.length - 1] + 1, ignoreLabel + 1);
    this.rowOffset = new Int32Array(lutLength).fill(INVALID);
    this.column = new Int32Array(lutLength).fill(INVALID);
    this.rowOffset[ignoreLabel] = IGNORE;
    classIds.forEach((id, i) => {
      this.rowOffset[id] = i * this.size;
      this.column[id] = i;
    });
  }

  /**
   * Counts one image (or any batch of pixels): ground truth and prediction of the same length,
   * row-major. `what` (e.g. the image id) names the data in error messages. Allocates nothing.
   */
  update(groundTruth: LabelArray, prediction: LabelArray, what?: string): void {
    const n = groundTruth.length;
    if (prediction.length !== n) {
      throw new MetricsError(
        `${label(what)}: ground truth has ${n} pixels but the prediction has ${prediction.length}`,
        { what },
      );
    }
    const failedAt =
      groundTruth instanceof Uint8Array && prediction instanceof Uint8Array
        ? this.accumulateBytes(groundTruth, prediction, n)
        : this.accumulate(groundTruth, prediction, n);
    if (failedAt < 0) return;

    // Undo the pixels already counted, so a rejected image leaves no trace.
    this.subtract(groundTruth, prediction, failedAt);
    const g = groundTruth[failedAt];
    if (this.rowCode(g) === INVALID) {
      throw new MetricsError(
        `${label(what)}: ground-truth value ${g} at pixel ${failedAt} is neither a class id ` +
          `(${describeIds(this.classIds)}) nor the ignore label ${this.ignoreLabel}`,
        { what, value: g, pixelIndex: failedAt },
      );
    }
    const p = prediction[failedAt];
    throw new MetricsError(
      `${label(what)}: predicted value ${p} at pixel ${failedAt} is not a class id ` +
        `(${describeIds(this.classIds)})`,
      { what, value: p, pixelIndex: failedAt },
    );
  }

  /** Adds another matrix's counts to this one (e.g. from another worker). Same class ids required. */
  merge(other: ConfusionMatrix): this {
    if (!sameIds(this.classIds, other.classIds)) {
      throw new MetricsError(
        `cannot merge confusion matrices over different class ids: ` +
          `${describeIds(this.classIds)} and ${describeIds(other.classIds)}`,
      );
    }
    for (let k = 0; k < this.matrix.length; k++) this.matrix[k] += other.matrix[k];
    return this;
  }

  /** A copy of the counts, [C*C] row-major (rows = ground truth, columns = prediction). */
  counts(): Float64Array {
    return this.matrix.slice();
  }

  /** Pixels of ground-truth class `groundTruthId` predicted as `predictedId`. */
  count(groundTruthId: number, predictedId: number): number {
    return this.matrix[this.indexOf(groundTruthId) * this.size + this.indexOf(predictedId)];
  }

  /** Dense index of a class id; throws if it is not one of the matrix's class ids. */
  indexOf(classId: number): number {
    const i = this.classIds.indexOf(classId);
    if (i < 0) throw new MetricsError(`${classId} is not a class id of this matrix (${describeIds(this.classIds)})`);
    return i;
  }

  /** Total pixels counted (ignored pixels excluded). */
  pixels(): number {
    let total = 0;
    for (let k = 0; k < this.matrix.length; k++) total += this.matrix[k];
    return total;
  }

  toJSON(): ConfusionMatrixJSON {
    return {
      format: JSON_FORMAT,
      classIds: [...this.classIds],
      ignoreLabel: this.ignoreLabel,
      counts: Array.from(this.matrix),
    };
  }

  /** Restores a checkpoint written by `toJSON()` (already parsed); validates it fully. */
  static fromJSON(json: unknown): ConfusionMatrix {
    if (typeof json !== 'object' || json === null) throw new MetricsError('confusion matrix JSON: not an object');
    const { format, classIds, ignoreLabel, counts } = json as Record<string, unknown>;
    if (format !== JSON_FORMAT) {
      throw new MetricsError(`confusion matrix JSON: format must be "${JSON_FORMAT}", got ${JSON.stringify(format)}`);
    }
    if (!Array.isArray(classIds) || typeof ignoreLabel !== 'number' || !Array.isArray(counts)) {
      throw new MetricsError('confusion matrix JSON: needs classIds (array), ignoreLabel (number), counts (array)');
    }
    const matrix = new ConfusionMatrix(classIds as number[], { ignoreLabel });
    if (counts.length !== matrix.matrix.length) {
      throw new MetricsError(
        `confusion matrix JSON: ${matrix.size} classes need ${matrix.matrix.length} counts, got ${counts.length}`,
      );
    }
    counts.forEach((c: unknown, k) => {
      if (typeof c !== 'number' || !Number.isSafeInteger(c) || c < 0) {
        throw new MetricsError(`confusion matrix JSON: count ${k} must be a non-negative integer, got ${String(c)}`);
      }
      matrix.matrix[k] = c;
    });
    return matrix;
  }

  // The two loops below are the same; the Uint8Array one keeps element access monomorphic (the
  // common case: decoded PNG masks and argmax outputs). Each returns -1, or the first bad pixel.

  private accumulateBytes(gt: Uint8Array, pred: Uint8Array, n: number): number {
    const rows = this.rowOffset;
    const cols = this.column;
    const m = this.matrix;
    for (let i = 0; i < n; i++) {
      const r = rows[gt[i]];
      const c = cols[pred[i]];
      if (r < 0 || c < 0) {
        if (r === INVALID || c === INVALID) return i;
        continue; // ignored ground truth, valid prediction
      }
      m[r + c] += 1;
    }
    return -1;
  }

  private accumulate(gt: ArrayLike<number>, pred: ArrayLike<number>, n: number): number {
    const m = this.matrix;
    for (let i = 0; i < n; i++) {
      const r = this.rowCode(gt[i]);
      const c = this.columnCode(pred[i]);
      if (r < 0 || c < 0) {
        if (r === INVALID || c === INVALID) return i;
        continue;
      }
      m[r + c] += 1;
    }
    return -1;
  }

  /** Removes the first `n` pixels (all valid) again: the rollback of a failed update. */
  private subtract(gt: ArrayLike<number>, pred: ArrayLike<number>, n: number): void {
    for (let i = 0; i < n; i++) {
      const r = this.rowCode(gt[i]);
      if (r >= 0) this.matrix[r + this.columnCode(pred[i])] -= 1;
    }
  }

  private rowCode(value: number): number {
    // `value >>> 0 === value` holds exactly for integers in [0, 2^32): rejects NaN, fractions, negatives.
    return value >>> 0 === value && value < this.rowOffset.length ? this.rowOffset[value] : INVALID;
  }

  private columnCode(value: number): number {
    return value >>> 0 === value && value < this.column.length ? this.column[value] : INVALID;
  }
}

function checkLabelValue(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new MetricsError(`${name} must be an integer label value in [0, 65535], got ${value}`);
  }
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

function label(what: string | undefined): string {
  return what === undefined || what === '' ? 'update' : what;
}
