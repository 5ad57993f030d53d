import { checkTexts, packRows } from './pack';
import type { EncodedTexts, Tokenizer, TokenizerOptions } from './types';

/** A validated `word` tokenizer file. */
export interface WordSpec {
  /** Token to id (its index in the file's list). */
  vocab: ReadonlyMap<string, number>;
  startToken: string;
  endToken: string;
  padToken: string;
  unknownToken: string;
  lowercase: boolean;
}

/** Splits on every run of non-letters (digits, punctuation and spaces separate words and are dropped). */
const NON_LETTERS = /[^\p{L}]+/u;

/**
 * The closed-vocabulary tokenizer of the project's small text models: the text (NFC-normalised,
 * lower-cased when `lowercase`) is split on non-letters; a word not in the vocabulary becomes the
 * unknown token.
 */
export function createWordTokenizer(spec: WordSpec, options: TokenizerOptions): Tokenizer {
  const { vocab, lowercase } = spec;
  const { contextLength } = options;
  const startId = vocab.get(spec.startToken)!;
  const endId = vocab.get(spec.endToken)!;
  const padId = vocab.get(spec.padToken)!;
  const unknownId = vocab.get(spec.unknownToken)!;

  function tokenize(text: string): number[] {
    const normalized = text.normalize('NFC');
    const words = (lowercase ? normalized.toLowerCase() : normalized).split(NON_LETTERS).filter((word) => word !== '');
    return words.map((word) => vocab.get(word) ?? unknownId);
  }

  return {
    type: 'word',
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
