// Weights of the ViT and text models: a flat record of tensors by stable name, in a fixed order
// (the order of `vitWeightShapes` / `textWeightShapes`), seeded-initialised, ready for
// @fmwiss/training's saveCheckpoint (`weightMap`) and loadCheckpoint (`assignWeights`).
import * as tf from '@tensorflow/tfjs';
import { SeededRandom, type SeedPart } from '@fmwiss/random';

import {
  type ResolvedTextConfig,
  type ResolvedVitConfig,
  resolveTextConfig,
  resolveVitConfig,
  type TextConfig,
  tokenCount,
  type VitConfig,
} from './config';

/** Stable name -> tensor, in the model's weight order. */
export type NamedTensors<T extends tf.Tensor = tf.Tensor> = Readonly<Record<string, T>>;

/** The weights of a ViT image encoder with the config they were made for. */
export interface VitWeights<T extends tf.Tensor = tf.Tensor> {
  readonly config: ResolvedVitConfig;
  readonly tensors: NamedTensors<T>;
}

/** The weights of a text transformer with the config they were made for. */
export interface TextWeights<T extends tf.Tensor = tf.Tensor> {
  readonly config: ResolvedTextConfig;
  readonly tensors: NamedTensors<T>;
}

type Init = { kind: 'normal'; std: number } | { kind: 'zeros' } | { kind: 'ones' };

interface WeightSpec {
  name: string;
  shape: number[];
  init: Init;
}

/** Std of every random weight (truncated at 2 std), as in ViT / DINO. */
export const INIT_STD = 0.02;

const NORMAL: Init = { kind: 'normal', std: INIT_STD };
const ZEROS: Init = { kind: 'zeros' };
const ONES: Init = { kind: 'ones' };

function blockSpecs(prefix: string, width: number, mlpRatio: number): WeightSpec[] {
  const hidden = width * mlpRatio;
  return [
    { name: `${prefix}.ln1.weight`, shape: [width], init: ONES },
    { name: `${prefix}.ln1.bias`, shape: [width], init: ZEROS },
    // q, k, v side by side (PyTorch's in_proj layout transposed); inside each, heads are contiguous.
    { name: `${prefix}.attn.qkv.weight`, shape: [width, 3 * width], init: NORMAL },
    { name: `${prefix}.attn.qkv.bias`, shape: [3 * width], init: ZEROS },
    { name: `${prefix}.attn.proj.weight`, shape: [width, width], init: NORMAL },
    { name: `${prefix}.attn.proj.bias`, shape: [width], init: ZEROS },
    { name: `${prefix}.ln2.weight`, shape: [width], init: ONES },
    { name: `${prefix}.ln2.bias`, shape: [width], init: ZEROS },
    { name: `${prefix}.mlp.fc1.weight`, shape: [width, hidden], init: NORMAL },
    { name: `${prefix}.mlp.fc1.bias`, shape: [hidden], init: ZEROS },
    { name: `${prefix}.mlp.fc2.weight`, shape: [hidden, width], init: NORMAL },
    { name: `${prefix}.mlp.fc2.bias`, shape: [width], init: ZEROS },
  ];
}

function vitSpecs(config: ResolvedVitConfig): WeightSpec[] {
  const { patchSize: p, width, depth, mlpRatio, outputDim } = config;
  const specs: WeightSpec[] = [
    // HWIO, the layout of tf.conv2d; the rows of the flattened [p*p*3, C] matrix run (y, x, rgb).
    { name: 'patch_embed.weight', shape: [p, p, 3, width], init: NORMAL },
    { name: 'cls_token', shape: [width], init: NORMAL },
    { name: 'pos_embed', shape: [tokenCount(config), width], init: NORMAL },
  ];
  for (let i = 0; i < depth; i++) specs.push(...blockSpecs(`blocks.${i}`, width, mlpRatio));
  specs.push({ name: 'ln_post.weight', shape: [width], init: ONES }, { name: 'ln_post.bias', shape: [width], init: ZEROS });
  if (outputDim > 0) specs.push({ name: 'proj.weight', shape: [width, outputDim], init: NORMAL });
  return specs;
}

function textSpecs(config: ResolvedTextConfig): WeightSpec[] {
  const { vocabSize, contextLength, width, depth, mlpRatio, outputDim } = config;
  const specs: WeightSpec[] = [
    { name: 'token_embed.weight', shape: [vocabSize, width], init: NORMAL },
    { name: 'pos_embed', shape: [contextLength, width], init: NORMAL },
  ];
  for (let i = 0; i < depth; i++) specs.push(...blockSpecs(`blocks.${i}`, width, mlpRatio));
  specs.push(
    { name: 'ln_final.weight', shape: [width], init: ONES },
    { name: 'ln_final.bias', shape: [width], init: ZEROS },
    { name: 'proj.weight', shape: [width, outputDim], init: NORMAL },
  );
  return specs;
}

/** Every weight of a ViT: [stable name, shape], in order (a CheckpointExpectation's names and shapes). */
export function vitWeightShapes(config: VitConfig = {}): [string, number[]][] {
  return vitSpecs(resolveVitConfig(config)).map((spec) => [spec.name, spec.shape]);
}

/** Every weight of a text transformer: [stable name, shape], in order. */
export function textWeightShapes(config: TextConfig): [string, number[]][] {
  return textSpecs(resolveTextConfig(config)).map((spec) => [spec.name, spec.shape]);
}

/**
 * `count` draws of a normal N(0, std^2) truncated to [-2 std, 2 std] (redrawn outside), from a seeded
 * stream (Box-Muller on SeededRandom): the same seed and key give the same values everywhere.
 */
