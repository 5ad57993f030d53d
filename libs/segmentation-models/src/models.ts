import * as tf from '@tensorflow/tfjs';
import type { SeedPart } from '@fmwiss/random';
import { encoderChannels, resolveModelConfig, type ModelConfig, type ResolvedModelConfig } from './config';
import { ModelError } from './errors';
import { asppForward, convLayer, encoderForward } from './layers';
import { upsampleBilinear } from './ops';
import { planConvs, planStudent, planTeacher, type StudentPlan, type TeacherPlan } from './plan';
import { WeightSet } from './weights';

export interface ForwardOptions {
  /**
   * Train or inference mode. The models have no batch statistics and no dropout (GroupNorm), so both
   * modes compute the same function today; the flag keeps call sites right if that changes.
   */
  training?: boolean;
}

export interface StudentOutput {
  /** [B,h,w,numClasses] per-class logits (sigmoid outputs), background first, at stride outputStride. */
  logits: tf.Tensor4D;
  /** [B,h,w,4w] encoder output: the teacher's input. */
  features: tf.Tensor4D;
}

export interface TeacherOutput {
  /** [B,h,w,numClasses] per-class logits of every seen class, background first. */
  logits: tf.Tensor4D;
  /** [B,h,w,embeddingDim] projection for the dense contrastive loss (not normalised). */
  embeddings: tf.Tensor4D;
}

interface ModelBase {
  readonly config: ResolvedModelConfig;
  /** Background + seen classes. */
  readonly numClasses: number;
  /** False for `cloneFrozen` copies: their variables are skipped by tf.variableGrads / optimizers. */
  readonly trainable: boolean;
  /** Every variable in a fixed order (plan order: per conv kernel, bias, gamma, beta). */
  readonly variables: readonly tf.Variable[];
  /** Stable name (`student/encoder/stage1/block0/conv1/kernel`, ...) -> variable, in `variables` order. */
  namedWeights(): Map<string, tf.Variable>;
  /** Restores weights by stable name (a checkpoint); shapes must match; all names unless allowMissing. */
  setWeights(values: ReadonlyMap<string, tf.Tensor>, options?: { allowMissing?: boolean }): void;
  readonly isDisposed: boolean;
  dispose(): void;
}

export interface Student extends ModelBase {
  readonly kind: 'student';
  /** images [B,H,W,3] normalised. The caller disposes the outputs. */
  forward(images: tf.Tensor4D, options?: ForwardOptions): StudentOutput;
  /** sigmoid of the logits resized bilinearly to the image size: [B,H,W,numClasses]. Inference mode. */
  predictProbs(images: tf.Tensor4D): tf.Tensor4D;
}

export interface Teacher extends ModelBase {
  readonly kind: 'teacher';
  /** features [B,h,w,4w] from `Student.forward`. The caller disposes the outputs. */
  forward(features: tf.Tensor4D, options?: ForwardOptions): TeacherOutput;
  /** sigmoid of the logits resized bilinearly to `size` [H,W]: [B,H,W,numClasses]. Inference mode. */
  predictProbs(features: tf.Tensor4D, size: [number, number]): tf.Tensor4D;
}

export type SegmentationModel = Student | Teacher;

abstract class ModelWithWeights {
  constructor(
    readonly config: ResolvedModelConfig,
    readonly numClasses: number,
    protected readonly weights: WeightSet,
  ) {}

  get trainable(): boolean {
    return this.weights.trainable;
  }

  get variables(): readonly tf.Variable[] {
    return this.weights.variables();
  }

  get isDisposed(): boolean {
    return this.weights.isDisposed;
  }

  namedWeights(): Map<string, tf.Variable> {
    return this.weights.toMap();
  }

  setWeights(values: ReadonlyMap<string, tf.Tensor>, options: { allowMissing?: boolean } = {}): void {
    this.weights.assign(values, options.allowMissing ?? false);
  }

  dispose(): void {
    this.weights.dispose();
  }
}

class StudentModel extends ModelWithWeights implements Student {
  readonly kind = 'student' as const;
  private readonly plan: StudentPlan;

  constructor(config: ResolvedModelConfig, numClasses: number, weights: WeightSet) {
    super(config, numClasses, weights);
    this.plan = planStudent(config, numClasses);
  }

