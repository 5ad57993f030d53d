// A mini-CLIP training batch: pixels with an augmentation that keeps every captioned object in view
// (horizontal flip, a small zoom-out onto a mean-coloured canvas; never a crop), and the texts: the
// caption, or for a fraction of the samples a prompt "template filled with one of its objects".
import { fillTemplate, type Tokenizer } from '@fmwiss/co-segmentation';
import type { RgbImage } from '@fmwiss/imaging';
import type { SeededRandom } from '@fmwiss/random';

import { flipHorizontal, plainPixels, type Rgb } from '../shared/pixels';

export interface ClipSample {
  image: RgbImage;
  caption: string;
  /** Object names in prompt form ("potted plant"). */
  objects: readonly string[];
}

export interface ClipAugmentation {
  /** Mirror left-right with probability 1/2 (captions in this world never say left or right). */
  flip: boolean;
  /** The image is scaled to s * S, s uniform in [scaleMin, 1], and placed at a random offset. */
  scaleMin: number;
  /** Probability that a sample's text is a filled template instead of its caption. */
  promptFraction: number;
  /** Templates with "{}" for the object prompts. */
  templates: readonly string[];
}

export interface ClipBatchOptions extends ClipAugmentation {
  /** S, the model's input side. */
  imageSize: number;
  mean: Rgb;
  std: Rgb;
  tokenizer: Tokenizer;
}

export interface ClipBatch {
  /** [B,S,S,3], normalised with mean/std; the canvas around a zoomed-out image is the mean (0). */
  pixels: Float32Array;
  /** [B,L] token ids. */
  ids: Int32Array;
  texts: string[];
}

/**
 * Augmented pixels and texts of `samples`. Each sample draws the same seven numbers from `random` in
 * the same order (flip, scale, x, y, prompt?, template, object), whatever it uses.
 */
export function makeClipBatch(samples: readonly ClipSample[], options: ClipBatchOptions, random: SeededRandom): ClipBatch {
  const S = options.imageSize;
  const plane = S * S * 3;
  const pixels = new Float32Array(samples.length * plane);
  const texts: string[] = [];
  samples.forEach((sample, b) => {
    const [uFlip, uScale, uX, uY, uPrompt, uTemplate, uObject] = Array.from({ length: 7 }, () => random.next()) as number[];
    const pick = (u: number, n: number) => Math.min(n - 1, Math.floor(u * n));
    const flip = options.flip && uFlip! < 0.5;
    const side = Math.max(1, Math.min(S, Math.round(S * (options.scaleMin + (1 - options.scaleMin) * uScale!))));
    const dx = pick(uX!, S - side + 1);
    const dy = pick(uY!, S - side + 1);
    const usePrompt = uPrompt! < options.promptFraction && sample.objects.length > 0 && options.templates.length > 0;

    const oriented = flip ? flipHorizontal(sample.image) : sample.image;
    const placed = plainPixels(oriented, side, options.mean, options.std) /* [side,side,3] */;
    const offset = b * plane;
    for (let y = 0; y < side; y++) pixels.set(placed.subarray(y * side * 3, (y + 1) * side * 3), offset + ((y + dy) * S + dx) * 3);
    texts.push(usePrompt ? fillTemplate(options.templates[pick(uTemplate!, options.templates.length)]!, sample.objects[pick(uObject!, sample.objects.length)]!) : sample.caption);
  });
  return { pixels, ids: options.tokenizer.encode(texts).ids, texts };
}
