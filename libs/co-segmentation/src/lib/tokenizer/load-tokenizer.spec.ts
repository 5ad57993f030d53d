import { loadTokenizer } from './load-tokenizer';
import { TokenizerFileError } from './tokenizer-error';

const BPE = {
  type: 'clip-bpe',
  vocab: { a: 0, b: 1, ab: 2, 'b</w>': 3, 'ab</w>': 4, '<s>': 5, '</s>': 6 },
  merges: ['a b</w>'],
  start_token: '<s>',
  end_token: '</s>',
};
const WORD = { type: 'word', vocab: ['<p>', '<s>', '</s>', '<u>', 'x'], start_token: '<s>', end_token: '</s>', pad_token: '<p>', unknown_token: '<u>' };
const L = { contextLength: 4 };

function fieldOf(json: unknown): string {
  try {
    loadTokenizer(json, L);
  } catch (err) {
    if (err instanceof TokenizerFileError) return err.field;
    throw err;
  }
  throw new Error('no error');
}

describe('loadTokenizer', () => {
  it('defaults pad_id to 0 and lowercase to true, and accepts the file as text', () => {
    const tokenizer = loadTokenizer(JSON.stringify(BPE), L);
    expect(tokenizer.padId).toBe(0);
    expect(Array.from(tokenizer.encode(['AB']).ids)).toEqual([5, 4, 6, 0]);
  });

  it('skips a leading "#version" line of merges.txt', () => {
    expect(loadTokenizer({ ...BPE, merges: ['#version: 0.2', 'a b</w>'] }, L).tokenize('ab')).toEqual([4]);
  });

  it('names the field at fault', () => {
    expect(fieldOf({ ...BPE, type: 'sentencepiece' })).toBe('type');
    expect(fieldOf([])).toBe('(file)');
    expect(fieldOf('{not json')).toBe('(file)');
    expect(fieldOf({ ...BPE, vocab: ['a'] })).toBe('vocab');
    expect(fieldOf({ ...BPE, vocab: {} })).toBe('vocab');
    expect(fieldOf({ ...BPE, vocab: { ...BPE.vocab, b: -1 } })).toBe('vocab["b"]');
    expect(fieldOf({ ...BPE, vocab: { ...BPE.vocab, b: 1.5 } })).toBe('vocab["b"]');
    expect(fieldOf({ ...BPE, merges: 'a b' })).toBe('merges');
    expect(fieldOf({ ...BPE, merges: ['a b</w>', 'ab'] })).toBe('merges[1]');
    expect(fieldOf({ ...BPE, merges: ['a b</w>', 'a  b'] })).toBe('merges[1]');
    expect(fieldOf({ ...BPE, merges: ['a b</w>', 'a b</w>'] })).toBe('merges[1]');
    expect(fieldOf({ ...BPE, merges: ['b a'] })).toBe('merges[0]'); // "ba" is not in vocab
    expect(fieldOf({ ...BPE, start_token: undefined })).toBe('start_token');
    expect(fieldOf({ ...BPE, end_token: '<eos>' })).toBe('end_token');
    expect(fieldOf({ ...BPE, pad_id: -1 })).toBe('pad_id');
    expect(fieldOf({ ...BPE, lowercase: 'yes' })).toBe('lowercase');
    expect(fieldOf({ ...WORD, vocab: [] })).toBe('vocab');
    expect(fieldOf({ ...WORD, vocab: [...WORD.vocab, 'x'] })).toBe('vocab[5]');
    expect(fieldOf({ ...WORD, vocab: [...WORD.vocab, 3] })).toBe('vocab[5]');
    expect(fieldOf({ ...WORD, unknown_token: '<unknown>' })).toBe('unknown_token');
    expect(fieldOf({ ...WORD, pad_token: 7 })).toBe('pad_token');
  });

  it('says what is wrong in the message', () => {
    expect(() => loadTokenizer({ ...BPE, merges: ['b a'] }, L)).toThrow(
      'tokenizer file: merges[0]: the merged symbol "ba" is not in vocab',
    );
    expect(() => loadTokenizer({ ...WORD, vocab: [...WORD.vocab, 'x'] }, L)).toThrow('"x" repeats vocab[4]');
  });

  it('needs a context length of at least 2', () => {
    expect(() => loadTokenizer(BPE, { contextLength: 1 })).toThrow(RangeError);
    expect(() => loadTokenizer(WORD, { contextLength: 2.5 })).toThrow(RangeError);
  });
});
