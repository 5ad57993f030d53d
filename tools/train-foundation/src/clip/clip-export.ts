// Export of a trained mini-CLIP under clip-image/1 and clip-text/1, then a read-back through the
// project's own consumer path (@fmwiss/model-backends + co-segmentation's ClipModels): contract
// checks, the tokenizer file, and the ONNX embeddings against TensorFlow.js's.
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

import { ClipModels, type Tokenizer } from '@fmwiss/co-segmentation';
import type { RgbImage } from '@fmwiss/imaging';
import { imagesToPixels, openModel } from '@fmwiss/model-backends';
import { exportClipImageModel, exportClipTextModel, type TextWeights, type VitWeights, type WordTokenizerFile } from '@fmwiss/vit-models';

import type { Rgb } from '../shared/pixels';
import { embedImages } from '../shared/embed-images';
import { embedTexts } from './retrieval';

export const CLIP_FILES = Object.freeze({ image: 'clip-image.onnx', text: 'clip-text.onnx', tokenizer: 'clip-text.tokenizer.json' });

export interface ClipExportInput {
  image: VitWeights;
  text: TextWeights;
  tokenizerFile: WordTokenizerFile;
  mean: Rgb;
  std: Rgb;
  /** More fmwiss.* metadata_props (what the weights are). */
  metadata: Record<string, string>;
}

/** Writes the three files into `outDir`; returns their names. */
export async function exportMiniClip(outDir: string, input: ClipExportInput): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const imageBytes = exportClipImageModel(input.image, { mean: input.mean, std: input.std, extraMetadata: input.metadata });
  const textBytes = exportClipTextModel(input.text, { tokenizerFile: CLIP_FILES.tokenizer, extraMetadata: input.metadata });
  await writeFile(path.join(outDir, CLIP_FILES.image), imageBytes);
  await writeFile(path.join(outDir, CLIP_FILES.text), textBytes);
  await writeFile(path.join(outDir, CLIP_FILES.tokenizer), JSON.stringify(input.tokenizerFile, null, 2) + '\n');
  return [CLIP_FILES.image, CLIP_FILES.text, CLIP_FILES.tokenizer];
}

export interface ExportCheck {
  /** Largest |ONNX - TensorFlow.js| of the global image embeddings of the images. */
  maxImageDifference: number;
  /** Largest |ONNX - TensorFlow.js| of the text embeddings (through the exported tokenizer file). */
  maxTextDifference: number;
  /** The ONNX embeddings, [N,D] each. */
  onnxImages: Float32Array;
  onnxTexts: Float32Array;
}

/**
 * Opens the exported files as the clip-mask service does (contracts and tokenizer checked; throws
 * ModelContractError otherwise) and embeds `images` and `texts` with them and with TensorFlow.js.
 */
export async function checkExportedClip(
  outDir: string,
  input: { image: VitWeights; text: TextWeights; tokenizer: Tokenizer; mean: Rgb; std: Rgb },
  images: readonly RgbImage[],
  texts: readonly string[],
): Promise<ExportCheck> {
  const image = await openModel(`onnx:${path.join(outDir, CLIP_FILES.image)}`);
  const text = await openModel(`onnx:${path.join(outDir, CLIP_FILES.text)}`).catch(async (error) => {
    await image.dispose();
    throw error;
  });
  try {
    const clip = await ClipModels.open(image, text);
    const parts: Float32Array[] = [];
    for (let start = 0; start < images.length; start += 32) {
      const pixels = imagesToPixels(images.slice(start, start + 32), clip.imageContract);
      const outputs = await image.infer({ pixels }, { outputs: ['global_embedding'] });
      parts.push(outputs['global_embedding']!.data as Float32Array);
    }
    const onnxImages = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (onnxImages.set(p, at), at + p.length), 0);
    const onnxTexts = await clip.encodeTexts(texts);
    const tfImages = embedImages(input.image, images, input.mean, input.std);
    const tfTexts = embedTexts(input.text, input.tokenizer, texts);
    return { maxImageDifference: maxAbsDifference(onnxImages, tfImages), maxTextDifference: maxAbsDifference(onnxTexts, tfTexts), onnxImages, onnxTexts };
  } finally {
    await image.dispose();
    await text.dispose();
  }
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}
