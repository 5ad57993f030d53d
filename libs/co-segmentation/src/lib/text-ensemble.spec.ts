import { InvalidArgumentError } from '@fmwiss/service-kit';
import { l2NormalizeRows } from './l2-normalize';
import { ensembleClassEmbeddings, ensembleTextEmbeddings } from './text-ensemble';
import { templatesHash, TextEmbeddingCache } from './text-embedding-cache';

function close(actual: Float32Array, expected: number[], digits = 6): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((v, i) => expect(actual[i]).toBeCloseTo(v, digits));
}

describe('l2NormalizeRows', () => {
  it('normalises each row and leaves a zero row at zero', () => {
    close(l2NormalizeRows(Float32Array.of(3, 4, 0, 0, 0, -2), 2), [0.6, 0.8, 0, 0, 0, -1]);
  });
});

describe('ensembleTextEmbeddings', () => {
  it('normalises each template, averages, normalises again', () => {
    // [3,4] -> [0.6,0.8]; [0,2] -> [0,1]; mean [0.3,0.9]; norm sqrt(0.9).
    const s = Math.sqrt(0.9);
    close(ensembleTextEmbeddings(Float32Array.of(3, 4, 0, 2), 2, 2), [0.3 / s, 0.9 / s]);
  });

  it('weighs templates equally whatever their norms', () => {
    close(ensembleTextEmbeddings(Float32Array.of(100, 0, 0, 0.01), 2, 2), [Math.SQRT1_2, Math.SQRT1_2]);
  });

  it('gives zeros for zero input and rejects a wrong length', () => {
    close(ensembleTextEmbeddings(new Float32Array(4), 2, 2), [0, 0]);
    expect(() => ensembleTextEmbeddings(new Float32Array(5), 2, 2)).toThrow(InvalidArgumentError);
  });

  it('ensembles class-major blocks', () => {
    const out = ensembleClassEmbeddings(Float32Array.of(1, 0, 1, 0, 0, 5, 0, 1), 2, 2, 2);
    close(out, [1, 0, 0, 1]);
    expect(() => ensembleClassEmbeddings(new Float32Array(6), 2, 2, 2)).toThrow(/need 8 values, got 6/);
  });
});

describe('TextEmbeddingCache', () => {
  const hashA = templatesHash(['a {}.', 'the {}.']);
  const hashB = templatesHash(['the {}.', 'a {}.']);

  it('hashes template lists stably', () => {
    expect(templatesHash(['a {}.', 'the {}.'])).toBe(hashA);
    expect(hashB).not.toBe(hashA);
    expect(templatesHash(['a {}.the {}.'])).not.toBe(hashA);
  });

  it('keys by class name and templates, and evicts the least recently used', () => {
    const cache = new TextEmbeddingCache(2);
    const cat = Float32Array.of(1);
    const dog = Float32Array.of(2);
    cache.set('cat', hashA, cat);
    cache.set('dog', hashA, dog);
    expect(cache.get('cat', hashB)).toBeUndefined();
    expect(cache.get('cat', hashA)).toBe(cat); // cat is now the most recent
    cache.set('cow', hashA, Float32Array.of(3)); // evicts dog
    expect(cache.size).toBe(2);
    expect(cache.get('dog', hashA)).toBeUndefined();
    expect(cache.get('cat', hashA)).toBe(cat);
    cache.set('cat', hashA, Float32Array.of(4)); // replace, no growth
    expect(cache.size).toBe(2);
    expect(Array.from(cache.get('cat', hashA)!)).toEqual([4]);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('needs a positive bound', () => {
    expect(() => new TextEmbeddingCache(0)).toThrow(InvalidArgumentError);
  });
});
