// Issue 6 item 3: the exported ONNX models compute what the TensorFlow.js models compute (max abs
// difference below 1e-4 on every output), run by onnxruntime through @fmwiss/model-backends, and
// satisfy their contracts. Set VIT_MODELS_REPORT=1 to print the differences.
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { checkClipImageContract, checkClipTextContract, checkVitAttentionContract, hostTensor, openModel } from '@fmwiss/model-backends';
import { initTensorRuntime } from '@fmwiss/tensor-runtime';

import { maxAbsDiff, perturbWeights } from '../../test/helpers';
import {
  CLIP_MEAN,
  CLIP_STD,
  createTextWeights,
  createVitWeights,
  disposeWeights,
  encodeImage,
  encodeText,
  exportClipImageModel,
  exportClipTextModel,
  exportVitAttentionModel,
  IMAGENET_MEAN,
  IMAGENET_STD,
  type TextConfig,
  type VitConfig,
  wordTokenizer,
} from '../index';

const TOLERANCE = 1e-4;
const SMALL: VitConfig = { imageSize: 16, patchSize: 4, width: 16, depth: 2, heads: 2, outputDim: 8 };
const SMALL_TEXT: TextConfig = { vocabSize: 30, endId: 2, contextLength: 8, width: 16, depth: 2, heads: 2, outputDim: 8 };

let dir: string;
beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  await initTensorRuntime({ backend: 'wasm' });
  dir = await mkdtemp(path.join(tmpdir(), 'vit-models-parity-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function report(what: string, diff: number, values: tf.Tensor): void {
  if (!process.env['VIT_MODELS_REPORT']) return;
  const scale = tf.tidy(() => tf.max(tf.abs(values)).dataSync()[0]!);
  process.stdout.write(`parity ${what}: max abs diff ${diff.toExponential(2)} (max |value| ${scale.toPrecision(3)})\n`);
}

async function writeTemp(name: string, bytes: Uint8Array): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  return file;
}

/** Seeded NHWC pixels [B,S,S,3] and the same as NCHW for onnxruntime. */
function pixelPair(batch: number, size: number, seed: number): { nhwc: tf.Tensor4D; nchw: Float32Array } {
  const nhwc = tf.randomNormal([batch, size, size, 3], 0, 1, 'float32', seed) as tf.Tensor4D;
  const nchw = tf.tidy(() => tf.transpose(nhwc, [0, 3, 1, 2]).dataSync() as Float32Array);
  return { nhwc, nchw: new Float32Array(nchw) };
}

async function imageParity(what: string, config: VitConfig, batch: number, seed: number): Promise<void> {
  const weights = createVitWeights(config, seed);
  perturbWeights(weights, seed);
  const file = await writeTemp(`${what}-image.onnx`, exportClipImageModel(weights, { mean: CLIP_MEAN, std: CLIP_STD, extraMetadata: { 'fmwiss.test': what } }));
  const attentionFile = await writeTemp(`${what}-vit.onnx`, exportVitAttentionModel(weights, { mean: IMAGENET_MEAN, std: IMAGENET_STD }));
  const image = await openModel(`onnx:${file}`);
  const vit = await openModel(`onnx:${attentionFile}`);
  const { config: c } = weights;
  const g = c.imageSize / c.patchSize;
  const { nhwc, nchw } = pixelPair(batch, c.imageSize, seed);
  try {
    expect(checkClipImageContract(image.metadata())).toEqual({
      inputSize: c.imageSize,
      patchSize: c.patchSize,
      gridSize: g,
      mean: CLIP_MEAN,
      std: CLIP_STD,
      embeddingDim: c.outputDim || c.width,
    });
    expect(image.metadata().properties['fmwiss.test']).toBe(what);
    expect(checkVitAttentionContract(vit.metadata())).toMatchObject({ tokens: 1 + g * g, heads: c.heads, prefixTokens: 1, gridSize: g });

    const ours = encodeImage(weights, nhwc, { dense: true, attention: true });
    const pixels = hostTensor('float32', [batch, 3, c.imageSize, c.imageSize], nchw);
    const theirs = await image.infer({ pixels });
    const attention = await vit.infer({ pixels });
    expect(theirs.dense_embeddings!.shape).toEqual(ours.dense!.shape);
    expect(theirs.global_embedding!.shape).toEqual(ours.global.shape);
    expect(attention.attention!.shape).toEqual(ours.lastAttention!.shape);
    expect(Array.from(attention.patch_grid!.data as BigInt64Array)).toEqual([BigInt(g), BigInt(g)]);
    const diffs = {
      dense: maxAbsDiff(ours.dense!.dataSync(), theirs.dense_embeddings!.data as Float32Array),
      global: maxAbsDiff(ours.global.dataSync(), theirs.global_embedding!.data as Float32Array),
      attention: maxAbsDiff(ours.lastAttention!.dataSync(), attention.attention!.data as Float32Array),
    };
    const outputs = { dense: ours.dense!, global: ours.global, attention: ours.lastAttention! };
    for (const [output, diff] of Object.entries(diffs)) report(`${what} ${output} (${tf.getBackend()}, batch ${batch})`, diff, outputs[output as keyof typeof outputs]);
    expect(diffs.dense).toBeLessThan(TOLERANCE);
    expect(diffs.global).toBeLessThan(TOLERANCE);
    expect(diffs.attention).toBeLessThan(TOLERANCE);
    // Not a constant function: images give different embeddings.
    expect(maxAbsDiff(ours.global.slice([0, 0], [1, -1]).dataSync(), ours.global.slice([1, 0], [1, -1]).dataSync())).toBeGreaterThan(1e-3);
    tf.dispose(ours as unknown as tf.TensorContainer);
  } finally {
    nhwc.dispose();
    disposeWeights(weights);
    await Promise.all([image.dispose(), vit.dispose()]);
  }
}

