// mini-CLIP: a ViT image tower and a causal text transformer (@fmwiss/vit-models) trained with the
// symmetric InfoNCE loss and a learned temperature, AdamW, linear warm-up then cosine.
import * as tf from '@tensorflow/tfjs';

import type { Tokenizer } from '@fmwiss/co-segmentation';
import { SeededRandom, type SeedPart } from '@fmwiss/random';
import {
  assignWeights,
  createTextWeights,
  createVitWeights,
  disposeWeights,
  encodeImage,
  encodeText,
  type TextConfig,
  type TextWeights,
  type VitConfig,
  type VitWeights,
  WORD_END_ID,
} from '@fmwiss/vit-models';

import { AdamW } from '../shared/adamw';
import type { StepMetrics, Trainer } from '../shared/budget-loop';
import { DataOrder } from '../shared/data-order';
import { clipGradients, gradientsOf, prefixed, unprefixed } from '../shared/parameters';
import type { Rgb } from '../shared/pixels';
import { warmupCosine } from '../shared/schedules';
import { type ClipAugmentation, type ClipBatch, type ClipSample, makeClipBatch } from './clip-batch';
import { clipLoss, denseMilLoss, duplicateTargets, INITIAL_LOG_SCALE, MAX_LOG_SCALE } from './clip-loss';

export interface ClipHyperParameters {
  /** Peak learning rate of AdamW. */
  learningRate: number;
  warmupSteps: number;
  /** The learning rate at the end of the cosine, as a fraction of the peak. */
  finalLearningRateFactor: number;
  /** Decoupled weight decay of the matrices (rank >= 2); none on biases, norms, class token, scale. */
  weightDecay: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Global gradient-norm clip (0: none). */
  clipNorm: number;
  /** Weight of the dense multiple-instance term (denseMilLoss) beside the global InfoNCE; 0: global only. */
  denseWeight: number;
  /** tau of the smooth maximum over patches in the dense term. */
  densePoolTemperature: number;
}

export const DEFAULT_CLIP_HYPER: Readonly<ClipHyperParameters> = Object.freeze({
  learningRate: 5e-4,
  warmupSteps: 100,
  finalLearningRateFactor: 0,
  weightDecay: 0.1,
  beta1: 0.9,
  beta2: 0.98,
  epsilon: 1e-6,
  clipNorm: 1,
  denseWeight: 1,
  densePoolTemperature: 0.1,
});

export interface ClipTrainerOptions {
  image: VitConfig;
  /** The text tower; vocabSize and endId come from the tokenizer. */
  text: Omit<TextConfig, 'vocabSize' | 'endId'>;
  tokenizer: Tokenizer;
  vocabSize: number;
  seed: SeedPart;
  batchSize: number;
  hyper: ClipHyperParameters;
  augmentation: ClipAugmentation;
  mean: Rgb;
  std: Rgb;
  /** The training samples (decoded). */
  samples: readonly ClipSample[];
}

export const LOGIT_SCALE = 'logit_scale';

export class ClipTrainer implements Trainer {
  readonly image: VitWeights<tf.Variable>;
  readonly text: TextWeights<tf.Variable>;
  readonly logScale: tf.Variable;
  readonly order: DataOrder;
  private readonly variables: Map<string, tf.Variable>;
  private readonly optimizer: AdamW;

  constructor(readonly options: ClipTrainerOptions) {
    this.image = createVitWeights(options.image, options.seed);
    this.text = createTextWeights({ ...options.text, vocabSize: options.vocabSize, endId: WORD_END_ID }, options.seed);
    this.logScale = tf.tidy(() => tf.variable(tf.scalar(INITIAL_LOG_SCALE), true));
    this.variables = new Map([...prefixed('image', this.image.tensors), ...prefixed('text', this.text.tensors), [LOGIT_SCALE, this.logScale]]);
    const { hyper } = options;
    const decayed = new Set([...this.variables].filter(([name, v]) => v.shape.length >= 2 && name !== LOGIT_SCALE).map(([name]) => name));
    this.optimizer = new AdamW({ beta1: hyper.beta1, beta2: hyper.beta2, epsilon: hyper.epsilon, decayExclude: (name) => !decayed.has(name) });
    this.order = new DataOrder(options.samples.length, options.batchSize, options.seed);
  }

