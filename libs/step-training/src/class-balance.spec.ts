import * as tf from '@tensorflow/tfjs';
import { initTensorRuntime } from '@fmwiss/tensor-runtime';
import { classBalanceWeights } from './class-balance';
import { openVocDataset } from '@fmwiss/datasets';
import { writeTinyVoc } from '../test/fixtures';
import { softmaxCrossEntropy } from './gradients';
import { countChannelPixels } from './step-data';

beforeAll(async () => {
  await initTensorRuntime({ backend: 'wasm' });
});

describe('classBalanceWeights', () => {
  it('weighs a class by its pixel share to the power -p, with a pixel-weighted mean of 1', () => {
    const counts = [80, 16, 4];
    const w = classBalanceWeights(counts, 0.5, 50);
    // raw: 0.8^-0.5, 0.16^-0.5, 0.04^-0.5 = 1.118, 2.5, 5; mean (0.8 * 1.118 + 0.16 * 2.5 + 0.04 * 5) = 1.494
    const mean = 0.8 * 0.8 ** -0.5 + 0.16 * 2.5 + 0.04 * 5;
    [0.8 ** -0.5 / mean, 2.5 / mean, 5 / mean].forEach((v, i) => expect(w[i]).toBeCloseTo(v, 10));
    expect(w.reduce((s, x, c) => s + (x * counts[c]!) / 100, 0)).toBeCloseTo(1, 10);
  });

  it('caps rare classes, gives 1 to absent ones, and all ones for power 0', () => {
    const w = classBalanceWeights([1_000_000, 1, 0], 1, 50);
    expect(w[1]).toBe(50);
    expect(w[2]).toBe(1);
    expect(classBalanceWeights([5, 1, 0], 0, 50)).toEqual([1, 1, 1]);
    expect(classBalanceWeights([0, 0], 0.5, 50)).toEqual([1, 1]);
  });
});

describe('softmaxCrossEntropy with class weights', () => {
  it('is the weighted mean of the per-pixel cross-entropies, 255 left out', () => {
    const logits = tf.tensor4d([2, 0, 0, 1, 0, 3, 5, 5], [1, 1, 4, 2]); // [1,1,4,C=2]
    const labels = tf.tensor3d([0, 1, 1, 255], [1, 1, 4], 'int32');
    const ce = (a: number, b: number, label: number) => -Math.log(Math.exp(label === 0 ? a : b) / (Math.exp(a) + Math.exp(b)));
    const pixels = [ce(2, 0, 0), ce(0, 1, 1), ce(0, 3, 1)];
    const weights = [0.5, 2];
    const expected = (0.5 * pixels[0]! + 2 * pixels[1]! + 2 * pixels[2]!) / (0.5 + 2 + 2);
    expect(softmaxCrossEntropy(logits, labels, tf.tensor1d(weights)).dataSync()[0]).toBeCloseTo(expected, 5);
    expect(softmaxCrossEntropy(logits, labels).dataSync()[0]).toBeCloseTo((pixels[0]! + pixels[1]! + pixels[2]!) / 3, 5);
  });
});

describe('countChannelPixels', () => {
  it("counts each channel's labelled pixels after the step's remap, leaving 255 out", async () => {
    const voc = await writeTinyVoc([[1, 2], [2, 3], [3]]);
    try {
      const dataset = await openVocDataset({ root: voc.root, split: 'train' });
      const ids = [...voc.images.keys()];
      // a step of classes 2 and 3 (class 1 -> background), channels [background, 2, 3]
      const counts = await countChannelPixels(dataset, ids, [2, 3], [0, 2, 3]);
      const expected = [0, 0, 0];
      for (const id of ids) {
        for (const v of voc.images.get(id)!.labels.data) {
          if (v === 255) continue;
          expected[v === 2 ? 1 : v === 3 ? 2 : 0]!++;
        }
      }
      expect(counts).toEqual(expected);
      expect(counts[1]).toBeGreaterThan(0);
    } finally {
      voc.cleanup();
    }
  });
});
