import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { checkClipImageContract, checkClipTextContract, checkVitAttentionContract, hostTensor, openModel } from '@fmwiss/model-backends';

import { blobAttention, writeBlobVit } from './blob-vit';
import { writeColourClip } from './colour-clip';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'model-fixtures-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the known-answer models', () => {
  it('satisfy their contracts and compute what their comments say', async () => {
    const files = await writeColourClip(dir);
    const image = await openModel(`onnx:${files.imagePath}`);
    const text = await openModel(`onnx:${files.textPath}`);
    const vit = await openModel(`onnx:${await writeBlobVit(path.join(dir, 'vit.onnx'))}`);
    try {
      expect(checkClipImageContract(image.metadata())).toMatchObject({ inputSize: 32, patchSize: 8, gridSize: 4, embeddingDim: 3 });
      expect(checkClipTextContract(text.metadata())).toMatchObject({ contextLength: 12, embeddingDim: 3, tokenizerPath: files.tokenizerPath, tokenDType: 'int64' });
      expect(checkVitAttentionContract(vit.metadata())).toMatchObject({ inputSize: 64, gridSize: 8, tokens: 65, heads: 2, prefixTokens: 1 });

      // A uniform colour image: every patch embedding is that colour.
      const pixels = new Float32Array(3 * 32 * 32);
      pixels.fill(0.25, 0, 1024).fill(0.5, 1024, 2048).fill(1, 2048);
      const dense = (await image.infer({ pixels: hostTensor('float32', [1, 3, 32, 32], pixels) })).dense_embeddings!;
      expect(dense.shape).toEqual([1, 4, 4, 3]);
      expect(Array.from(dense.data as Float32Array).slice(0, 6)).toEqual([0.25, 0.5, 1, 0.25, 0.5, 1]);

      // Token ids: <start> red gray a <end> -> (1,0,0) + (1,1,1).
      const ids = BigInt64Array.from([1, 4, 7, 8, 2, 0, 0, 0, 0, 0, 0, 0].map(BigInt));
      const embedding = (await text.infer({ token_ids: hostTensor('int64', [1, 12], ids) })).text_embedding!;
      expect(Array.from(embedding.data as Float32Array)).toEqual([2, 1, 1]);

      const out = await vit.infer({ pixels: hostTensor('float32', [2, 3, 64, 64], new Float32Array(2 * 3 * 64 * 64)) });
      expect(out.attention!.shape).toEqual([2, 2, 65, 65]);
      expect(Array.from(out.patch_grid!.data as BigInt64Array)).toEqual([8n, 8n]);
      const attention = out.attention!.data as Float32Array;
      for (let row = 0; row < 2 * 2 * 65; row++) {
        const sum = attention.subarray(row * 65, (row + 1) * 65).reduce((a, b) => a + b, 0);
        expect(sum).toBeCloseTo(1, 5);
      }
    } finally {
      await Promise.all([image.dispose(), text.dispose(), vit.dispose()]);
    }
  });

  it('the blob of an interior patch covers its 3x3 neighbourhood in head 0 and the patch alone in head 1', () => {
    const grid = 4;
    const tokens = 17;
    const attention = blobAttention(grid, 1);
    const p = 1 * grid + 1;
    const row0 = Array.from(attention.subarray((1 + p) * tokens, (2 + p) * tokens));
    const expected0 = Array.from({ length: tokens }, (_, k) => (k > 0 && Math.abs(Math.floor((k - 1) / grid) - 1) <= 1 && Math.abs(((k - 1) % grid) - 1) <= 1 ? 1 / 9 : 0));
    row0.forEach((v, k) => expect(v).toBeCloseTo(expected0[k]!, 7));
    const row1 = attention.subarray(tokens * tokens + (1 + p) * tokens, tokens * tokens + (2 + p) * tokens);
    expect(Array.from(row1).map((v, k) => (v ? k : -1)).filter((k) => k >= 0)).toEqual([1 + p]);
  });
});
