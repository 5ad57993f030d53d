// The transformer pieces in TensorFlow.js, written for the single-threaded wasm backend:
//
// - tokens stay 2-D [B*T, C] matrices, so every projection is one plain 2-D matmul (XNNPACK's fast
//   path); attention costs two batched matmuls per block forward and four backward;
// - no transpose of rank 5 (wasm's generic transpose runs at ~60 ns per element: 0.4 s per block
//   at batch 64); q, k and v come out of one rank-4 transpose as contiguous [H*B, T, hd] batches;
// - LayerNorm, GELU, the projections and the attention probabilities carry hand-written gradients
//   (tf.customGrad) computed inside tf.tidy: tfjs otherwise keeps every intermediate gradient of
//   every op until the whole backward pass ends (peak memory). These ops save only their inputs
//   and their output for the backward pass (tfjs's memory check under IS_TEST refuses a custom op
//   that keeps an intermediate): LayerNorm recomputes its statistics, GELU its erf, and attention
//   is the custom P(q, k), then P v.
//
// The forward values are computed by the same ops in the same order with or without a tape; the
// ONNX graphs of ./onnx-export.ts compute the same functions.
import * as tf from '@tensorflow/tfjs';

import { type NamedTensors, weight } from './weights';

/** The additive attention mask of a forbidden (future) key: exp underflows to exactly 0. */
export const MASKED_SCORE = -1e9;

/** Column sums of t [N,M] as [M]. */
function columnSums(t: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(t, 0);
}

function as2d(t: tf.Tensor): tf.Tensor2D {
  const c = t.shape[t.shape.length - 1]!;
  return tf.reshape(t, [t.size / c, c]);
}

/**
 * LayerNorm over the last axis: (x - mean) / sqrt(var + eps) * gain + bias, biased variance.
 * x [N,C], gain and bias [C] -> [N,C].
 */
export function layerNorm(x: tf.Tensor, gain: tf.Tensor, bias: tf.Tensor, eps: number): tf.Tensor2D {
  /** (x - mean) and 1 / sqrt(var + eps) [N,1] of x [N,C]. */
  const statistics = (x2: tf.Tensor2D) => {
    const centred = tf.sub(x2, tf.mean(x2, -1, true));
    return { centred, rstd: tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), eps)) };
  };
  const op = tf.customGrad((...args: unknown[]) => {
    const [x2, g, b, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const { centred, rstd } = statistics(x2);
    save([x2, g]);
    return {
      value: tf.add(tf.mul(tf.mul(centred, rstd), g), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [xs, gamma] = saved as [tf.Tensor2D, tf.Tensor1D];
          const { centred: c, rstd: r } = statistics(xs);
          const xhat = tf.mul(c, r);
          const gy = tf.mul(dy, gamma);
          const dx = tf.mul(r, tf.sub(tf.sub(gy, tf.mean(gy, -1, true)), tf.mul(xhat, tf.mean(tf.mul(gy, xhat), -1, true))));
          return [dx, columnSums(tf.mul(dy, xhat) as tf.Tensor2D), columnSums(dy as tf.Tensor2D)];
        }),
    };
  });
  return op(as2d(x), gain, bias) as tf.Tensor2D;
}

/** Phi(x) = (erf(x / sqrt 2) + 1) * 0.5, the normal CDF. */
function normalCdf(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1), 0.5);
}

/**
 * The exact GELU, x * Phi(x) (tfjs has Erf on cpu and wasm). Gradient Phi(x) + x phi(x),
 * phi(x) = exp(-x^2 / 2) / sqrt(2 pi), with Phi recomputed (as cheap as recovering it from the output).
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  const op = tf.customGrad((...args: unknown[]) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([input]);
    return {
      value: tf.mul(input, normalCdf(input)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const xs = saved[0]!;
          const density = tf.mul(tf.mul(xs, 1 / Math.sqrt(2 * Math.PI)), tf.exp(tf.mul(tf.square(xs), -0.5)));
          return [tf.mul(dy, tf.add(normalCdf(xs), density))];
        }),
    };
  });
  return op(x);
}

/**
 * x [N,K] @ w [K,M] (+ bias [M]) -> [N,M]: one 2-D matmul forward (bias fused). Backward:
 * dx = dy w^T; dw = x^T dy with the narrower of x and dy as the right-hand side (XNNPACK packs the
 * right-hand side of every product anew, as each step's tensors are new: that costs more than a
 * transpose of the other operand); dbias as row sums of dy^T when dy is transposed anyway (a Sum over
 * axis 0 is slow on wasm). Measured at [9280,64] x [64,256]: 22 ms instead of 37 ms for dw + dbias.
 */
