import * as tf from '@tensorflow/tfjs';
import { IMAGENET_MEAN, IMAGENET_STD, resizeBilinear, toFloatTensor, type RgbImage } from '@fmwiss/imaging';
import { createStudent, createTeacher, upsampleBilinear, type ResolvedModelConfig, type Student, type Teacher } from '@fmwiss/segmentation-models';
import { StepPreconditionError, StepSpecError } from './errors';
import { disposeLoaded, loadStepCheckpoint, weightsWithPrefix } from './step-checkpoint';
import type { ClassRef, LoadedStepModel, PredictOptions, Prediction, StepKind } from './types';

/** A loaded checkpoint: its student, its teacher when it has one, and what it predicts. */
class StepModel implements LoadedStepModel {
  constructor(
    readonly classes: ClassRef[],
    readonly model: ResolvedModelConfig,
    readonly step: number,
    readonly kind: StepKind,
    readonly student: Student,
    readonly teacher: Teacher | null,
    readonly checkpoint: string,
  ) {}

  get hasTeacher(): boolean {
    return this.teacher !== null;
  }

  /** Class ids per channel: [0, ...classes]. */
  get channelIds(): number[] {
    return [0, ...this.classes.map((c) => c.id)];
  }

  dispose(): void {
    if (!this.student.isDisposed) this.student.dispose();
    if (this.teacher && !this.teacher.isDisposed) this.teacher.dispose();
  }
}

/** Loads a step checkpoint (any epoch or final) for prediction; StepPreconditionError when it cannot. */
export async function loadStepModel(checkpoint: string): Promise<LoadedStepModel> {
  const loaded = await loadStepCheckpoint(checkpoint);
  const { classes, model, step, kind } = loaded.step;
  let student: Student | null = null;
  let teacher: Teacher | null = null;
  try {
    student = createStudent(model, 1 + classes.length, 0);
    student.setWeights(weightsWithPrefix(loaded.weights, 'student'));
    const teacherWeights = weightsWithPrefix(loaded.weights, 'teacher');
    if (teacherWeights.size > 0) {
      teacher = createTeacher(model, 1 + classes.length, 0);
      teacher.setWeights(teacherWeights);
    }
    return new StepModel(classes, model, step, kind, student, teacher, checkpoint);
  } catch (error) {
    student?.dispose();
    teacher?.dispose();
    throw new StepPreconditionError(`checkpoint ${checkpoint} does not fit its own model description: ${(error as Error).message}`);
  } finally {
    disposeLoaded(loaded);
  }
}

export function asStepModel(model: LoadedStepModel): StepModel {
  if (!(model instanceof StepModel)) throw new StepSpecError('the model was not loaded by loadStepModel');
  if (model.student.isDisposed) throw new StepPreconditionError('the model was disposed');
  return model;
}

/** [1,S,S,3] normalised input of an image resized (bilinear) to the model's side. */
export function modelInput(image: RgbImage, side: number): Float32Array {
  const resized = image.width === side && image.height === side ? image : resizeBilinear(image, side, side);
  return toFloatTensor(resized, IMAGENET_MEAN, IMAGENET_STD).data;
}

/**
 * Per-class probabilities [B,H,W,C] at (H, W) of a batch of model inputs [B,S,S,3]: the logits of the
 * head resized bilinearly (half-pixel centres) to (H, W), then the sigmoid.
 */
export function headProbabilities(model: StepModel, inputs: tf.Tensor4D, head: 'student' | 'teacher', size: [number, number]): tf.Tensor4D {
  return tf.tidy(() => {
    const { logits, features } = model.student.forward(inputs, { training: false });
    const chosen = head === 'teacher' ? model.teacher!.forward(features, { training: false }).logits : logits;
    return tf.sigmoid(upsampleBilinear(chosen, size)) as tf.Tensor4D;
  });
}

/**
 * Segments one image: resized to the model's input size, predicted, the probabilities resized back
 * (bilinear) to the image's size, each pixel the class of its most probable channel.
 */
export function predictImage(model: LoadedStepModel, image: RgbImage, options: PredictOptions): Prediction {
  const m = asStepModel(model);
  if (options.head === 'teacher' && !m.teacher) {
    throw new StepPreconditionError(`checkpoint ${m.checkpoint} has no teacher (a ${m.kind} step); ask for the student head`);
  }
  if (options.head !== 'student' && options.head !== 'teacher') throw new StepSpecError(`head must be 'student' or 'teacher', got ${String(options.head)}`);
  const side = m.model.imageSize;
  const { width, height } = image;
  const channelIds = m.channelIds;
  const probs = tf.tidy(() => headProbabilities(m, tf.tensor4d(modelInput(image, side), [1, side, side, 3]), options.head, [height, width])); // [1,H,W,C]
  let labelsData: Int32Array;
  let probabilities: Float32Array | undefined;
  try {
    const argmax = probs.argMax(3); // [1,H,W]
    labelsData = argmax.dataSync() as Int32Array;
    argmax.dispose();
    if (options.includeProbabilities) {
      const planar = tf.tidy(() => probs.squeeze([0]).transpose([2, 0, 1])); // [C,H,W]
      probabilities = Float32Array.from(planar.dataSync() as Float32Array);
      planar.dispose();
    }
  } finally {
    probs.dispose();
  }
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = channelIds[labelsData[i]!]!;
  return { labels: { width, height, data }, ...(probabilities ? { probabilities } : {}) };
}
