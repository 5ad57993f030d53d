export { TokenizerFileError } from './tokenizer-error';
export { bytesToUnicode, byteEncode } from './bytes-to-unicode';
export { bytePairMerge, cleanText, createClipBpeTokenizer, END_OF_WORD, type ClipBpeSpec } from './clip-bpe';
export { createWordTokenizer, type WordSpec } from './word';
export { loadTokenizer } from './load-tokenizer';
export type { EncodedTexts, Tokenizer, TokenizerOptions } from './types';
