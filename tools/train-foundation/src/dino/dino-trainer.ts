// mini-DINO: self-distillation without labels. A student ViT (no projection) + DINO head learns to
// match a momentum (EMA) teacher's centred, sharpened prototype distribution across multi-crop views.
import * as tf from '@tensorflow/tfjs';

import type { RgbImage } from '@fmwiss/imaging';
import { SeededRandom, type SeedPart } from '@fmwiss/random';
import { assignWeights, createVitWeights, disposeWeights, encodeImage, type VitConfig, type VitWeights } from '@fmwiss/vit-models';

import { AdamW } from '../shared/adamw';
import type { StepMetrics, Trainer } from '../shared/budget-loop';
import { DataOrder } from '../shared/data-order';
import { clipGradients, gradientsOf, prefixed, unprefixed } from '../shared/parameters';
import { cosineRamp, linearWarmup, warmupCosine } from '../shared/schedules';
import { createHeadWeights, type DinoHeadConfig, dinoHead, LAST_LAYER } from './dino-head';
import { dinoLoss, teacherStatistics, teacherTargets, updatedCenter } from './dino-loss';
import { emaUpdate } from './ema';
import { makeMultiCropBatch, type MultiCropBatch, type MultiCropOptions } from './multi-crop';
import { vitAtSize } from './position-embedding';

export interface DinoHyperParameters {
  learningRate: number;
  warmupSteps: number;
  finalLearningRateFactor: number;
  /** Weight decay of the matrices, cosine from start to end (DINO: 0.04 -> 0.4). */
  weightDecayStart: number;
  weightDecayEnd: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  clipNorm: number;
  /** Teacher temperature: linear from teacherTempStart over teacherTempWarmupSteps, then teacherTemp. */
  teacherTemp: number;
  teacherTempStart: number;
  teacherTempWarmupSteps: number;
  studentTemp: number;
  centerMomentum: number;
  /** EMA momentum of the teacher, cosine from start to end over the planned steps. */
  emaStart: number;
  emaEnd: number;
  /** The prototypes (last layer) get no update during the first steps (DINO's freeze_last_layer). */
  freezeLastLayerSteps: number;
}

export const DEFAULT_DINO_HYPER: Readonly<DinoHyperParameters> = Object.freeze({
  learningRate: 5e-4,
  warmupSteps: 150,
  finalLearningRateFactor: 0.002,
  weightDecayStart: 0.04,
  weightDecayEnd: 0.4,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  clipNorm: 3,
  teacherTemp: 0.04,
  teacherTempStart: 0.04,
  teacherTempWarmupSteps: 0,
  studentTemp: 0.1,
  centerMomentum: 0.9,
  emaStart: 0.996,
  emaEnd: 1,
  freezeLastLayerSteps: 150,
});

export interface DinoTrainerOptions {
  /** The backbone (outputDim 0: DINO reads the class token after ln_post). */
  vit: VitConfig;
  /** Head sizes besides inDim (the ViT's width). */
  head: Omit<DinoHeadConfig, 'inDim'>;
  seed: SeedPart;
  batchSize: number;
  hyper: DinoHyperParameters;
  crops: MultiCropOptions;
  /** The training images (decoded). */
  images: readonly RgbImage[];
}

export const CENTER = 'center';

export class DinoTrainer implements Trainer {
  readonly student: VitWeights<tf.Variable>;
  readonly teacher: VitWeights<tf.Variable>;
  readonly studentHead: Record<string, tf.Variable>;
  readonly teacherHead: Record<string, tf.Variable>;
  readonly center: tf.Variable;
  readonly order: DataOrder;
  readonly headConfig: DinoHeadConfig;
  private readonly trainable: Map<string, tf.Variable>;
  private readonly teacherVariables: Map<string, tf.Variable>;
  private readonly optimizer: AdamW;