export function linear(x: tf.Tensor, w: tf.Tensor, bias?: tf.Tensor): tf.Tensor2D {
  const withBias = bias !== undefined;
  const grads = (dy: tf.Tensor2D, xs: tf.Tensor2D, ws: tf.Tensor2D): tf.Tensor[] => {
    const [, k] = xs.shape;
    const [, m] = dy.shape;
    const dx = tf.matMul(dy, tf.transpose(ws));
    if (k < m) {
      const dyT = tf.transpose(dy) /* [M,N] */;
      const dw = tf.transpose(tf.matMul(dyT, xs));
      return withBias ? [dx, dw, tf.sum(dyT, 1)] : [dx, dw];
    }
    const dw = tf.matMul(tf.transpose(xs), dy);
    return withBias ? [dx, dw, tf.sum(dy, 0)] : [dx, dw];
  };
  const op = tf.customGrad((...args: unknown[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [a, b, c] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D | undefined];
    save([a, b]);
    return {
      value: withBias ? (tf.fused.matMul({ a, b, bias: c }) as tf.Tensor2D) : tf.matMul(a, b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => grads(dy as tf.Tensor2D, saved[0] as tf.Tensor2D, saved[1] as tf.Tensor2D)),
    };
  });
  const inputs = [as2d(x), w as tf.Tensor2D];
  return (withBias ? op(...inputs, bias) : op(...inputs)) as tf.Tensor2D;
}

/** The sizes a block needs. */
export interface BlockShape {
  batch: number;
  /** T, the tokens of each sequence. */
  tokens: number;
  width: number;
  heads: number;
  eps: number;
}

/**
 * The heads' q, k, v of qkv [B*T, 3C] as [3, H*B, T, hd] (head-major: item h*B + b), by one rank-4
 * transpose of [B,T,3H,hd].
 */
function splitHeads(qkv: tf.Tensor, B: number, T: number, H: number, hd: number): tf.Tensor3D[] {
  const heads = tf.reshape(tf.transpose(tf.reshape(qkv, [B, T, 3 * H, hd]), [2, 0, 1, 3]), [3 * H * B, T, hd]);
  return tf.split(heads, 3, 0) as tf.Tensor3D[];
}

/** o [H*B, Tq, hd] -> [B*Tq, C], heads side by side. */
function mergeHeads(o: tf.Tensor, B: number, Tq: number, H: number, hd: number): tf.Tensor2D {
  return tf.reshape(tf.transpose(tf.reshape(o, [H, B, Tq, hd]), [1, 2, 0, 3]), [B * Tq, H * hd]);
}

/**
 * Softmax attention probabilities P = softmax(q k^T + mask) [HB,Tq,T] of q [HB,Tq,hd] (already
 * scaled) and k [HB,T,hd]; mask [Tq,T] or none. Hand-written gradient: dS = P (dP - rowsum(dP P)),
 * dq = dS k, dk = dS^T q; it saves q, k and P (inputs and output).
 */
function attentionProbabilities(q: tf.Tensor3D, k: tf.Tensor3D, mask: tf.Tensor | undefined): tf.Tensor3D {
  const op = tf.customGrad((...args: unknown[]) => {
    const [qs, ks, save] = args as [tf.Tensor3D, tf.Tensor3D, tf.GradSaveFunc];
    const scores = tf.matMul(qs, ks, false, true);
    const probs = tf.softmax(mask ? tf.add(scores, mask) : scores);
    save([qs, ks, probs]);
    return {
      value: probs,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [qSaved, kSaved, p] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
          const dScores = tf.mul(p, tf.sub(dy, tf.sum(tf.mul(dy, p), -1, true))) as tf.Tensor3D;
          return [tf.matMul(dScores, kSaved), tf.matMul(dScores, qSaved, true, false)];
        }),
    };
  });
  return op(q, k) as tf.Tensor3D;
}

/**
 * Multi-head softmax attention from the packed projections qkv [B*T, 3C] to the merged head outputs
 * [B*Tq, C] (before the output projection), and the probabilities [HB,Tq,T]. Tq = T, or 1 with
 * `firstTokenOnly` (the class token's query only). `mask` [T,T] is added to the scores.
 */