  forward(images: tf.Tensor4D, _options: ForwardOptions = {}): StudentOutput {
    if (images.rank !== 4 || images.shape[3] !== 3) {
      throw new ModelError(`student input must be [B,H,W,3] images, got [${images.shape.join(',')}]`);
    }
    return tf.tidy(() => {
      const features = encoderForward(images.toFloat() as tf.Tensor4D, this.weights, this.plan.encoder, this.config.atrous); // [B,h,w,4w]
      const head = asppForward(features, this.weights, this.plan.aspp, this.config.atrous); // [B,h,w,asppChannels]
      const logits = convLayer(head, this.weights, this.plan.classifier, this.config.atrous, false); // [B,h,w,C]
      return { logits, features };
    });
  }

  predictProbs(images: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const { logits } = this.forward(images, { training: false });
      return tf.sigmoid(upsampleBilinear(logits, [images.shape[1], images.shape[2]])) as tf.Tensor4D; // [B,H,W,C]
    });
  }
}

class TeacherModel extends ModelWithWeights implements Teacher {
  readonly kind = 'teacher' as const;
  private readonly plan: TeacherPlan;

  constructor(config: ResolvedModelConfig, numClasses: number, weights: WeightSet) {
    super(config, numClasses, weights);
    this.plan = planTeacher(config, numClasses);
  }

  forward(features: tf.Tensor4D, _options: ForwardOptions = {}): TeacherOutput {
    const channels = encoderChannels(this.config);
    if (features.rank !== 4 || features.shape[3] !== channels) {
      throw new ModelError(`teacher input must be [B,h,w,${channels}] student features, got [${features.shape.join(',')}]`);
    }
    return tf.tidy(() => {
      const head = asppForward(features, this.weights, this.plan.aspp, this.config.atrous); // [B,h,w,asppChannels]
      const logits = convLayer(head, this.weights, this.plan.classifier, this.config.atrous, false); // [B,h,w,C]
      const [first, second] = this.plan.embedding;
      const hidden = convLayer(head, this.weights, first, this.config.atrous, true); // [B,h,w,asppChannels]
      const embeddings = convLayer(hidden, this.weights, second, this.config.atrous, false); // [B,h,w,D]
      return { logits, embeddings };
    });
  }

  predictProbs(features: tf.Tensor4D, size: [number, number]): tf.Tensor4D {
    return tf.tidy(() => tf.sigmoid(upsampleBilinear(this.forward(features, { training: false }).logits, size)) as tf.Tensor4D);
  }
}

/**
 * The student: encoder (stem + three residual stages, GroupNorm) + ASPP + 1x1 per-class classifier.
 * Weights are drawn from `seed` (He-normal kernels, std-0.01 classifier, zero biases), the stream of
 * each weight keyed by its stable name.
 */
export function createStudent(config: ModelConfig, numClasses: number, seed: SeedPart): Student {
  const resolved = resolveModelConfig(config);
  const weights = WeightSet.fromPlan(planConvs(planStudent(resolved, numClasses)), seed, true);
  return new StudentModel(resolved, numClasses, weights);
}

/** The plug-in teacher: an ASPP head on the student's features with per-class logits and an embedding head. */
export function createTeacher(config: ModelConfig, numClasses: number, seed: SeedPart): Teacher {
  const resolved = resolveModelConfig(config);
  const weights = WeightSet.fromPlan(planConvs(planTeacher(resolved, numClasses)), seed, true);
  return new TeacherModel(resolved, numClasses, weights);
}

/** Internal: a model of the same kind as `like` around other weights. */
export function rebuild<M extends SegmentationModel>(like: M, numClasses: number, weights: WeightSet): M {
  return (like.kind === 'student'
    ? new StudentModel(like.config, numClasses, weights)
    : new TeacherModel(like.config, numClasses, weights)) as unknown as M;
}

/** Internal: the weights of a model made here. */
export function weightsOf(model: SegmentationModel): WeightSet {
  if (!(model instanceof ModelWithWeights)) throw new ModelError('not a model created by @fmwiss/segmentation-models');
  return (model as unknown as { weights: WeightSet }).weights;
}
