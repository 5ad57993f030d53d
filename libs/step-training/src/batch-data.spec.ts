import * as tf from '@tensorflow/tfjs';
import type { LabelImage, RgbImage } from '@fmwiss/imaging';
import { SeededRandom } from '@fmwiss/random';
import { makeWeakBatch, prepareWeakSample, pseudoToChannels, type WeakBatchOptions, type WeakSample } from './batch-data';

beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  await tf.setBackend('cpu');
});

// Old classes 1, 2 -> channels 1, 2; new classes 5, 6 -> channels 3, 4.
const channelOf = new Map([[1, 1], [2, 2], [5, 3], [6, 4]]);
const labelsOf = (values: number[], width: number): LabelImage => ({ width, height: values.length / width, data: Uint8Array.from(values) });

describe('pseudoToChannels', () => {
  it('maps new classes in the image-level labels to their channel, others to background, keeps 255', () => {
    const out = pseudoToChannels(labelsOf([0, 5, 6, 255], 2), [5], channelOf, [5, 6]);
    expect([...out.data]).toEqual([0, 3, 0, 255]);
  });

  it('refuses a value that is no new class', () => {
    expect(() => pseudoToChannels(labelsOf([0, 1], 2), [5], channelOf, [5, 6])).toThrow(/value 1 at pixel 1/);
  });
});

describe('prepareWeakSample', () => {
  const size = 16;
  const image: RgbImage = { width: size, height: size, data: new Uint8Array(size * size * 3).fill(90) };
  const pseudo = labelsOf(Array.from({ length: size * size }, (_, p) => (p % size < 8 ? 5 : 0)), size); // left half class 5
  const sample: WeakSample = { id: 'a', image, pseudo, classes: [5] };
  const base: WeakBatchOptions = {
    cropSize: size,
    labelStride: 4,
    scaleMin: 1,
    scaleMax: 1,
    augment: new SeededRandom(1),
    channelOf,
    newClassIds: [5, 6],
    pasteScaleMin: 1,
    pasteScaleMax: 1,
  };

  it('puts pasted pixels on their old class channel (background for the new classes) and the instance in the image', () => {
    const square = { classId: 2, image: { width: 4, height: 4, data: new Uint8Array(48).fill(250) }, mask: new Uint8Array(16).fill(1) };
    const prepared = prepareWeakSample(sample, 0, { ...base, augment: new SeededRandom(1), paste: [{ instances: [square], random: new SeededRandom(2) }] });
    let pastedPixels = 0;
    for (let p = 0; p < size * size; p++) {
      if (prepared.pasted[p] === 2) {
        pastedPixels++;
        expect(prepared.labels.data[p]).toBe(2);
        expect(prepared.image.data[p * 3]).toBe(250);
      } else {
        expect([0, 3]).toContain(prepared.labels.data[p]);
        expect(prepared.image.data[p * 3]).toBe(90);
      }
    }
    expect(pastedPixels).toBe(16);
  });

  it('builds tensors at the logits size with the image-level class mask', () => {
    const batch = makeWeakBatch([sample, { ...sample, classes: [5, 6] }], { ...base, augment: new SeededRandom(1) });
    expect(batch.images.shape).toEqual([2, 16, 16, 3]);
    expect(batch.labels.shape).toEqual([2, 4, 4]);
    expect([...batch.newClassMask.dataSync()]).toEqual([1, 0, 1, 1]);
    tf.dispose([batch.images, batch.labels, batch.newClassMask]);
  });
});