function attention(qkv: tf.Tensor2D, shape: BlockShape, mask: tf.Tensor | undefined, firstTokenOnly: boolean): { merged: tf.Tensor2D; probs: tf.Tensor3D } {
  const { batch: B, tokens: T, width: C, heads: H } = shape;
  const hd = C / H;
  const Tq = firstTokenOnly ? 1 : T;
  const [qAll, k, v] = splitHeads(qkv, B, T, H, hd) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
  const q = tf.mul(firstTokenOnly ? tf.slice(qAll, [0, 0, 0], [H * B, 1, hd]) : qAll, 1 / Math.sqrt(hd)) as tf.Tensor3D;
  const rows = mask && firstTokenOnly ? tf.slice(mask, [0, 0], [1, T]) : mask;
  const probs = attentionProbabilities(q, k, rows) /* [HB,Tq,T] */;
  return { merged: mergeHeads(tf.matMul(probs, v), B, Tq, H, hd), probs };
}

export interface BlockOptions {
  /** Additive mask [T,T] on the attention scores (causal text attention). */
  mask?: tf.Tensor;
  /** Also return the attention probabilities [B,heads,T,T]. */
  keepAttention?: boolean;
  /**
   * Compute the block's output for the first token only (the class token): the output is [B,C]. The
   * keys and values still come from every token. Saves most of the last block when only the global
   * embedding is needed.
   */
  firstTokenOnly?: boolean;
}

/**
 * One pre-norm transformer block, x + MHA(LN1(x)) then x + MLP(LN2(x)), on x [B*T,C]; returns
 * [B*T,C] (or [B,C] with firstTokenOnly) and, when asked, the attention probabilities [B,H,T,T].
 */
export function transformerBlock(
  x: tf.Tensor,
  tensors: NamedTensors,
  prefix: string,
  shape: BlockShape,
  options: BlockOptions = {},
): { out: tf.Tensor2D; attention?: tf.Tensor4D } {
  const { batch: B, tokens: T, width: C, eps } = shape;
  const w = (name: string) => weight(tensors, `${prefix}.${name}`);
  const firstOnly = options.firstTokenOnly ?? false;
  const h = layerNorm(x, w('ln1.weight'), w('ln1.bias'), eps);
  const qkv = linear(h, w('attn.qkv.weight'), w('attn.qkv.bias')) /* [B*T,3C] */;
  const { merged, probs } = attention(qkv, shape, options.mask, firstOnly) /* [B*Tq,C], [HB,Tq,T] */;
  const residual = firstOnly ? tf.reshape(tf.slice(tf.reshape(x, [B, T, C]), [0, 0, 0], [B, 1, C]), [B, C]) : x;
  const attended = tf.add(residual, linear(merged, w('attn.proj.weight'), w('attn.proj.bias')));
  const out = tf.add(attended, mlp(layerNorm(attended, w('ln2.weight'), w('ln2.bias'), eps), tensors, prefix)) as tf.Tensor2D;
  if (!options.keepAttention) return { out };
  const Tq = firstOnly ? 1 : T;
  return { out, attention: tf.transpose(tf.reshape(probs, [shape.heads, B, Tq, T]), [1, 0, 2, 3]) };
}

/** fc2(GELU(fc1(x))) on x [N,C]. */
export function mlp(x: tf.Tensor, tensors: NamedTensors, prefix: string): tf.Tensor2D {
  const w = (name: string) => weight(tensors, `${prefix}.mlp.${name}`);
  return linear(gelu(linear(x, w('fc1.weight'), w('fc1.bias'))), w('fc2.weight'), w('fc2.bias'));
}

/**
 * MaskCLIP's value path of a block on x [N,C] (tokens treated independently, no attention):
 * y = x + proj(v(LN1(x))); y + MLP(LN2(y)).
 */
export function valuePath(x: tf.Tensor, tensors: NamedTensors, prefix: string, width: number, eps: number): tf.Tensor {
  const w = (name: string) => weight(tensors, `${prefix}.${name}`);
  const h = layerNorm(x, w('ln1.weight'), w('ln1.bias'), eps);
  const wv = tf.slice(w('attn.qkv.weight'), [0, 2 * width], [width, width]);
  const bv = tf.slice(w('attn.qkv.bias'), [2 * width], [width]);
  const y = tf.add(x, linear(linear(h, wv, bv), w('attn.proj.weight'), w('attn.proj.bias')));
  return tf.add(y, mlp(layerNorm(y, w('ln2.weight'), w('ln2.bias'), eps), tensors, prefix));
}
