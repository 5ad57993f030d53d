import { InvalidArgumentError } from '@fmwiss/service-kit';
import { l2NormalizeRows, NORM_EPSILON } from './l2-normalize';
import { checkLength, checkPositiveInteger } from './shapes';

/**
 * Prompt ensembling of one class (METHOD.md section 1): each template's embedding L2-normalised,
 * the normalised rows averaged, the average L2-normalised again. `embeddings` holds one row per
 * template. Returns [d]; all-zero input gives zeros.
 */
export function ensembleTextEmbeddings(
  embeddings: Float32Array /* [numTemplates,d] */,
  numTemplates: number,
  dim: number,
): Float32Array /* [d] */ {
  checkPositiveInteger('numTemplates', numTemplates);
  checkPositiveInteger('dim', dim);
  checkLength('template embeddings', embeddings, [numTemplates, dim]);
  const normalized = l2NormalizeRows(embeddings, dim);
  const mean = new Float64Array(dim);
  for (let t = 0; t < numTemplates; t++) {
    for (let k = 0; k < dim; k++) mean[k]! += normalized[t * dim + k]!;
  }
  let sum = 0;
  for (let k = 0; k < dim; k++) sum += mean[k]! * mean[k]!;
  // The 1/numTemplates of the average cancels in the final normalisation, but keeps the epsilon honest.
  const norm = Math.sqrt(sum) / numTemplates;
  const scale = 1 / (Math.max(norm, NORM_EPSILON) * numTemplates);
  const out = new Float32Array(dim);
  for (let k = 0; k < dim; k++) out[k] = mean[k]! * scale;
  return out;
}

/**
 * Prompt ensembling of several classes at once: `embeddings` holds numClasses blocks of numTemplates
 * rows (class-major, templates in the same order for every class), as a text model returns them for
 * `classPrompts` of each class in turn. Returns [C,d], rows L2-normalised.
 */
export function ensembleClassEmbeddings(
  embeddings: Float32Array /* [C*numTemplates,d] */,
  numClasses: number,
  numTemplates: number,
  dim: number,
): Float32Array /* [C,d] */ {
  checkPositiveInteger('numClasses', numClasses);
  checkPositiveInteger('numTemplates', numTemplates);
  checkPositiveInteger('dim', dim);
  if (embeddings.length !== numClasses * numTemplates * dim) {
    throw new InvalidArgumentError(
      `text embeddings of ${numClasses} classes x ${numTemplates} templates x ${dim} need ${numClasses * numTemplates * dim} values, got ${embeddings.length}`,
    );
  }
  const out = new Float32Array(numClasses * dim);
  const block = numTemplates * dim;
  for (let c = 0; c < numClasses; c++) {
    out.set(ensembleTextEmbeddings(embeddings.subarray(c * block, (c + 1) * block), numTemplates, dim), c * dim);
  }
  return out;
}
