import { InvalidArgumentError } from '@fmwiss/service-kit';
import { l2NormalizeRows } from './l2-normalize';
import { checkLength, checkMapSize, checkPositiveInteger, type ErrorFactory, type MapSize } from './shapes';

/**
 * The pixel-text score map S of METHOD.md section 1: every location's dense embedding
 * L2-normalised, then its dot product with each text embedding, i.e. the cosine when the text rows
 * are L2-normalised (as ensembleTextEmbeddings returns them; they are not normalised again here).
 * Returns class-major scores [C,h,w], each in [-1, 1] for normalised text rows.
 */
export function scoreMap(
  denseEmbeddings: Float32Array /* [h,w,d] */,
  grid: MapSize /* [h,w] */,
  textEmbeddings: Float32Array /* [C,d] */,
  dim: number,
  error: ErrorFactory = InvalidArgumentError,
): Float32Array /* [C,h,w] */ {
  checkMapSize('grid', grid, error);
  checkPositiveInteger('dim', dim, error);
  const n = grid.height * grid.width;
  checkLength('denseEmbeddings', denseEmbeddings, [grid.height, grid.width, dim], error);
  if (textEmbeddings.length % dim !== 0) {
    throw new error(`textEmbeddings of ${textEmbeddings.length} values do not split into rows of dimension ${dim}`);
  }
  const numClasses = textEmbeddings.length / dim;
  const dense = l2NormalizeRows(denseEmbeddings, dim, error) /* [h*w,d] */;
  const scores = new Float32Array(numClasses * n) /* [C,h,w] */;
  for (let p = 0; p < n; p++) {
    const o = p * dim;
    for (let c = 0; c < numClasses; c++) {
      const t = c * dim;
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += dense[o + k]! * textEmbeddings[t + k]!;
      scores[c * n + p] = dot;
    }
  }
  return scores;
}

/**
 * The per-location maximum over a block of class maps, e.g. the one "background" score map of
 * ClipMaskService's `include_scores` (the best background prompt at each location). Returns [h,w].
 */
export function maxOverMaps(scores: Float32Array /* [K,h,w] */, grid: MapSize /* [h,w] */): Float32Array /* [h,w] */ {
  checkMapSize('grid', grid);
  const n = grid.height * grid.width;
  if (scores.length === 0 || scores.length % n !== 0) {
    throw new InvalidArgumentError(`scores of ${scores.length} values are not a non-empty stack of ${grid.height}x${grid.width} maps`);
  }
  const out = scores.slice(0, n);
  for (let o = n; o < scores.length; o += n) {
    for (let p = 0; p < n; p++) if (scores[o + p]! > out[p]!) out[p] = scores[o + p]!;
  }
  return out;
}
