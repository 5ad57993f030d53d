import { bytePairMerge, cleanText } from './clip-bpe';
import { loadTokenizer } from './load-tokenizer';
import { TokenizerFileError } from './tokenizer-error';

/**
 * A hand-written CLIP-style tokenizer file. Ids by hand; "!" is id 0 and doubles as the pad id, as
 * in CLIP.
 */
const VOCAB_LIST = [
  '!', // 0
  'a</w>', // 1
  'at</w>', // 2
  'cat</w>', // 3
  'hat</w>', // 4
  "'s</w>", // 5
  '!!</w>', // 6
  'c', // 7
  'h', // 8
  'a', // 9
  't</w>', // 10
  "'", // 11
  's</w>', // 12
  '!</w>', // 13
  'ca', // 14
  'caf', // 15
  'Ã©</w>', // 16: "é" byte-encoded, end of word
  'Ã', // 17
  '©</w>', // 18
  'f', // 19
  'â', // 20: "€" = E2 82 AC -> "â" "Ĥ" "¬"
  'Ĥ', // 21
  '¬</w>', // 22
  '1</w>', // 23
  '0</w>', // 24
  '<|startoftext|>', // 25
  '<|endoftext|>', // 26
];
const MERGES = [
  'a t</w>', // rank 0
  'c at</w>', // 1
  'h at</w>', // 2
  "' s</w>", // 3
  '! !</w>', // 4
  'Ã ©</w>', // 5
  'c a', // 6
  'ca f', // 7
];
const FILE = {
  type: 'clip-bpe',
  vocab: Object.fromEntries(VOCAB_LIST.map((token, id) => [token, id])),
  merges: MERGES,
  start_token: '<|startoftext|>',
  end_token: '<|endoftext|>',
  pad_id: 0,
  lowercase: true,
};
const RANKS = new Map(MERGES.map((merge, rank) => [merge, rank]));
const SOT = 25;
const EOT = 26;

describe('bytePairMerge', () => {
  it('appends </w> to the last symbol and merges the lowest rank first', () => {
    // c a t</w>: (a,t</w>) rank 0 before (c,a) rank 6; then (c,at</w>) rank 1.
    expect(bytePairMerge('cat', RANKS)).toEqual(['cat</w>']);
    expect(bytePairMerge('hat', RANKS)).toEqual(['hat</w>']);
    // c a f Ã ©</w>: (Ã,©</w>) rank 5, then (c,a) 6, then (ca,f) 7; (caf,Ã©</w>) has no rank.
    expect(bytePairMerge('cafÃ©', RANKS)).toEqual(['caf', 'Ã©</w>']);
  });

  it('gives a single character its </w> form and leaves unranked pairs apart', () => {
    expect(bytePairMerge('a', RANKS)).toEqual(['a</w>']);
    expect(bytePairMerge('xyz', RANKS)).toEqual(['x', 'y', 'z</w>']);
  });

  it('merges every occurrence of the chosen pair left to right', () => {
    const ranks = new Map([['a a', 0]]);
    expect(bytePairMerge('aaaaa', ranks)).toEqual(['aa', 'aa', 'a</w>']);
  });
});

describe('cleanText', () => {
  it('collapses whitespace, trims, lower-cases and composes to NFC', () => {
    expect(cleanText('  A\tPhoto\n\nof  a CAFE\u0301 ', true)).toBe('a photo of a café');
    expect(cleanText(' A  B ', false)).toBe('A B');
  });
});

describe('clip-bpe tokenizer', () => {
  const tokenizer = loadTokenizer(FILE, { contextLength: 16 });

  it('reads the special ids', () => {
    expect(tokenizer.type).toBe('clip-bpe');
    expect([tokenizer.startId, tokenizer.endId, tokenizer.padId]).toEqual([SOT, EOT, 0]);
  });

  it('splits like CLIP: words, contractions, punctuation runs, single digits, unicode bytes', () => {
    // "a" "cat" "'s" "hat" "!!" "café" "€" "1" "0"
    expect(tokenizer.tokenize("  A CAT's   hat!! café €10 ")).toEqual([1, 3, 5, 4, 6, 15, 16, 20, 21, 22, 23, 24]);
    expect(tokenizer.tokenize('cafe\u0301')).toEqual([15, 16]); // decomposed é composes first
    expect(tokenizer.tokenize('!')).toEqual([13]);
    expect(tokenizer.tokenize("CAT'S")).toEqual([3, 5]);
  });

  it('maps a literal special token to its id, as CLIP does', () => {
    expect(tokenizer.tokenize('a <|endoftext|>')).toEqual([1, EOT]);
  });

  it('wraps in start/end tokens and pads with pad_id', () => {
    const { ids, batchSize, length } = tokenizer.encode(['a cat', "hat's!"]);
    expect([batchSize, length]).toEqual([2, 16]);
    expect(Array.from(ids.subarray(0, 16))).toEqual([SOT, 1, 3, EOT, ...new Array(12).fill(0)]);
    expect(Array.from(ids.subarray(16))).toEqual([SOT, 4, 5, 13, EOT, ...new Array(11).fill(0)]);
  });

  it('truncates to the context length keeping the end token', () => {
    const short = loadTokenizer(FILE, { contextLength: 5 });
    expect(Array.from(short.encode(['a cat hat café']).ids)).toEqual([SOT, 1, 3, 4, EOT]); // [1,3,4,15,16] cut
    expect(Array.from(short.encode(['a cat hat']).ids)).toEqual([SOT, 1, 3, 4, EOT]); // fits exactly
    expect(Array.from(loadTokenizer(FILE, { contextLength: 2 }).encode(['cat']).ids)).toEqual([SOT, EOT]);
  });

  it('encodes an empty text as start and end', () => {
    expect(Array.from(loadTokenizer(FILE, { contextLength: 3 }).encode(['   ']).ids)).toEqual([SOT, EOT, 0]);
  });

  it('names the vocabulary when a symbol has no id', () => {
    expect(() => tokenizer.tokenize('dog')).toThrow(TokenizerFileError);
    expect(() => tokenizer.tokenize('dog')).toThrow(/vocab: no id for the BPE symbol "d"/);
  });

  it('keeps case when lowercase is false', () => {
    const cased = loadTokenizer({ ...FILE, lowercase: false }, { contextLength: 8 });
    expect(() => cased.tokenize('Cat')).toThrow(/"C"/);
    expect(cased.tokenize('cat')).toEqual([3]);
  });

  it('rejects texts that are not strings', () => {
    expect(() => tokenizer.encode([1 as unknown as string])).toThrow(/texts\[0\] must be a string/);
  });
});
