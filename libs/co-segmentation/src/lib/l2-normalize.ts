import { InvalidArgumentError } from '@fmwiss/service-kit';
import { checkPositiveInteger, type ErrorFactory } from './shapes';

/** Norms below this count as zero: such a row is left as zeros (as torch's F.normalize, eps 1e-12). */
export const NORM_EPSILON = 1e-12;

/**
 * Each row of `rows` ([n,d]) divided by its Euclidean norm (max(norm, 1e-12)), as a new array;
 * sums in float64. A zero row stays zero.
 */
export function l2NormalizeRows(rows: Float32Array /* [n,d] */, dim: number, error: ErrorFactory = InvalidArgumentError): Float32Array {
  checkPositiveInteger('dim', dim, error);
  if (rows.length % dim !== 0) {
    throw new error(`rows of ${rows.length} values do not split into rows of dimension ${dim}`);
  }
  const out = new Float32Array(rows.length) /* [n,d] */;
  for (let o = 0; o < rows.length; o += dim) {
    let sum = 0;
    for (let k = 0; k < dim; k++) sum += rows[o + k]! * rows[o + k]!;
    const scale = 1 / Math.max(Math.sqrt(sum), NORM_EPSILON);
    for (let k = 0; k < dim; k++) out[o + k] = rows[o + k]! * scale;
  }
  return out;
}
