import * as tf from '@tensorflow/tfjs';
import {
  IMAGENET_MEAN,
  IMAGENET_STD,
  randomScaleCropFlip,
  resizeBilinear,
  resizeNearest,
  toFloatTensor,
  type LabelImage,
  type RgbImage,
} from '@fmwiss/imaging';
import { maskedBce } from '@fmwiss/losses';
import type { SeededRandom } from '@fmwiss/random';
import type { Student } from '@fmwiss/segmentation-models';
import { clipByGlobalNorm } from './clip';
import { TrainingError } from './errors';
import { polyLearningRate } from './schedule';
import type { SgdMomentum } from './sgd-momentum';

/** The label value of pixels without supervision. */
const IGNORE = 255;

export interface BaseStepTrainerOptions {
  /** The model to train; its variables must be trainable (not a `cloneFrozen` copy). */
  student: Student;
  optimizer: SgdMomentum;
  /** Background + seen classes: the channels of the student's logits. */
  numClasses: number;
  baseLearningRate: number;
  /** The poly schedule's horizon: the learning rate is 0 from this iteration on. */
  maxIterations: number;
  /** Poly power, default 0.9. */
  polyPower?: number;
  /** Clip the gradients to this global L2 norm (clipByGlobalNorm); default: no clipping. */
  clipNorm?: number;
}

export interface BaseStepResult {
  /** The masked BCE of this step's batch, before the update. */
  loss: number;
  /** The poly learning rate the update used. */
  learningRate: number;
  /** Global gradient norm before clipping (only with `clipNorm`). */
  gradNorm?: number;
  /** False when the loss or the gradient norm was not finite: the weights were left unchanged. */
  applied: boolean;
}

export interface BaseStepTrainer {
  /**
   * One pixel-supervised step 0 update.
   *
   * @param images [B,H,W,3] float32, normalised (as `makeBatch` makes them)
   * @param labels [B,h,w] int32 channel indices 0..numClasses-1, 255 = ignore, either at the logits'
   *               size (what `makeBatch` makes with `labelStride` = the student's output stride: no
   *               work here) or at the image size [B,H,W] (then downsampled here, nearest with
   *               half-pixel centres, by two int32 gathers)
   * @param iteration 0-based, for the poly schedule
   * The inputs stay the caller's. `tf.memory().numTensors` is the same after every step (the first
   * step adds the optimiser's velocity buffers, one per trainable variable when momentum > 0).
   */
  step(images: tf.Tensor4D, labels: tf.Tensor3D, iteration: number): BaseStepResult;
}

/** Source index of destination index d for nearest resizing with half-pixel centres (as @fmwiss/imaging's resizeNearest). */
function nearestIndices(source: number, destination: number): Int32Array {
  const out = new Int32Array(destination);
  for (let d = 0; d < destination; d++) out[d] = Math.min(source - 1, Math.floor(((2 * d + 1) * source) / (2 * destination)));
  return out;
}

/**
 * Step 0 of the incremental protocol with pixel labels: the student's per-class sigmoid outputs
 * against one-hot targets over background + the seen classes, METHOD.md's BCE (`maskedBce`, mean over
 * classes and labelled pixels) with the 255 pixels masked out, at the logits' stride.
 *
 * Why at the logits' stride: downsampling the labels (nearest) makes the loss, its targets and its
 * gradient stride^2 times smaller (16x16 instead of 128x128 per image at stride 8), and needs no
 * bilinear upsampling of the logits nor its gradient in the backward pass. `makeBatch` does the
 * downsampling on the CPU while it builds the batch.
 */
