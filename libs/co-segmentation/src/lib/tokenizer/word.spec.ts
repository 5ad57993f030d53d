import { loadTokenizer } from './load-tokenizer';

const FILE = {
  type: 'word',
  vocab: ['<pad>', '<start>', '<end>', '<unk>', 'a', 'photo', 'of', 'cat', 'dining', 'table', 'café'],
  start_token: '<start>',
  end_token: '<end>',
  pad_token: '<pad>',
  unknown_token: '<unk>',
  lowercase: true,
};

describe('word tokenizer', () => {
  it('splits on non-letters, lower-cases and maps unknown words to the unknown token', () => {
    const tokenizer = loadTokenizer(FILE, { contextLength: 12 });
    expect(tokenizer.type).toBe('word');
    expect(tokenizer.tokenize('A photo of a DINING-table2 dog!')).toEqual([4, 5, 6, 4, 8, 9, 3]);
    expect(tokenizer.tokenize('cafe\u0301')).toEqual([10]);
  });

  it('wraps, pads and truncates like the BPE tokenizer', () => {
    const tokenizer = loadTokenizer(FILE, { contextLength: 5 });
    expect(Array.from(tokenizer.encode(['cat']).ids)).toEqual([1, 7, 2, 0, 0]);
    expect(Array.from(tokenizer.encode(['a photo of a cat']).ids)).toEqual([1, 4, 5, 6, 2]);
  });

  it('keeps case when lowercase is false', () => {
    const tokenizer = loadTokenizer({ ...FILE, lowercase: false }, { contextLength: 5 });
    expect(tokenizer.tokenize('Cat cat')).toEqual([3, 7]);
  });
});
