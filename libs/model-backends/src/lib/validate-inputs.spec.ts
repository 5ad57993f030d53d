import type { ModelMetadata } from './backend';
import { ModelInputError } from './errors';
import { formatShape, validateInputs, validateOutputNames } from './validate-inputs';

const model: Pick<ModelMetadata, 'name' | 'inputs' | 'outputs'> = {
  name: 'clip-image',
  inputs: [
    { name: 'pixels', dtype: 'float32', shape: [null, 3, 4, 4] },
    { name: 'token_ids', dtype: 'int64', shape: [null, 5] },
  ],
  outputs: [
    { name: 'dense_embeddings', dtype: 'float32', shape: [null, 2, 2, 8] },
    { name: 'global_embedding', dtype: 'float32', shape: [null, 8] },
  ],
};

const pixels = (batch: number) => ({ dtype: 'float32' as const, shape: [batch, 3, 4, 4], data: new Float32Array(batch * 48) });
const tokens = (batch: number) => ({ dtype: 'int64' as const, shape: [batch, 5], data: new BigInt64Array(batch * 5) });

describe('validateInputs', () => {
  it('accepts any batch for a dynamic dimension', () => {
    for (const batch of [0, 1, 7]) expect(() => validateInputs(model, { pixels: pixels(batch), token_ids: tokens(batch) })).not.toThrow();
  });

  it('lists every problem in one ModelInputError', () => {
    let error: unknown;
    try {
      validateInputs(model, {
        pixels: { dtype: 'float32', shape: [1, 3, 8, 4], data: new Float32Array(10) },
        extra: { dtype: 'uint8', shape: [1], data: new Uint8Array(1) },
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ModelInputError);
    expect((error as Error).message).toBe(
      [
        'inputs of model clip-image do not match its declared inputs:',
        "  input 'pixels': dimension 2 is 8, the model declares 4 [?,3,4,4]",
        "  input 'pixels': shape [1,3,8,4] needs 96 elements, the data holds 10",
        "  input 'token_ids' is missing: the model declares int64 [?,5]",
        "  input 'extra' is not an input of the model (it declares 'pixels', 'token_ids')",
      ].join('\n'),
    );
  });

  it('checks dtype, typed array, rank and shape values', () => {
    const check = (inputs: Parameters<typeof validateInputs>[1]) => () => validateInputs(model, inputs);
    expect(check({ pixels: pixels(1), token_ids: { dtype: 'int32', shape: [1, 5], data: new Int32Array(5) } })).toThrow(
      "input 'token_ids': dtype int32, the model declares int64",
    );
    expect(check({ pixels: pixels(1), token_ids: { dtype: 'int64', shape: [1, 5], data: new Int32Array(5) as never } })).toThrow(
      "input 'token_ids': int64 data must be a BigInt64Array",
    );
    expect(check({ pixels: { ...pixels(1), shape: [48] }, token_ids: tokens(1) })).toThrow("input 'pixels': rank 1 (shape [48]), the model declares rank 4 [?,3,4,4]");
    expect(check({ pixels: { ...pixels(1), shape: [1, 3, 4, 4.5] }, token_ids: tokens(1) })).toThrow('shape must be a list of integers >= 0');
  });
});

describe('validateOutputNames', () => {
  it('returns known names without duplicates, and refuses unknown ones', () => {
    expect(validateOutputNames(model, ['global_embedding', 'global_embedding'])).toEqual(['global_embedding']);
    expect(() => validateOutputNames(model, ['logits', 'global_embedding', 'x'])).toThrow(
      new ModelInputError("model clip-image has no output 'logits', 'x'; it declares 'dense_embeddings', 'global_embedding'"),
    );
  });
});

describe('formatShape', () => {
  it('writes dynamic dimensions as ?', () => expect(formatShape([null, 3, 224, 224])).toBe('[?,3,224,224]'));
});