  constructor(readonly options: DinoTrainerOptions) {
    const { seed, hyper } = options;
    this.student = createVitWeights(options.vit, seed);
    if (this.student.config.outputDim !== 0) throw new RangeError('mini-DINO trains a ViT without projection: give vit.outputDim 0');
    this.headConfig = { ...options.head, inDim: this.student.config.width };
    this.studentHead = createHeadWeights(this.headConfig, seed);
    // The teacher starts as a copy of the student (same seeded initialisation) and never gets a gradient.
    this.teacher = createVitWeights(options.vit, seed, { trainable: false });
    this.teacherHead = createHeadWeights(this.headConfig, seed, { trainable: false });
    this.center = tf.tidy(() => tf.variable(tf.zeros([1, this.headConfig.outDim]), false));
    this.trainable = new Map([...prefixed('student', this.student.tensors), ...prefixed('student_head', this.studentHead)]);
    this.teacherVariables = new Map([...prefixed('student', this.teacher.tensors), ...prefixed('student_head', this.teacherHead)]);
    const decayed = new Set([...this.trainable].filter(([, v]) => v.shape.length >= 2).map(([name]) => name));
    this.optimizer = new AdamW({ beta1: hyper.beta1, beta2: hyper.beta2, epsilon: hyper.epsilon, decayExclude: (name) => !decayed.has(name) });
    this.order = new DataOrder(options.images.length, options.batchSize, seed);
  }

  /** The crops of step `step`: data order and augmentation keyed by (seed, step) alone. */
  batch(step: number): MultiCropBatch {
    const { indices } = this.order.at(step);
    return makeMultiCropBatch(indices.map((i) => this.options.images[i]!), this.options.crops, new SeededRandom(this.options.seed, 'mini-dino/augment', step));
  }

  schedule(step: number, totalSteps: number): { lr: number; weightDecay: number; teacherTemp: number; momentum: number } {
    const h = this.options.hyper;
    return {
      lr: warmupCosine(step, totalSteps, { base: h.learningRate, warmupSteps: h.warmupSteps, final: h.learningRate * h.finalLearningRateFactor }),
      weightDecay: cosineRamp(step, totalSteps, h.weightDecayStart, h.weightDecayEnd),
      teacherTemp: linearWarmup(step, h.teacherTempWarmupSteps, h.teacherTempStart, h.teacherTemp),
      momentum: cosineRamp(step, totalSteps, h.emaStart, h.emaEnd),
    };
  }

  private inputs(batch: MultiCropBatch): { globals: tf.Tensor4D; locals: tf.Tensor4D } {
    const { globalSize: S, localSize: s, globalCrops, localCrops } = this.options.crops;
    const B = this.options.batchSize;
    return {
      globals: tf.tensor4d(batch.globals, [globalCrops * B, S, S, 3]),
      locals: tf.tensor4d(batch.locals, [localCrops * B, s, s, 3]),
    };
  }

