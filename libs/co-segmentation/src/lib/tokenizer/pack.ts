import type { EncodedTexts } from './types';

/**
 * Packs token rows into [B,L] ids: start id, the row, end id, then `padId`; a row that does not fit
 * is cut to L ids with the last one replaced by the end id.
 */
export function packRows(
  rows: readonly (readonly number[])[],
  contextLength: number,
  ids: { startId: number; endId: number; padId: number },
): EncodedTexts {
  const L = contextLength;
  const out = new Int32Array(rows.length * L).fill(ids.padId) /* [B,L] */;
  rows.forEach((row, b) => {
    const o = b * L;
    out[o] = ids.startId;
    const kept = Math.min(row.length, L - 2);
    for (let i = 0; i < kept; i++) out[o + 1 + i] = row[i]!;
    out[o + 1 + kept] = ids.endId;
  });
  return { ids: out, batchSize: rows.length, length: L };
}

/** Throws a TypeError unless `texts` is an array of strings. */
export function checkTexts(texts: readonly string[]): void {
  if (!Array.isArray(texts)) throw new TypeError('encode(texts) needs an array of strings');
  texts.forEach((text, i) => {
    if (typeof text !== 'string') throw new TypeError(`encode(texts): texts[${i}] must be a string, got ${typeof text}`);
  });
}
