// The ViT image encoder's forward pass (mini-CLIP image tower, mini-DINO backbone).
import * as tf from '@tensorflow/tfjs';

import { embeddingDim, gridSize, tokenCount } from './config';
import { layerNorm, linear, transformerBlock, valuePath } from './layers';
import { type VitWeights, weight } from './weights';

/** Which outputs `encodeImage` computes besides `global` (each costs time and memory). */
export interface EncodeImageOptions {
  /** `tokens`, every token after ln_post (default false: the last block then runs for the class token only). */
  tokens?: boolean;
  /** `dense`, the MaskCLIP value-path embeddings of the patches (default false). */
  dense?: boolean;
  /** `lastAttention`, the softmax attention of the last block (default false). */
  attention?: boolean;
}

export interface ImageEncoding {
  /** [B,D] the class token after ln_post, projected (D = outputDim; the width C when outputDim is 0). */
  global: tf.Tensor2D;
  /** [B,T,C] every token after ln_post, T = 1 + h*w (class token first, patches row-major). */
  tokens?: tf.Tensor3D;
  /** [B,h,w,D] MaskCLIP "full": last block as x + proj(v(LN1 x)), + MLP(LN2), then ln_post, projected. */
  dense?: tf.Tensor4D;
  /** [B,heads,T,T] softmax attention probabilities of the last block, row = query. */
  lastAttention?: tf.Tensor4D;
}

/**
 * Patch tokens of NHWC pixels [B,S,S,3] as [B*h*w, C]: the patches cut by reshape + transpose, then
 * one 2-D matmul with the [p*p*3, C] kernel (what a Conv with kernel = stride = p computes).
 */
function patchEmbed(pixels: tf.Tensor4D, weights: VitWeights): tf.Tensor2D {
  const { patchSize: p, width } = weights.config;
  const [B, S] = pixels.shape;
  const g = S / p;
  const patches = tf.reshape(tf.transpose(tf.reshape(pixels, [B, g, p, g, p * 3]), [0, 1, 3, 2, 4]), [B * g * g, p * p * 3]);
  // A plain matmul: autodiff then computes only the kernel's gradient (no pixel gradient).
  return tf.matMul(patches, tf.reshape(weight(weights.tensors, 'patch_embed.weight'), [p * p * 3, width]) as tf.Tensor2D);
}

function project(x: tf.Tensor, weights: VitWeights): tf.Tensor {
  return weights.config.outputDim > 0 ? linear(x, weight(weights.tensors, 'proj.weight')) : x;
}

/**
 * The encoder on pixels [B,S,S,3] (NHWC, already normalised with the model's mean/std). Pure; the
 * returned tensors are new and the caller's (every intermediate is freed). Differentiable with
 * respect to the weights (tf.variableGrads): compute only the outputs the loss needs.
 */
export function encodeImage(weights: VitWeights, pixels: tf.Tensor4D, options: EncodeImageOptions = {}): ImageEncoding {
  const { config, tensors } = weights;
  const [B, S, S2, channels] = pixels.shape;
  if (S !== config.imageSize || S2 !== config.imageSize || channels !== 3) {
    throw new RangeError(`encodeImage: pixels must be [B,${config.imageSize},${config.imageSize},3], got [${pixels.shape.join(',')}]`);
  }
  if (pixels.dtype !== 'float32') throw new TypeError(`encodeImage: pixels must be float32, got ${pixels.dtype}`);
  return tf.tidy(() => {
    const C = config.width;
    const g = gridSize(config);
    const P = g * g;
    const T = tokenCount(config);
    const shape = { batch: B, tokens: T, width: C, heads: config.heads, eps: config.layerNormEps };
    const cls = tf.broadcastTo(tf.reshape(weight(tensors, 'cls_token'), [1, 1, C]), [B, 1, C]);
    const sequence = tf.concat([cls, tf.reshape(patchEmbed(pixels, weights), [B, P, C])], 1) /* [B,T,C] */;
    let x: tf.Tensor = tf.reshape(tf.add(sequence, weight(tensors, 'pos_embed')), [B * T, C]);
    // One tidy per block: a forward pass without a tape frees each block's intermediates at once.
    for (let i = 0; i < config.depth - 1; i++) {
      const input = x;
      x = tf.tidy(() => transformerBlock(input, tensors, `blocks.${i}`, shape).out);
    }

    const last = `blocks.${config.depth - 1}`;
    const lnPost = (y: tf.Tensor) => layerNorm(y, weight(tensors, 'ln_post.weight'), weight(tensors, 'ln_post.bias'), config.layerNormEps);
    const result: ImageEncoding = {} as ImageEncoding;
    if (options.tokens || options.attention) {
      const { out, attention } = transformerBlock(x, tensors, last, shape, { keepAttention: options.attention });
      const tokens = tf.reshape(lnPost(out), [B, T, C]);
      result.global = project(tf.reshape(tf.slice(tokens, [0, 0, 0], [B, 1, C]), [B, C]), weights) as tf.Tensor2D;
      if (options.tokens) result.tokens = tokens as tf.Tensor3D;
      if (attention) result.lastAttention = attention;
    } else {
      result.global = project(lnPost(transformerBlock(x, tensors, last, shape, { firstTokenOnly: true }).out), weights) as tf.Tensor2D;
    }
    if (options.dense) {
      const patches = tf.reshape(tf.slice(tf.reshape(x, [B, T, C]), [0, 1, 0], [B, P, C]), [B * P, C]);
      const dense = project(lnPost(valuePath(patches, tensors, last, C, config.layerNormEps)), weights);
      result.dense = tf.reshape(dense, [B, g, g, embeddingDim(config)]);
    }
    return result as unknown as tf.TensorContainerObject;
  }) as unknown as ImageEncoding;
}
