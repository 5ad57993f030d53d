// DINO's projection head: a 3-layer MLP (GELU) to a bottleneck, L2-normalised, then a weight-normalised
// linear layer without bias onto K prototypes (weight_g fixed at 1, DINO's norm_last_layer).
import * as tf from '@tensorflow/tfjs';

import { type SeedPart } from '@fmwiss/random';
import { gelu, truncatedNormal } from '@fmwiss/vit-models';

import { l2Normalize } from '../shared/tensor-ops';

export interface DinoHeadConfig {
  /** Input width (the ViT's C). */
  inDim: number;
  hiddenDim: number;
  bottleneckDim: number;
  /** K, the number of prototypes. */
  outDim: number;
}

/** The last layer's direction vectors; W = v / ||v|| per prototype (column). */
export const LAST_LAYER = 'last_layer.weight_v';

export function headWeightShapes(config: DinoHeadConfig): [string, number[]][] {
  const { inDim, hiddenDim, bottleneckDim, outDim } = config;
  return [
    ['mlp.0.weight', [inDim, hiddenDim]],
    ['mlp.0.bias', [hiddenDim]],
    ['mlp.1.weight', [hiddenDim, hiddenDim]],
    ['mlp.1.bias', [hiddenDim]],
    ['mlp.2.weight', [hiddenDim, bottleneckDim]],
    ['mlp.2.bias', [bottleneckDim]],
    [LAST_LAYER, [bottleneckDim, outDim]],
  ];
}

/** Fresh head weights: truncated normal std 0.02 for matrices, zero biases (DINO's init). */
export function createHeadWeights(config: DinoHeadConfig, seed: SeedPart, options: { trainable?: boolean } = {}): Record<string, tf.Variable> {
  const weights: Record<string, tf.Variable> = {};
  for (const [name, shape] of headWeightShapes(config)) {
    const count = shape.reduce((a, b) => a * b, 1);
    const values = shape.length === 1 ? new Float32Array(count) : truncatedNormal(count, 0.02, seed, 'dino-head', name);
    weights[name] = tf.tidy(() => tf.variable(tf.tensor(values, shape), options.trainable ?? true));
  }
  return weights;
}

/** x [N,inDim] -> prototype scores [N,K] (cosines of the normalised bottleneck with each prototype). */
export function dinoHead(weights: Readonly<Record<string, tf.Tensor>>, x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const w = (name: string) => weights[name]!;
    let h: tf.Tensor2D = gelu(tf.add(tf.matMul(x, w('mlp.0.weight') as tf.Tensor2D), w('mlp.0.bias'))) as tf.Tensor2D;
    h = gelu(tf.add(tf.matMul(h, w('mlp.1.weight') as tf.Tensor2D), w('mlp.1.bias'))) as tf.Tensor2D;
    const z = l2Normalize(tf.add(tf.matMul(h, w('mlp.2.weight') as tf.Tensor2D), w('mlp.2.bias')) as tf.Tensor2D);
    const v = w(LAST_LAYER) as tf.Tensor2D;
    const prototypes = tf.div(v, tf.sqrt(tf.maximum(tf.sum(tf.square(v), 0, true), 1e-24))) /* [bottleneck,K] unit columns */;
    return tf.matMul(z, prototypes as tf.Tensor2D);
  });
}
