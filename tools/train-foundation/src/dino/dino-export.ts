// Export of the trained mini-DINO teacher under vit-attention/1, read back through the seed refiner's
// path (@fmwiss/model-backends + co-segmentation's VitAttentionModel) and compared with TensorFlow.js.
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';

import { VitAttentionModel } from '@fmwiss/co-segmentation';
import type { RgbImage } from '@fmwiss/imaging';
import { openModel } from '@fmwiss/model-backends';
import { encodeImage, exportVitAttentionModel, type VitWeights } from '@fmwiss/vit-models';

import { plainPixels, type Rgb } from '../shared/pixels';

export const DINO_FILE = 'vit-attention.onnx';

export async function exportMiniDino(outDir: string, vit: VitWeights, mean: Rgb, std: Rgb, metadata: Record<string, string>): Promise<string> {
  await mkdir(outDir, { recursive: true });
  await writeFile(path.join(outDir, DINO_FILE), exportVitAttentionModel(vit, { mean, std, extraMetadata: metadata }));
  return DINO_FILE;
}

/** Opens the export as the seed refiner does (contract checked) and compares its attention with TensorFlow.js's. */
export async function checkExportedDino(outDir: string, vit: VitWeights, mean: Rgb, std: Rgb, images: readonly RgbImage[]): Promise<{ maxAttentionDifference: number; heads: number; tokens: number }> {
  const backend = await openModel(`onnx:${path.join(outDir, DINO_FILE)}`);
  try {
    const model = VitAttentionModel.open(backend);
    const S = vit.config.imageSize;
    let max = 0;
    let heads = 0;
    let tokens = 0;
    for (const image of images) {
      const onnx = await model.attention(image);
      heads = onnx.heads;
      tokens = onnx.tokens;
      const input = tf.tensor4d(plainPixels(image, S, mean, std), [1, S, S, 3]);
      const { global, lastAttention } = encodeImage(vit, input, { attention: true });
      const ours = lastAttention!.dataSync() as Float32Array;
      if (ours.length !== onnx.data.length) max = Number.POSITIVE_INFINITY;
      else for (let i = 0; i < ours.length; i++) max = Math.max(max, Math.abs(ours[i]! - onnx.data[i]!));
      tf.dispose([input, global, lastAttention!]);
    }
    return { maxAttentionDifference: max, heads, tokens };
  } finally {
    await backend.dispose();
  }
}
