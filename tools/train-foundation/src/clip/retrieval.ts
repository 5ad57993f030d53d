// Zero-shot retrieval on held-out (image, caption) pairs: the quick sanity figure of a mini-CLIP run.
import * as tf from '@tensorflow/tfjs';

import type { Tokenizer } from '@fmwiss/co-segmentation';
import { encodeText, type TextWeights } from '@fmwiss/vit-models';

import { concatRows } from '../shared/embed-images';

export interface RetrievalFigures {
  pairs: number;
  /** Caption -> image: the caption's own image ranks first among all held-out images. */
  captionToImageTop1: number;
  captionToImageTop5: number;
  /** Image -> caption, the other direction. */
  imageToCaptionTop1: number;
  /** 1 / pairs. */
  chance: number;
}

/** Rank of `target` in row `scores` (0 = best; ties count against it). */
function rankOf(scores: Float32Array, target: number): number {
  const value = scores[target]!;
  let rank = 0;
  for (let j = 0; j < scores.length; j++) if (j !== target && scores[j]! >= value) rank++;
  return rank;
}

/** Cosine similarities [N,N] of rows of a [N,D] and b [N,D] (row i of a against every row of b). */
export function cosineMatrix(a: Float32Array, b: Float32Array, n: number, d: number): Float32Array {
  const norm = (x: Float32Array) => {
    const out = new Float32Array(x.length);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += x[i * d + k]! ** 2;
      const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
      for (let k = 0; k < d; k++) out[i * d + k] = x[i * d + k]! * inv;
    }
    return out;
  };
  const an = norm(a);
  const bn = norm(b);
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += an[i * d + k]! * bn[j * d + k]!;
      out[i * n + j] = s;
    }
  }
  return out;
}

/** Retrieval figures from paired embeddings: image i belongs with caption i. Both [N,D]. */
export function retrievalFigures(images: Float32Array, captions: Float32Array, n: number, d: number): RetrievalFigures {
  const captionRows = cosineMatrix(captions, images, n, d);
  const imageRows = cosineMatrix(images, captions, n, d);
  let top1 = 0;
  let top5 = 0;
  let back = 0;
  for (let i = 0; i < n; i++) {
    const rank = rankOf(captionRows.subarray(i * n, (i + 1) * n), i);
    if (rank === 0) top1++;
    if (rank < 5) top5++;
    if (rankOf(imageRows.subarray(i * n, (i + 1) * n), i) === 0) back++;
  }
  return { pairs: n, captionToImageTop1: top1 / n, captionToImageTop5: top5 / n, imageToCaptionTop1: back / n, chance: 1 / n };
}

/** Text embeddings [N,D] of texts, in batches. */
export function embedTexts(weights: TextWeights, tokenizer: Tokenizer, texts: readonly string[], batch = 64): Float32Array {
  const parts: Float32Array[] = [];
  for (let start = 0; start < texts.length; start += batch) {
    const chunk = texts.slice(start, start + batch);
    const ids = tf.tensor2d(tokenizer.encode(chunk).ids, [chunk.length, tokenizer.contextLength], 'int32');
    const out = encodeText(weights, ids);
    parts.push(out.dataSync() as Float32Array);
    tf.dispose([ids, out]);
  }
  return concatRows(parts);
}