  /** The batch of step `step`: data order and augmentation are keyed by (seed, step) alone. */
  batch(step: number): ClipBatch {
    const { indices } = this.order.at(step);
    const random = new SeededRandom(this.options.seed, 'mini-clip/augment', step);
    return makeClipBatch(
      indices.map((i) => this.options.samples[i]!),
      { ...this.options.augmentation, imageSize: this.image.config.imageSize, mean: this.options.mean, std: this.options.std, tokenizer: this.options.tokenizer },
      random,
    );
  }

  learningRate(step: number, totalSteps: number): number {
    const { learningRate, warmupSteps, finalLearningRateFactor } = this.options.hyper;
    return warmupCosine(step, totalSteps, { base: learningRate, warmupSteps, final: learningRate * finalLearningRateFactor });
  }

  private gradients(batch: ClipBatch) {
    const B = batch.texts.length;
    const S = this.image.config.imageSize;
    const L = this.text.config.contextLength;
    const rowKeys = Array.from({ length: B }, (_, i) => batch.ids.subarray(i * L, (i + 1) * L).join(','));
    const pixels = tf.tensor4d(batch.pixels, [B, S, S, 3]);
    const ids = tf.tensor2d(batch.ids, [B, L], 'int32');
    const targets = tf.tensor2d(duplicateTargets(rowKeys), [B, B]);
    try {
      const { denseWeight, densePoolTemperature } = this.options.hyper;
      return gradientsOf(this.variables, () => {
        const image = encodeImage(this.image, pixels, { dense: denseWeight > 0 });
        const text = encodeText(this.text, ids);
        const global = clipLoss(image.global, text, this.logScale, targets);
        if (denseWeight <= 0 || image.dense === undefined) return { loss: global };
        return { loss: tf.add(global, tf.mul(denseMilLoss(image.dense, text, this.logScale, targets, densePoolTemperature), denseWeight)) as tf.Scalar };
      });
    } finally {
      tf.dispose([pixels, ids, targets]);
    }
  }

  async step(step: number, totalSteps: number): Promise<StepMetrics> {
    const lr = this.learningRate(step, totalSteps);
    const { loss, grads } = this.gradients(this.batch(step));
    const clipped = clipGradients(grads, this.options.hyper.clipNorm);
    try {
      if (Number.isFinite(clipped.norm) && Number.isFinite(loss)) {
        this.optimizer.step(clipped.grads, this.variables, lr, this.options.hyper.weightDecay);
        tf.tidy(() => this.logScale.assign(tf.minimum(this.logScale, MAX_LOG_SCALE)));
      }
    } finally {
      tf.dispose([...clipped.grads.values()]);
    }
    return { loss, logitScale: Math.exp((this.logScale.dataSync() as Float32Array)[0]!), lr, gradNorm: clipped.norm, skipped: Number.isFinite(clipped.norm) && Number.isFinite(loss) ? 0 : 1 };
  }

  async dryStep(): Promise<void> {
    const { grads } = this.gradients(this.batch(0));
    const clipped = clipGradients(grads, this.options.hyper.clipNorm);
    tf.dispose([...clipped.grads.values()]);
  }

  snapshot(): { weights: Map<string, tf.Tensor>; optimizerState: Map<string, tf.Tensor> } {
    const weights = new Map<string, tf.Tensor>();
    for (const [name, variable] of this.variables) weights.set(name, tf.clone(variable));
    return { weights, optimizerState: this.optimizer.getState() };
  }

  restore(weights: ReadonlyMap<string, tf.Tensor>, optimizerState: ReadonlyMap<string, tf.Tensor>): void {
    const scale = weights.get(LOGIT_SCALE);
    if (scale === undefined || scale.size !== 1) throw new RangeError(`the checkpoint lacks ${LOGIT_SCALE}`);
    const known = new Set(this.variables.keys());
    const extra = [...weights.keys()].filter((name) => !known.has(name));
    if (extra.length > 0) throw new RangeError(`the checkpoint holds weights this model lacks: ${extra.slice(0, 3).join(', ')}`);
    assignWeights(this.image, unprefixed('image', weights));
    assignWeights(this.text, unprefixed('text', weights));
    tf.tidy(() => this.logScale.assign(tf.reshape(scale, [])));
    this.optimizer.setState(optimizerState);
  }

  dispose(): void {
    disposeWeights(this.image);
    disposeWeights(this.text);
    this.logScale.dispose();
    this.optimizer.dispose();
  }
}