  /** Teacher scores [G*B, K] of the global crops (no tape). */
  private teacherScores(globals: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => dinoHead(this.teacherHead, encodeImage(this.teacher, globals).global));
  }

  private gradients(globals: tf.Tensor4D, locals: tf.Tensor4D, targets: tf.Tensor2D) {
    const { crops, hyper } = this.options;
    return gradientsOf(this.trainable, () => {
      const globalFeatures = encodeImage(this.student, globals).global;
      const localFeatures = encodeImage(vitAtSize(this.student, crops.localSize), locals).global;
      const scores = dinoHead(this.studentHead, tf.concat([globalFeatures, localFeatures], 0));
      return {
        loss: dinoLoss(scores, targets, hyper.studentTemp, { batch: this.options.batchSize, globalCrops: crops.globalCrops, studentCrops: crops.globalCrops + crops.localCrops }),
      };
    });
  }

  async step(step: number, totalSteps: number): Promise<StepMetrics> {
    const { hyper } = this.options;
    const { lr, weightDecay, teacherTemp, momentum } = this.schedule(step, totalSteps);
    const { globals, locals } = this.inputs(this.batch(step));
    const teacher = this.teacherScores(globals);
    const targets = teacherTargets(teacher, this.center, teacherTemp);
    const statistics = teacherStatistics(targets);
    let gradients;
    try {
      gradients = this.gradients(globals, locals, targets);
    } finally {
      tf.dispose([globals, locals, targets]);
    }
    const { loss, grads } = gradients;
    if (step < hyper.freezeLastLayerSteps) {
      grads.get(`student_head/${LAST_LAYER}`)?.dispose();
      grads.delete(`student_head/${LAST_LAYER}`);
    }
    const clipped = clipGradients(grads, hyper.clipNorm);
    const applied = Number.isFinite(clipped.norm) && Number.isFinite(loss);
    try {
      if (applied) this.optimizer.step(clipped.grads, this.trainable, lr, weightDecay);
    } finally {
      tf.dispose([...clipped.grads.values()]);
    }
    // Centre from this step's teacher outputs (as DINO: after the loss), then the EMA teacher.
    const center = updatedCenter(this.center, teacher, hyper.centerMomentum);
    this.center.assign(center);
    tf.dispose([center, teacher]);
    if (applied) emaUpdate(this.teacherVariables, this.trainable, momentum);
    return { loss, lr, momentum, teacherTemp, gradNorm: clipped.norm, teacherEntropy: statistics.rowEntropy, batchEntropy: statistics.meanEntropy, skipped: applied ? 0 : 1 };
  }

  async dryStep(): Promise<void> {
    const { globals, locals } = this.inputs(this.batch(0));
    const teacher = this.teacherScores(globals);
    const targets = teacherTargets(teacher, this.center, this.options.hyper.teacherTemp);
    try {
      const { grads } = this.gradients(globals, locals, targets);
      const clipped = clipGradients(grads, this.options.hyper.clipNorm);
      tf.dispose([...clipped.grads.values()]);
    } finally {
      tf.dispose([globals, locals, teacher, targets]);
    }
  }

  snapshot(): { weights: Map<string, tf.Tensor>; optimizerState: Map<string, tf.Tensor> } {
    const weights = new Map<string, tf.Tensor>();
    for (const [name, variable] of this.trainable) weights.set(name, tf.clone(variable));
    for (const [name, variable] of this.teacherVariables) weights.set(name.replace(/^student/, 'teacher'), tf.clone(variable));
    weights.set(CENTER, tf.clone(this.center));
    return { weights, optimizerState: this.optimizer.getState() };
  }

  restore(weights: ReadonlyMap<string, tf.Tensor>, optimizerState: ReadonlyMap<string, tf.Tensor>): void {
    const expected = new Set([...this.trainable.keys(), ...[...this.teacherVariables.keys()].map((n) => n.replace(/^student/, 'teacher')), CENTER]);
    const missing = [...expected].filter((n) => !weights.has(n));
    const extra = [...weights.keys()].filter((n) => !expected.has(n));
    if (missing.length > 0 || extra.length > 0) throw new RangeError(`the checkpoint does not hold a mini-DINO of this configuration (missing ${missing.slice(0, 3).join(', ') || 'none'}; extra ${extra.slice(0, 3).join(', ') || 'none'})`);
    assignWeights(this.student, unprefixed('student', weights));
    assignWeights(this.teacher, unprefixed('teacher', weights));
    tf.tidy(() => {
      for (const [prefix, head] of [['student_head', this.studentHead], ['teacher_head', this.teacherHead]] as const) {
        for (const [name, value] of unprefixed(prefix, weights)) head[name]!.assign(value);
      }
      this.center.assign(weights.get(CENTER)!);
    });
    this.optimizer.setState(optimizerState);
  }

  dispose(): void {
    disposeWeights(this.student);
    disposeWeights(this.teacher);
    tf.dispose([...Object.values(this.studentHead), ...Object.values(this.teacherHead), this.center]);
    this.optimizer.dispose();
  }
}