export function createBaseStepTrainer(options: BaseStepTrainerOptions): BaseStepTrainer {
  const { student, optimizer, numClasses, baseLearningRate, maxIterations, polyPower = 0.9, clipNorm } = options;
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new TrainingError(`numClasses must be a positive integer, got ${numClasses}`);
  if (student.numClasses !== numClasses) {
    throw new TrainingError(`the student has ${student.numClasses} classes, the trainer was given numClasses ${numClasses}`);
  }
  if (!student.trainable) throw new TrainingError('the student is frozen (a cloneFrozen copy): nothing to train');
  if (clipNorm !== undefined && !(clipNorm > 0 && Number.isFinite(clipNorm))) {
    throw new TrainingError(`clipNorm must be a finite number > 0, got ${clipNorm}`);
  }
  // Checks base, maxIterations and power once, with the schedule's own messages.
  polyLearningRate(baseLearningRate, 0, maxIterations, polyPower);

  const named = student.namedWeights(); // stable name -> variable
  const stableByRegistryName = new Map<string, string>();
  for (const [stable, variable] of named) stableByRegistryName.set(variable.name, stable);
  const trainables = [...named.values()].filter((v) => v.trainable);
  const stride = student.config.outputStride;

  /** labels at the logits' size [B,h,w] int32: as given, or gathered from the image size. Caller disposes. */
  function labelsAtLogits(images: tf.Tensor4D, labels: tf.Tensor3D): tf.Tensor3D {
    const [batch, height, width] = images.shape;
    const h = Math.ceil(height / stride);
    const w = Math.ceil(width / stride);
    if (labels.rank !== 3 || labels.shape[0] !== batch) {
      throw new TrainingError(`labels must be [B,h,w] with B = ${batch}, got [${labels.shape.join(',')}]`);
    }
    if (labels.shape[1] === h && labels.shape[2] === w) return labels.toInt();
    if (labels.shape[1] === height && labels.shape[2] === width) {
      return tf.tidy(() => {
        const rows = tf.tensor1d(nearestIndices(height, h), 'int32');
        const columns = tf.tensor1d(nearestIndices(width, w), 'int32');
        return tf.gather(tf.gather(labels.toInt(), rows, 1), columns, 2) as tf.Tensor3D;
      });
    }
    throw new TrainingError(
      `labels must be at the logits' size [${batch},${h},${w}] or the image size [${batch},${height},${width}], got [${labels.shape.join(',')}]`,
    );
  }

  return {
    step(images, labels, iteration) {
      if (images.rank !== 4 || images.shape[3] !== 3) {
        throw new TrainingError(`images must be [B,H,W,3], got [${images.shape.join(',')}]`);
      }
      const learningRate = polyLearningRate(baseLearningRate, iteration, maxIterations, polyPower);
      const small = labelsAtLogits(images, labels); // [B,h,w] int32
      const { targets, pixelMask } = tf.tidy(() => ({
        // [B,h,w,C]; the 255 pixels get an arbitrary row, masked out below
        targets: tf.oneHot(tf.minimum(small.flatten(), tf.scalar(numClasses - 1, 'int32')), numClasses).reshape([...small.shape, numClasses]).toFloat() as tf.Tensor4D,
        pixelMask: small.notEqual(IGNORE).toFloat() as tf.Tensor3D, // [B,h,w]
      }));
      small.dispose();
      const { value, grads } = tf.variableGrads(() => {
        const { logits } = student.forward(images, { training: true }); // [B,h,w,C]
        if (logits.shape[1] !== targets.shape[1] || logits.shape[2] !== targets.shape[2]) {
          throw new TrainingError(`logits are [${logits.shape.join(',')}], labels at the logits' size are [${targets.shape.join(',')}]`);
        }
        return maskedBce(logits, targets, { pixelMask });
      }, trainables);
      targets.dispose();
      pixelMask.dispose();
      const loss = (value.dataSync() as Float32Array)[0] as number;
      value.dispose();

      const byName = new Map<string, tf.Tensor>();
      for (const [registryName, grad] of Object.entries(grads)) {
        byName.set(stableByRegistryName.get(registryName) ?? registryName, grad);
      }
      let applied = Number.isFinite(loss);
      let gradNorm: number | undefined;
      if (clipNorm !== undefined) {
        const clipped = clipByGlobalNorm(byName, clipNorm);
        gradNorm = clipped.norm;
        applied &&= Number.isFinite(clipped.norm);
        if (applied) optimizer.step(clipped.grads, named, learningRate);
        tf.dispose([...clipped.grads.values()]);
      } else if (applied) {
        optimizer.step(byName, named, learningRate);
      }
      tf.dispose([...byName.values()]);
      return { loss, learningRate, applied, ...(gradNorm === undefined ? {} : { gradNorm }) };
    },
  };
}

