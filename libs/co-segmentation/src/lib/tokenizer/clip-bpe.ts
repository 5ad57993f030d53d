import { byteEncode } from './bytes-to-unicode';
import { checkTexts, packRows } from './pack';
import { TokenizerFileError } from './tokenizer-error';
import type { EncodedTexts, Tokenizer, TokenizerOptions } from './types';

/** Marks the last symbol of a word in CLIP's vocabulary ("cat</w>"). */
export const END_OF_WORD = '</w>';

/** A validated `clip-bpe` tokenizer file. */
export interface ClipBpeSpec {
  /** Token string to id. */
  vocab: ReadonlyMap<string, number>;
  /** Merge pair "a b" to its rank (0 merges first). */
  ranks: ReadonlyMap<string, number>;
  startToken: string;
  endToken: string;
  padId: number;
  lowercase: boolean;
}

/** Entries kept in a tokenizer's word cache before it is cleared. */
const CACHE_LIMIT = 10_000;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * CLIP's split pattern: the special tokens, English contractions, runs of letters, single digits,
 * runs of other non-space characters; case-insensitive as in CLIP.
 */
function splitPattern(startToken: string, endToken: string): RegExp {
  return new RegExp(
    `${escapeRegExp(startToken)}|${escapeRegExp(endToken)}|'s|'t|'re|'ve|'m|'ll|'d|\\p{L}+|\\p{N}|[^\\s\\p{L}\\p{N}]+`,
    'giu',
  );
}

/**
 * CLIP's text cleanup: NFC normalisation (the part of ftfy.fix_text that applies to clean text),
 * runs of whitespace collapsed to one space, trimmed, lower-cased when `lowercase`. CLIP also undoes
 * HTML escapes and mojibake (ftfy); prompts built from class names have neither, so that is not done.
 */
export function cleanText(text: string, lowercase: boolean): string {
  const cleaned = text.normalize('NFC').replace(/\s+/gu, ' ').trim();
  return lowercase ? cleaned.toLowerCase() : cleaned;
}

/**
 * Byte-pair encoding of one pre-token (already byte-encoded): start from its characters with
 * `</w>` appended to the last, then repeatedly merge every occurrence (left to right) of the adjacent
 * pair with the lowest rank, until no adjacent pair has a rank. As CLIP's SimpleTokenizer.bpe.
 */
export function bytePairMerge(token: string, ranks: ReadonlyMap<string, number>): string[] {
  const chars = Array.from(token);
  let word = chars.slice(0, -1);
  word.push(chars[chars.length - 1] + END_OF_WORD);
  while (word.length > 1) {
    let best = Infinity;
    let first = '';
    let second = '';
    for (let i = 0; i + 1 < word.length; i++) {
      const rank = ranks.get(`${word[i]} ${word[i + 1]}`);
      if (rank !== undefined && rank < best) {
        best = rank;
        first = word[i]!;
        second = word[i + 1]!;
      }
    }
    if (best === Infinity) break;
    const merged: string[] = [];
    for (let i = 0; i < word.length; ) {
      if (i + 1 < word.length && word[i] === first && word[i + 1] === second) {
        merged.push(first + second);
        i += 2;
      } else {
        merged.push(word[i]!);
        i += 1;
      }
    }
    word = merged;
  }
  return word;
}

/**
 * CLIP's byte-level BPE tokenizer (openai/CLIP simple_tokenizer.py): clean the text, split it with
 * CLIP's pattern, byte-encode each piece (UTF-8 bytes through the bytes_to_unicode table), merge by
 * rank, look every symbol up in the vocabulary. A piece equal to the start or end token maps to that
 * token's id, as in CLIP.
 */
export function createClipBpeTokenizer(spec: ClipBpeSpec, options: TokenizerOptions): Tokenizer {
  const { vocab, ranks, startToken, endToken, padId, lowercase } = spec;
  const { contextLength } = options;
  const startId = vocab.get(startToken)!;
  const endId = vocab.get(endToken)!;
  const pattern = splitPattern(startToken, endToken);
  const cache = new Map<string, number[]>();

  function idsOf(piece: string): number[] {
    if (piece === startToken) return [startId];
    if (piece === endToken) return [endId];
    const cached = cache.get(piece);
    if (cached) return cached;
    const ids = bytePairMerge(byteEncode(piece), ranks).map((symbol) => {
      const id = vocab.get(symbol);
      if (id === undefined) {
        throw new TokenizerFileError(
          'vocab',
          `no id for the BPE symbol ${JSON.stringify(symbol)} (from ${JSON.stringify(piece)}); a CLIP vocabulary holds all 256 byte symbols, with and without "${END_OF_WORD}"`,
        );
      }
      return id;
    });
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(piece, ids);
    return ids;
  }

  function tokenize(text: string): number[] {
    const ids: number[] = [];
    for (const match of cleanText(text, lowercase).matchAll(pattern)) ids.push(...idsOf(match[0]));
    return ids;
  }

  return {
    type: 'clip-bpe',
    contextLength,
    startId,
    endId,
    padId,
    tokenize,
    encode(texts: readonly string[]): EncodedTexts {
      checkTexts(texts);
      return packRows(texts.map(tokenize), contextLength, { startId, endId, padId });
    },
  };
}
