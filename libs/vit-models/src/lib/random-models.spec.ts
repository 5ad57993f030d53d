import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadTokenizer } from '@fmwiss/co-segmentation';
import { checkClipImageContract, checkClipTextContract, checkVitAttentionContract, hostTensor, openModel } from '@fmwiss/model-backends';
import { initTensorRuntime } from '@fmwiss/tensor-runtime';

import { randomClipModels, randomVitAttentionModel, WORD_END_ID, wordTokenizer } from '../index';

let dir: string;
beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  await initTensorRuntime({ backend: 'wasm' });
  dir = await mkdtemp(path.join(tmpdir(), 'vit-models-random-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('wordTokenizer', () => {
  it('puts the specials first and keeps each word once, lower-cased', () => {
    const tokenizer = wordTokenizer(['Cat', 'dog', 'cat']);
    expect(tokenizer.vocab).toEqual(['<pad>', '<start>', '<end>', '<unk>', 'cat', 'dog']);
    expect(tokenizer.vocab[WORD_END_ID]).toBe(tokenizer.end_token);
    expect(() => wordTokenizer(['potted plant'])).toThrow(/letters only/);
  });
});

describe('random models', () => {
  it('randomClipModels writes a CLIP pair and its tokenizer that satisfy their contracts', async () => {
    const before = tf.memory().numTensors;
    const files = await randomClipModels(path.join(dir, 'clip'), 5, {
      image: { imageSize: 32, patchSize: 8, width: 16, depth: 1, heads: 2, outputDim: 8 },
      text: { contextLength: 8, width: 16, depth: 1, heads: 2, outputDim: 8 },
      words: ['cat', 'dog'],
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(files.text.vocabSize).toBe(6);
    const tokenizer = JSON.parse(await readFile(files.tokenizerPath, 'utf8'));
    expect(tokenizer).toMatchObject({ type: 'word', vocab: ['<pad>', '<start>', '<end>', '<unk>', 'cat', 'dog'], end_token: '<end>', lowercase: true });
    const image = await openModel(`onnx:${files.imagePath}`);
    const text = await openModel(`onnx:${files.textPath}`);
    try {
      expect(checkClipImageContract(image.metadata())).toMatchObject({ inputSize: 32, gridSize: 4, embeddingDim: 8 });
      expect(checkClipTextContract(text.metadata())).toMatchObject({ contextLength: 8, embeddingDim: 8, tokenizerPath: files.tokenizerPath });
      expect(image.metadata().properties['fmwiss.weights']).toBe('random seed 5');
      const out = await image.infer({ pixels: hostTensor('float32', [2, 3, 32, 32], new Float32Array(2 * 3 * 32 * 32).fill(0.5)) });
      expect(out.dense_embeddings!.shape).toEqual([2, 4, 4, 8]);
      // The project's tokenizer reads the file; its end id is the one the text model looks for.
      const encoded = loadTokenizer(tokenizer, { contextLength: 8 }).encode(['a photo of a cat', 'dog']);
      expect(Array.from(encoded.ids)).toEqual([1, 3, 3, 3, 3, 4, WORD_END_ID, 0, 1, 5, WORD_END_ID, 0, 0, 0, 0, 0]);
      const ids = BigInt64Array.from(Array.from(encoded.ids, BigInt));
      expect((await text.infer({ token_ids: hostTensor('int64', [2, 8], ids) })).text_embedding!.shape).toEqual([2, 8]);
    } finally {
      await Promise.all([image.dispose(), text.dispose()]);
    }
  });

  it('randomVitAttentionModel writes a vit-attention/1 model (no projection by default)', async () => {
    const file = path.join(dir, 'vit', 'dino.onnx');
    const config = await randomVitAttentionModel(file, 6, { config: { imageSize: 32, patchSize: 8, width: 16, depth: 1, heads: 2 } });
    expect(config.outputDim).toBe(0);
    const vit = await openModel(`onnx:${file}`);
    try {
      expect(checkVitAttentionContract(vit.metadata())).toMatchObject({ inputSize: 32, tokens: 17, heads: 2, mean: [0.485, 0.456, 0.406] });
    } finally {
      await vit.dispose();
    }
  });

  it('refuses image and text towers of different embedding sizes', async () => {
    await expect(randomClipModels(path.join(dir, 'bad'), 1, { image: { imageSize: 16, patchSize: 8, outputDim: 32 } })).rejects.toThrow(/same size/);
  });
});
