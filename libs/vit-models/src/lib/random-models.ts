// Exported models with seeded random weights: the real architecture and contracts, meaningless
// answers. Benchmarks and smoke runs use them before trained models exist.
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { SeedPart } from '@fmwiss/random';

import { type ResolvedTextConfig, type ResolvedVitConfig, type TextConfig, type VitConfig } from './config';
import { exportClipImageModel, exportClipTextModel, exportVitAttentionModel, type Rgb } from './onnx-export';
import { createTextWeights, createVitWeights, disposeWeights } from './weights';

/** CLIP's pixel normalisation. */
export const CLIP_MEAN: Rgb = [0.48145466, 0.4578275, 0.40821073];
export const CLIP_STD: Rgb = [0.26862954, 0.26130258, 0.27577711];
/** ImageNet's (DINO's). */
export const IMAGENET_MEAN: Rgb = [0.485, 0.456, 0.406];
export const IMAGENET_STD: Rgb = [0.229, 0.224, 0.225];

/** The special tokens of the project's `word` tokenizers, ids 0..3. */
export const WORD_SPECIALS = ['<pad>', '<start>', '<end>', '<unk>'] as const;
export const WORD_END_ID = 2;

/** Words of the default vocabulary: the VOC class names as prompts spell them, and template filler. */
export const DEFAULT_WORDS: readonly string[] = Object.freeze([
  ...['aeroplane', 'airplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow', 'dining', 'table', 'dog', 'horse'],
  ...['motorbike', 'person', 'potted', 'plant', 'sheep', 'sofa', 'train', 'tv', 'monitor', 'background', 'sky', 'ground', 'grass', 'wall'],
  ...['a', 'an', 'the', 'photo', 'of', 'there', 'is', 'in', 'scene', 'many', 'bad', 'good', 'my', 'one', 'picture', 'image', 'small', 'large'],
]);

/** A `word` tokenizer file (docs/model-contracts.md): the specials first, then `words` (deduplicated). */
export interface WordTokenizerFile {
  type: 'word';
  vocab: string[];
  start_token: string;
  end_token: string;
  pad_token: string;
  unknown_token: string;
  lowercase: boolean;
}

export function wordTokenizer(words: readonly string[] = DEFAULT_WORDS): WordTokenizerFile {
  const vocab: string[] = [...WORD_SPECIALS];
  for (const word of words) {
    const lower = word.toLowerCase();
    if (!/^\p{L}+$/u.test(lower)) throw new RangeError(`a word of a word tokenizer is letters only, got "${word}"`);
    if (!vocab.includes(lower)) vocab.push(lower);
  }
  return { type: 'word', vocab, start_token: '<start>', end_token: '<end>', pad_token: '<pad>', unknown_token: '<unk>', lowercase: true };
}

export interface RandomClipOptions {
  /** The image tower (default: the default VitConfig). Its outputDim must equal the text model's. */
  image?: VitConfig;
  /** The text tower; vocabSize and endId come from the tokenizer. */
  text?: Omit<TextConfig, 'vocabSize' | 'endId'>;
  /** The tokenizer's words (default DEFAULT_WORDS). */
  words?: readonly string[];
  mean?: Rgb;
  std?: Rgb;
}

export interface RandomClipFiles {
  imagePath: string;
  textPath: string;
  tokenizerPath: string;
  image: ResolvedVitConfig;
  text: ResolvedTextConfig;
}

/**
 * Writes clip-image.onnx, clip-text.onnx and clip-text.tokenizer.json (word tokenizer) with random
 * weights from `seed` into `dir`. Uses the active tfjs backend briefly; leaves no tensor behind.
 */
export async function randomClipModels(dir: string, seed: SeedPart, options: RandomClipOptions = {}): Promise<RandomClipFiles> {
  const tokenizer = wordTokenizer(options.words);
  const image = createVitWeights(options.image ?? {}, seed, { trainable: false });
  let text;
  try {
    text = createTextWeights({ ...options.text, vocabSize: tokenizer.vocab.length, endId: WORD_END_ID }, seed, { trainable: false });
  } catch (error) {
    disposeWeights(image);
    throw error;
  }
  try {
    const imageDim = image.config.outputDim || image.config.width;
    if (imageDim !== text.config.outputDim) {
      throw new RangeError(`the image embedding (${imageDim}) and the text embedding (${text.config.outputDim}) must have the same size`);
    }
    await mkdir(dir, { recursive: true });
    const files = {
      imagePath: path.join(dir, 'clip-image.onnx'),
      textPath: path.join(dir, 'clip-text.onnx'),
      tokenizerPath: path.join(dir, 'clip-text.tokenizer.json'),
    };
    const imageBytes = exportClipImageModel(image, { mean: options.mean ?? CLIP_MEAN, std: options.std ?? CLIP_STD, extraMetadata: { 'fmwiss.weights': `random seed ${String(seed)}` } });
    const textBytes = exportClipTextModel(text, { tokenizerFile: path.basename(files.tokenizerPath), extraMetadata: { 'fmwiss.weights': `random seed ${String(seed)}` } });
    await writeFile(files.imagePath, imageBytes);
    await writeFile(files.textPath, textBytes);
    await writeFile(files.tokenizerPath, JSON.stringify(tokenizer, null, 2) + '\n');
    return { ...files, image: image.config, text: text.config };
  } finally {
    disposeWeights(image);
    disposeWeights(text);
  }
}

export interface RandomVitOptions {
  /** Default: the default VitConfig without projection (outputDim 0, DINO-like). */
  config?: VitConfig;
  mean?: Rgb;
  std?: Rgb;
}

/** Writes a vit-attention/1 model with random weights from `seed` to `file`; returns its config. */
export async function randomVitAttentionModel(file: string, seed: SeedPart, options: RandomVitOptions = {}): Promise<ResolvedVitConfig> {
  const vit = createVitWeights({ outputDim: 0, ...options.config }, seed, { trainable: false });
  try {
    const bytes = exportVitAttentionModel(vit, { mean: options.mean ?? IMAGENET_MEAN, std: options.std ?? IMAGENET_STD, extraMetadata: { 'fmwiss.weights': `random seed ${String(seed)}` } });
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, bytes);
    return vit.config;
  } finally {
    disposeWeights(vit);
  }
}
