import * as tf from '@tensorflow/tfjs';
import { IMAGENET_MEAN, IMAGENET_STD, randomScaleCropFlip, resizeNearest, toFloatTensor, type LabelImage, type RgbImage } from '@fmwiss/imaging';
import type { SeededRandom } from '@fmwiss/random';
import { pasteInstances, type PasteSource } from './copy-paste';
import { IGNORE } from './constants';
import type { WeakBatch } from './weak-step';

/** A weak step's training image: the image, its pseudo label map (class ids) and its image-level labels. */
export interface WeakSample {
  id: string;
  image: RgbImage;
  /** Class ids: 0 background, new-class ids, 255 no label; same size as the image. */
  pseudo: LabelImage;
  /** Image-level labels: the new classes the image holds. */
  classes: readonly number[];
}

export interface WeakBatchOptions {
  cropSize: number;
  /** The student's output stride: labels are built at the logits' size. */
  labelStride: number;
  scaleMin: number;
  scaleMax: number;
  /** Augmentation stream of the epoch: four draws per sample, in batch order. */
  augment: SeededRandom;
  /** Class id -> channel (background 0 excluded): old classes 1..Cold, then the new ones. */
  channelOf: ReadonlyMap<number, number>;
  /** New class ids in channel order. */
  newClassIds: readonly number[];
  /** Per sample: the instances to paste and their stream (absent: no copy-paste). */
  paste?: { instances: PasteSource[]; random: SeededRandom }[];
  pasteScaleMin: number;
  pasteScaleMax: number;
}

/**
 * Pseudo label map (class ids) -> channel map: background 0, a new class in the image's labels -> its
 * channel, a new class NOT in the image-level labels -> background (image-level labels decide which
 * new classes may be positive), 255 stays. Values that are none of these throw (the caller validated).
 */
export function pseudoToChannels(pseudo: LabelImage, classes: readonly number[], channelOf: ReadonlyMap<number, number>, newClassIds: readonly number[]): LabelImage {
  const table = new Int16Array(256).fill(-1);
  table[0] = 0;
  table[IGNORE] = IGNORE;
  for (const id of newClassIds) table[id] = 0;
  for (const id of classes) {
    const channel = channelOf.get(id);
    if (channel !== undefined && newClassIds.includes(id)) table[id] = channel;
  }
  const data = new Uint8Array(pseudo.data.length);
  for (let i = 0; i < data.length; i++) {
    const v = table[pseudo.data[i]!]!;
    if (v < 0) throw new RangeError(`pseudo label value ${pseudo.data[i]} at pixel ${i} is not background, a new class or 255`);
    data[i] = v;
  }
  return { width: pseudo.width, height: pseudo.height, data };
}

/** What one sample of a weak batch became (tests look at it). */
export interface PreparedWeakSample {
  image: RgbImage;
  /** Channel map at the crop size, pasted pixels on their old channel. */
  labels: LabelImage;
  /** Class id pasted at each pixel, 0 = none. */
  pasted: Uint8Array;
}

/** Augments one sample, pastes its instances, returns the crop-size image and channel map. */
export function prepareWeakSample(sample: WeakSample, index: number, options: WeakBatchOptions): PreparedWeakSample {
  const channelsMap = pseudoToChannels(sample.pseudo, sample.classes, options.channelOf, options.newClassIds);
  const augmented = randomScaleCropFlip({ image: sample.image, labels: channelsMap }, options.augment, {
    scaleMin: options.scaleMin,
    scaleMax: options.scaleMax,
    cropSize: options.cropSize,
    flip: true,
  });
  const paste = options.paste?.[index];
  if (!paste || paste.instances.length === 0) return { image: augmented.image, labels: augmented.labels, pasted: new Uint8Array(augmented.labels.data.length) };
  const result = pasteInstances(augmented.image, paste.instances, paste.random, { scaleMin: options.pasteScaleMin, scaleMax: options.pasteScaleMax });
  const labels = Uint8Array.from(augmented.labels.data);
  for (let i = 0; i < labels.length; i++) {
    const classId = result.pasted[i]!;
    if (classId !== 0) labels[i] = options.channelOf.get(classId)!;
  }
  return { image: result.image, labels: { width: augmented.labels.width, height: augmented.labels.height, data: labels }, pasted: result.pasted };
}

/** The tensors of a weak batch (the caller disposes them). */
export function makeWeakBatch(samples: readonly WeakSample[], options: WeakBatchOptions): WeakBatch {
  const { cropSize, labelStride, newClassIds } = options;
  const side = Math.ceil(cropSize / labelStride);
  const imageData = new Float32Array(samples.length * cropSize * cropSize * 3); // [B,S,S,3]
  const labelData = new Int32Array(samples.length * side * side); // [B,h,w]
  const maskData = new Float32Array(samples.length * newClassIds.length); // [B,Cnew]
  samples.forEach((sample, b) => {
    const prepared = prepareWeakSample(sample, b, options);
    imageData.set(toFloatTensor(prepared.image, IMAGENET_MEAN, IMAGENET_STD).data, b * cropSize * cropSize * 3);
    const small = side === cropSize ? prepared.labels : resizeNearest(prepared.labels, side, side);
    labelData.set(small.data, b * side * side);
    newClassIds.forEach((id, k) => (maskData[b * newClassIds.length + k] = sample.classes.includes(id) ? 1 : 0));
  });
  return {
    images: tf.tensor4d(imageData, [samples.length, cropSize, cropSize, 3]),
    labels: tf.tensor3d(labelData, [samples.length, side, side], 'int32'),
    newClassMask: tf.tensor2d(maskData, [samples.length, newClassIds.length]),
  };
}