/** Token rows: start, words, end, padding; one without an end token; one ending at the last position. */
function tokenRows(batch: number, length: number, vocab: number, seed: number): number[][] {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648) % (vocab - 4);
  return Array.from({ length: batch }, (_, b) => {
    const words = b === 1 ? length - 1 : b === 2 ? length - 2 : 1 + (b % (length - 2));
    const row = [1, ...Array.from({ length: words }, () => 4 + next())];
    if (b !== 1) row.push(2);
    while (row.length < length) row.push(0);
    return row.slice(0, length);
  });
}

async function textParity(what: string, config: TextConfig, batch: number, seed: number): Promise<void> {
  const weights = createTextWeights(config, seed);
  perturbWeights(weights, seed);
  const tokenizerFile = `${what}-text.tokenizer.json`;
  await writeFile(path.join(dir, tokenizerFile), JSON.stringify(wordTokenizer()));
  const file = await writeTemp(`${what}-text.onnx`, exportClipTextModel(weights, { tokenizerFile }));
  const text = await openModel(`onnx:${file}`);
  const L = weights.config.contextLength;
  const rows = tokenRows(batch, L, weights.config.vocabSize, seed);
  const ids = tf.tensor2d(rows, [batch, L], 'int32');
  try {
    expect(checkClipTextContract(text.metadata())).toEqual({
      contextLength: L,
      embeddingDim: weights.config.outputDim,
      tokenizerPath: path.join(dir, tokenizerFile),
      tokenDType: 'int64',
    });
    const ours = encodeText(weights, ids);
    const theirs = await text.infer({ token_ids: hostTensor('int64', [batch, L], BigInt64Array.from(rows.flat().map(BigInt))) });
    expect(theirs.text_embedding!.shape).toEqual(ours.shape);
    const diff = maxAbsDiff(ours.dataSync(), theirs.text_embedding!.data as Float32Array);
    report(`${what} text_embedding (${tf.getBackend()}, batch ${batch})`, diff, ours);
    expect(diff).toBeLessThan(TOLERANCE);
    ours.dispose();
  } finally {
    ids.dispose();
    disposeWeights(weights);
    await text.dispose();
  }
}

describe('ONNX export: onnxruntime agrees with TensorFlow.js (wasm)', () => {
  it('small image model (clip-image/1 and vit-attention/1), batch 3', async () => {
    await imageParity('small', SMALL, 3, 11);
  });

  it('small DINO-style image model without projection, batch 1', async () => {
    await imageParity('small-dino', { ...SMALL, outputDim: 0, heads: 4 }, 1, 12);
  });

  it('the default image model (96 px, patch 8, width 64, 4 blocks), batch 2', async () => {
    await imageParity('default', {}, 2, 13);
  });

  it('small text model (clip-text/1), batch 4: end token early, absent, last', async () => {
    await textParity('small', SMALL_TEXT, 4, 14);
  });

  it('the default text model (context 16, width 64, 2 blocks), batch 3', async () => {
    await textParity('default', { vocabSize: 60, endId: 2 }, 3, 15);
  });
});

describe('ONNX export: onnxruntime agrees with TensorFlow.js (cpu)', () => {
  beforeAll(async () => {
    await initTensorRuntime({ backend: 'cpu' });
  });
  afterAll(async () => {
    await initTensorRuntime({ backend: 'wasm' });
  });

  it('small image and text models', async () => {
    await imageParity('small-cpu', SMALL, 2, 21);
    await textParity('small-cpu', SMALL_TEXT, 3, 22);
  });
});

describe('export checks', () => {
  it('refuses weights that do not fit the config, and metadata that would override the contract', () => {
    const weights = createVitWeights(SMALL, 1);
    try {
      expect(() => exportClipImageModel({ config: { ...SMALL, width: 32 }, tensors: weights.tensors }, { mean: CLIP_MEAN, std: CLIP_STD })).toThrow(
        /patch_embed.weight has shape \[4,4,3,16\], the config needs \[4,4,3,32\]/,
      );
      expect(() => exportClipImageModel(weights, { mean: CLIP_MEAN, std: CLIP_STD, extraMetadata: { 'fmwiss.contract': 'x' } })).toThrow(/may not override fmwiss.contract/);
      expect(() => exportVitAttentionModel(weights, { mean: CLIP_MEAN, std: [1, 0, 1] })).toThrow(/std must be 3 finite numbers, positive/);
    } finally {
      disposeWeights(weights);
    }
  });
});