/** A decoded image with its label map (a `Sample` of @fmwiss/datasets fits). */
export interface LabelledSample {
  image: RgbImage;
  labels: LabelImage;
}

export interface MakeBatchOptions {
  /** Side of the square images of the batch. */
  cropSize: number;
  /**
   * Augmentation stream: with it, every sample goes through randomScaleCropFlip (four draws per
   * sample, in batch order); without it, samples are resized to cropSize (bilinear / nearest).
   */
  random?: SeededRandom;
  /** Scale range of the augmentation; default [0.5, 2). */
  scaleMin?: number;
  scaleMax?: number;
  /** Left-right flips in the augmentation; default true. */
  flip?: boolean;
  /**
   * Label map side = ceil(cropSize / labelStride), nearest with half-pixel centres. Pass the student's
   * `outputStride` to get labels at the logits' size (the fast path of the trainer). Default 1.
   */
  labelStride?: number;
  /**
   * Label value -> channel: label value `classIds[k]` becomes k; 255 stays 255 and any other value
   * becomes 255 (ignored). Default: labels are already channel indices (e.g. remapForStep at step 0
   * of a VOC task, whose seen classes are 0..n).
   */
  classIds?: readonly number[];
}

/**
 * Turns decoded samples into one batch: `images` [B,S,S,3] float32 normalised with the ImageNet mean
 * and std, `labels` [B,s,s] int32 (s = ceil(S / labelStride), 255 = ignore). The caller disposes both.
 */
export function makeBatch(samples: readonly LabelledSample[], options: MakeBatchOptions): { images: tf.Tensor4D; labels: tf.Tensor3D } {
  const { cropSize, random, scaleMin = 0.5, scaleMax = 2, flip = true, labelStride = 1, classIds } = options;
  if (samples.length === 0) throw new TrainingError('makeBatch needs at least one sample');
  if (!Number.isInteger(cropSize) || cropSize < 1) throw new TrainingError(`cropSize must be a positive integer, got ${cropSize}`);
  if (!Number.isInteger(labelStride) || labelStride < 1) {
    throw new TrainingError(`labelStride must be a positive integer, got ${labelStride}`);
  }
  const table = new Int32Array(256); // label value -> channel or 255
  if (classIds === undefined) {
    for (let v = 0; v < 256; v++) table[v] = v;
  } else {
    table.fill(IGNORE);
    classIds.forEach((id, k) => {
      if (!Number.isInteger(id) || id < 0 || id > 254) throw new TrainingError(`classIds must be label values 0..254, got ${id}`);
      table[id] = k;
    });
  }
  const labelSide = Math.ceil(cropSize / labelStride);
  const imagePixels = cropSize * cropSize;
  const labelPixels = labelSide * labelSide;
  const imageData = new Float32Array(samples.length * imagePixels * 3); // [B,S,S,3]
  const labelData = new Int32Array(samples.length * labelPixels); // [B,s,s]
  samples.forEach((sample, b) => {
    let image: RgbImage;
    let labels: LabelImage;
    if (random !== undefined) {
      ({ image, labels } = randomScaleCropFlip(sample, random, { scaleMin, scaleMax, cropSize, flip }));
    } else {
      image = sample.image.width === cropSize && sample.image.height === cropSize ? sample.image : resizeBilinear(sample.image, cropSize, cropSize);
      labels = sample.labels.width === cropSize && sample.labels.height === cropSize ? sample.labels : resizeNearest(sample.labels, cropSize, cropSize);
    }
    if (labelSide !== cropSize) labels = resizeNearest(labels, labelSide, labelSide);
    imageData.set(toFloatTensor(image, IMAGENET_MEAN, IMAGENET_STD).data, b * imagePixels * 3);
    const offset = b * labelPixels;
    for (let i = 0; i < labelPixels; i++) labelData[offset + i] = table[labels.data[i] as number] as number;
  });
  return {
    images: tf.tensor4d(imageData, [samples.length, cropSize, cropSize, 3], 'float32'),
    labels: tf.tensor3d(labelData, [samples.length, labelSide, labelSide], 'int32'),
  };
}
