/** Token ids of a batch of texts, ready for a `clip-text/1` model's `token_ids` input. */
export interface EncodedTexts {
  /** [B,L] row-major: start token, text tokens, end token, then the pad id. */
  ids: Int32Array;
  /** B, the number of texts. */
  batchSize: number;
  /** L, the context length. */
  length: number;
}

/** A tokenizer read from a tokenizer file (docs/model-contracts.md, "Tokenizer files"). */
export interface Tokenizer {
  readonly type: 'clip-bpe' | 'word';
  /** L: every encoded row has this many ids. */
  readonly contextLength: number;
  readonly startId: number;
  readonly endId: number;
  readonly padId: number;
  /**
   * The ids of the text's tokens alone: no start or end token, no truncation, no padding.
   * Throws a TokenizerFileError when the vocabulary lacks a token the text needs.
   */
  tokenize(text: string): number[];
  /**
   * Each text as start token, its tokens, end token, padded with the pad id to L; a row longer than
   * L is cut to L with its last id replaced by the end token (CLIP's `truncate=True`).
   */
  encode(texts: readonly string[]): EncodedTexts;
}

export interface TokenizerOptions {
  /** L, from the text model's `fmwiss.context_length` (CLIP: 77). At least 2. */
  contextLength: number;
}
