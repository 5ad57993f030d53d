import * as tf from '@tensorflow/tfjs';
import { loadTokenizer } from '@fmwiss/co-segmentation';
import { initTensorRuntime } from '@fmwiss/tensor-runtime';
import { CLIP_MEAN, CLIP_STD, wordTokenizer } from '@fmwiss/vit-models';

import { runResumeScenario, syntheticImages } from '../../test/resume-harness';
import { DEFAULT_CLIP_HYPER, ClipTrainer, type ClipTrainerOptions } from './clip-trainer';
import { makeClipBatch } from './clip-batch';
import { plainPixels } from '../shared/pixels';
import { SeededRandom } from '@fmwiss/random';

beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  await initTensorRuntime({ backend: 'wasm' });
});

const WORDS = ['a', 'photo', 'of', 'the', 'cat', 'dog', 'red', 'blue', 'on', 'grass'];
const tokenizerFile = wordTokenizer(WORDS);
const tokenizer = loadTokenizer(tokenizerFile, { contextLength: 6 });
const images = syntheticImages(12, 24, 7);
const captions = ['a red cat', 'a blue dog', 'the cat on grass', 'a dog', 'a red dog', 'a blue cat'];

function options(): ClipTrainerOptions {
  return {
    image: { imageSize: 16, patchSize: 8, width: 16, depth: 2, heads: 2, outputDim: 8 },
    text: { contextLength: 6, width: 16, depth: 1, heads: 2, outputDim: 8 },
    tokenizer,
    vocabSize: tokenizerFile.vocab.length,
    seed: 5,
    batchSize: 4,
    hyper: { ...DEFAULT_CLIP_HYPER, warmupSteps: 2, learningRate: 1e-2 },
    augmentation: { flip: true, scaleMin: 0.7, promptFraction: 0.5, templates: ['a photo of a {}.', 'the {}.'] },
    mean: CLIP_MEAN,
    std: CLIP_STD,
    samples: images.map((image, i) => ({ image, caption: captions[i % captions.length]!, objects: i % 2 === 0 ? ['cat'] : ['dog', 'cat'] })),
  };
}

describe('makeClipBatch', () => {
  it('keeps the whole image in view: a zoom-out on a mean canvas, never a crop', () => {
    const image = syntheticImages(1, 16, 3)[0]!;
    const batch = makeClipBatch([{ image, caption: 'a cat', objects: ['cat'] }], { flip: false, scaleMin: 0.5, promptFraction: 0, templates: [], imageSize: 16, mean: CLIP_MEAN, std: CLIP_STD, tokenizer }, new SeededRandom(1));
    expect(batch.texts).toEqual(['a cat']);
    // Normalised pixel values are never exactly 0 (255 * mean is no integer): the non-zero box is the image.
    let [x0, y0, x1, y1] = [16, 16, -1, -1];
    for (let y = 0; y < 16; y++) {
      for (let x = 0; x < 16; x++) {
        if (batch.pixels[(y * 16 + x) * 3] !== 0) [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
      }
    }
    const side = x1 - x0 + 1;
    expect(y1 - y0 + 1).toBe(side);
    expect(side).toBeGreaterThanOrEqual(8);
    const expected = plainPixels(image, side, CLIP_MEAN, CLIP_STD);
    for (let y = 0; y < side; y++) {
      expect(Array.from(batch.pixels.subarray(((y0 + y) * 16 + x0) * 3, ((y0 + y) * 16 + x0 + side) * 3))).toEqual(Array.from(expected.subarray(y * side * 3, (y + 1) * side * 3)));
    }
  });

  it('is a pure function of its random stream', () => {
    const samples = options().samples.slice(0, 4);
    const o = { ...options().augmentation, imageSize: 16, mean: CLIP_MEAN, std: CLIP_STD, tokenizer };
    const a = makeClipBatch(samples, o, new SeededRandom(9, 'x'));
    const b = makeClipBatch(samples, o, new SeededRandom(9, 'x'));
    expect(Array.from(a.pixels)).toEqual(Array.from(b.pixels));
    expect(a.texts).toEqual(b.texts);
    expect(Array.from(a.ids)).toEqual(Array.from(b.ids));
  });
});

describe('ClipTrainer', () => {
  it('resumes bit for bit: 3 steps, checkpoint, a fresh trainer for 3 more equals 6 straight steps', async () => {
    const before = tf.memory().numTensors;
    const { straight, resumed, first, second } = await runResumeScenario(() => new ClipTrainer(options()), 6, 3, 3);
    expect(first.steps).toBe(3);
    expect(first.stopReason).toBe('requested');
    expect(second.resumedFrom).not.toBeNull();
    expect(second.steps).toBe(6);
    expect([...resumed.keys()].sort()).toEqual([...straight.keys()].sort());
    expect([...straight.keys()].some((k) => k.startsWith('optimizer:adamw/m/image/'))).toBe(true);
    for (const [name, values] of straight) expect({ name, values: resumed.get(name) }).toEqual({ name, values });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('lowers the loss on a fixed batch', async () => {
    const trainer = new ClipTrainer({ ...options(), augmentation: { ...options().augmentation, promptFraction: 0 } });
    try {
      const losses: number[] = [];
      for (let s = 0; s < 12; s++) losses.push((await trainer.step(s % 3, 100)).loss!);
      expect(losses[losses.length - 1]).toBeLessThan(losses[0]!);
    } finally {
      trainer.dispose();
    }
  });
});