export function truncatedNormal(count: number, std: number, seed: SeedPart, ...key: SeedPart[]): Float32Array {
  const random = new SeededRandom(seed, ...key);
  const out = new Float32Array(count);
  let i = 0;
  while (i < count) {
    const radius = Math.sqrt(-2 * Math.log(1 - random.next())); // 1 - u in (0, 1]: no log(0)
    const angle = 2 * Math.PI * random.next();
    for (const z of [radius * Math.cos(angle), radius * Math.sin(angle)]) {
      if (i < count && Math.abs(z) <= 2) out[i++] = std * z;
    }
  }
  return out;
}

let registrations = 0;

function initialValue(spec: WeightSpec, seed: SeedPart, model: string): tf.Tensor {
  switch (spec.init.kind) {
    case 'zeros':
      return tf.zeros(spec.shape);
    case 'ones':
      return tf.ones(spec.shape);
    case 'normal': {
      const count = spec.shape.reduce((a, b) => a * b, 1);
      return tf.tensor(truncatedNormal(count, spec.init.std, seed, model, spec.name), spec.shape);
    }
  }
}

function createVariables(specs: readonly WeightSpec[], seed: SeedPart, model: string, trainable: boolean): Record<string, tf.Variable> {
  const variables: Record<string, tf.Variable> = {};
  try {
    for (const spec of specs) {
      const value = initialValue(spec, seed, model);
      // tfjs names variables globally: the stable name plus a process-unique suffix, so that two
      // models (a student and its frozen copy) coexist.
      variables[spec.name] = tf.variable(value, trainable, `${model}/${spec.name}#${++registrations}`);
      value.dispose();
    }
  } catch (error) {
    tf.dispose(Object.values(variables));
    throw error;
  }
  return variables;
}

/**
 * Fresh ViT weights: truncated normal (std 0.02) for matrices, embeddings, class token and
 * projection, zero biases, LayerNorm gain 1 and bias 0. Deterministic given `seed` (each weight draws
 * from its own stream keyed by its stable name). The caller owns the variables (`disposeWeights`).
 */
export function createVitWeights(config: VitConfig, seed: SeedPart, options: { trainable?: boolean } = {}): VitWeights<tf.Variable> {
  const resolved = resolveVitConfig(config);
  return { config: resolved, tensors: createVariables(vitSpecs(resolved), seed, 'vit', options.trainable ?? true) };
}

/** Fresh text transformer weights (as createVitWeights). */
export function createTextWeights(config: TextConfig, seed: SeedPart, options: { trainable?: boolean } = {}): TextWeights<tf.Variable> {
  const resolved = resolveTextConfig(config);
  return { config: resolved, tensors: createVariables(textSpecs(resolved), seed, 'text', options.trainable ?? true) };
}

/** The weights as a Map in weight order (the `weights` of @fmwiss/training's saveCheckpoint). */
export function weightMap(weights: VitWeights | TextWeights): Map<string, tf.Tensor> {
  return new Map(Object.entries(weights.tensors));
}

/** The variables in weight order (the var list of tf.variableGrads / an optimiser). */
export function weightVariables(weights: VitWeights<tf.Variable> | TextWeights<tf.Variable>): tf.Variable[] {
  return Object.values(weights.tensors);
}

function expectedShapes(weights: VitWeights | TextWeights): [string, number[]][] {
  return 'imageSize' in weights.config ? vitWeightShapes(weights.config) : textWeightShapes(weights.config);
}

/**
 * Assigns values by stable name (e.g. loadCheckpoint's `weights`): every weight must be given with
 * its shape and no other name; nothing is assigned when a check fails. The caller keeps `values`.
 */
export function assignWeights(weights: VitWeights<tf.Variable> | TextWeights<tf.Variable>, values: ReadonlyMap<string, tf.Tensor>): void {
  const shapes = new Map(expectedShapes(weights));
  for (const [name, value] of values) {
    const shape = shapes.get(name);
    if (shape === undefined) throw new RangeError(`weight ${name} does not exist in this model`);
    if (value.shape.length !== shape.length || value.shape.some((d, i) => d !== shape[i])) {
      throw new RangeError(`weight ${name} has shape [${shape.join(',')}], the value has [${value.shape.join(',')}]`);
    }
  }
  const missing = [...shapes.keys()].filter((name) => !values.has(name));
  if (missing.length > 0) throw new RangeError(`values missing for ${missing.length} weights, first ${missing[0]}`);
  tf.tidy(() => {
    for (const [name, value] of values) weights.tensors[name]!.assign(value.toFloat());
  });
}

/** Disposes every tensor of the weights. */
export function disposeWeights(weights: VitWeights | TextWeights): void {
  tf.dispose(Object.values(weights.tensors));
}

/**
 * Checks that `tensors` hold exactly the weights of the config, with their shapes (weights from a
 * checkpoint, before they reach a forward pass or an export); throws a RangeError listing problems.
 */
export function checkWeightShapes(tensors: NamedTensors, expected: readonly [string, number[]][]): void {
  const problems: string[] = [];
  const names = new Set(expected.map(([name]) => name));
  for (const [name, shape] of expected) {
    const tensor = tensors[name];
    if (tensor === undefined) problems.push(`${name} is missing`);
    else if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
      problems.push(`${name} has shape [${tensor.shape.join(',')}], the config needs [${shape.join(',')}]`);
    }
  }
  for (const name of Object.keys(tensors)) if (!names.has(name)) problems.push(`${name} is not a weight of this config`);
  if (problems.length > 0) throw new RangeError(`the weights do not match the config: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}`);
}

/** The tensor of a weight, or an error naming what is missing (weights from a checkpoint of another model). */
export function weight(tensors: NamedTensors, name: string): tf.Tensor {
  const tensor = tensors[name];
  if (tensor === undefined) throw new RangeError(`the model has no weight named ${name}`);
  return tensor;
}
