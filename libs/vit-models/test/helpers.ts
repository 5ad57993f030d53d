// Test helpers: weights far from their initialisation (so that every weight matters and attention is
// peaked), and reference implementations of the two models written with plain tfjs ops and autodiff,
// independent of ../src/lib/layers.ts (rank-5 transposes, tf.moments, tf.conv2d for the patches).
import * as tf from '@tensorflow/tfjs';

import { type TextWeights, truncatedNormal, type VitWeights } from '../src';

/**
 * Assigns every weight a seeded random value: LayerNorm gains around 1, biases N(0, 0.1^2), matrices
 * and embeddings N(0, (gain / sqrt(fan_in))^2), with `gain` 2 for qkv (peaked attention).
 */
export function perturbWeights(weights: VitWeights<tf.Variable> | TextWeights<tf.Variable>, seed: number): void {
  tf.tidy(() => {
    for (const [name, variable] of Object.entries(weights.tensors)) {
      const noise = truncatedNormal(variable.size, 1, seed, 'perturb', name);
      let value: tf.Tensor = tf.tensor(noise, variable.shape);
      if (/\.ln\d\.weight$|ln_(post|final)\.weight$/.test(name)) value = tf.add(1, tf.mul(value, 0.2));
      else if (name.endsWith('.bias')) value = tf.mul(value, 0.1);
      else if (variable.shape.length >= 2 && !name.includes('embed')) {
        const fanIn = variable.shape.slice(0, -1).reduce((a, b) => a * b, 1);
        value = tf.mul(value, (name.includes('qkv') ? 2 : 1) / Math.sqrt(fanIn));
      } else value = tf.mul(value, 0.5);
      variable.assign(value);
    }
  });
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

function refLayerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), g), b);
}

function refGelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.div(x, Math.SQRT2)), 1));
}

/** x [B,T,Cin] @ w [Cin,Cout] + b. */
function refLinear(x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const [cin, cout] = w.shape as [number, number];
  const y = tf.reshape(tf.matMul(tf.reshape(x, [-1, cin]), w as tf.Tensor2D), [...x.shape.slice(0, -1), cout]);
  return b ? tf.add(y, b) : y;
}

interface RefShape {
  heads: number;
  eps: number;
}

function refMlp(x: tf.Tensor, t: Readonly<Record<string, tf.Tensor>>, p: string): tf.Tensor {
  return refLinear(refGelu(refLinear(x, t[`${p}.mlp.fc1.weight`]!, t[`${p}.mlp.fc1.bias`])), t[`${p}.mlp.fc2.weight`]!, t[`${p}.mlp.fc2.bias`]);
}

/** One block on x [B,T,C]: its output and attention [B,H,T,T]. */
function refBlock(x: tf.Tensor, t: Readonly<Record<string, tf.Tensor>>, p: string, s: RefShape, mask?: tf.Tensor): { out: tf.Tensor; probs: tf.Tensor } {
  const [B, T, C] = x.shape as [number, number, number];
  const hd = C / s.heads;
  const qkv = tf.reshape(refLinear(refLayerNorm(x, t[`${p}.ln1.weight`]!, t[`${p}.ln1.bias`]!, s.eps), t[`${p}.attn.qkv.weight`]!, t[`${p}.attn.qkv.bias`]), [B, T, 3, s.heads, hd]);
  const [q, k, v] = tf.unstack(tf.transpose(qkv, [2, 0, 3, 1, 4])) as [tf.Tensor, tf.Tensor, tf.Tensor];
  let scores = tf.div(tf.matMul(q, k, false, true), Math.sqrt(hd));
  if (mask) scores = tf.add(scores, mask);
  const probs = tf.softmax(scores);
  const o = tf.reshape(tf.transpose(tf.matMul(probs, v), [0, 2, 1, 3]), [B, T, C]);
  const x1 = tf.add(x, refLinear(o, t[`${p}.attn.proj.weight`]!, t[`${p}.attn.proj.bias`]));
  return { out: tf.add(x1, refMlp(refLayerNorm(x1, t[`${p}.ln2.weight`]!, t[`${p}.ln2.bias`]!, s.eps), t, p)), probs };
}

/** The ViT with plain ops: global [B,D], tokens [B,T,C], dense [B,h,w,D], attention [B,H,T,T]. */
export function referenceEncodeImage(weights: VitWeights, pixels: tf.Tensor4D): { global: tf.Tensor; tokens: tf.Tensor; dense: tf.Tensor; attention: tf.Tensor } {
  const { config: c, tensors: t } = weights;
  const B = pixels.shape[0];
  const g = c.imageSize / c.patchSize;
  const s = { heads: c.heads, eps: c.layerNormEps };
  const patches = tf.reshape(tf.conv2d(pixels, t['patch_embed.weight'] as tf.Tensor4D, c.patchSize, 'valid'), [B, g * g, c.width]);
  const cls = tf.tile(tf.reshape(t['cls_token']!, [1, 1, c.width]), [B, 1, 1]);
  let x = tf.add(tf.concat([cls, patches], 1), t['pos_embed']!);
  for (let i = 0; i < c.depth - 1; i++) x = refBlock(x, t, `blocks.${i}`, s).out;
  const last = `blocks.${c.depth - 1}`;
  const { out, probs } = refBlock(x, t, last, s);
  const lnPost = (y: tf.Tensor) => refLayerNorm(y, t['ln_post.weight']!, t['ln_post.bias']!, c.layerNormEps);
  const project = (y: tf.Tensor) => (c.outputDim > 0 ? refLinear(y, t['proj.weight']!) : y);
  const tokens = lnPost(out);
  const global = tf.reshape(project(tf.slice(tokens, [0, 0, 0], [B, 1, c.width])), [B, -1]);
  // MaskCLIP value path on the patches.
  const xp = tf.slice(x, [0, 1, 0], [B, g * g, c.width]);
  const qkvW = t[`${last}.attn.qkv.weight`]!;
  const qkvB = t[`${last}.attn.qkv.bias`]!;
  const v = refLinear(refLayerNorm(xp, t[`${last}.ln1.weight`]!, t[`${last}.ln1.bias`]!, c.layerNormEps), tf.slice(qkvW, [0, 2 * c.width], [c.width, c.width]), tf.slice(qkvB, [2 * c.width], [c.width]));
  const y = tf.add(xp, refLinear(v, t[`${last}.attn.proj.weight`]!, t[`${last}.attn.proj.bias`]));
  const y2 = tf.add(y, refMlp(refLayerNorm(y, t[`${last}.ln2.weight`]!, t[`${last}.ln2.bias`]!, c.layerNormEps), t, last));
  const dense = tf.reshape(project(lnPost(y2)), [B, g, g, -1]);
  return { global, tokens, dense, attention: probs };
}

/** The text model with plain ops; end positions found in JS. */
export function referenceEncodeText(weights: TextWeights, ids: tf.Tensor2D): tf.Tensor {
  const { config: c, tensors: t } = weights;
  const [B, L] = ids.shape;
  const idRows = ids.arraySync();
  let x = tf.add(tf.gather(t['token_embed.weight']!, ids), t['pos_embed']!) /* [B,L,C] */;
  const mask = tf.tensor2d(Array.from({ length: L * L }, (_, i) => (i % L > Math.floor(i / L) ? -1e9 : 0)), [L, L]);
  for (let i = 0; i < c.depth; i++) x = refBlock(x, t, `blocks.${i}`, { heads: c.heads, eps: c.layerNormEps }, mask).out;
  x = refLayerNorm(x, t['ln_final.weight']!, t['ln_final.bias']!, c.layerNormEps);
  const rows = idRows.map((row, b) => {
    const end = row.indexOf(c.endId);
    return b * L + (end < 0 ? L - 1 : end);
  });
  const picked = tf.gather(tf.reshape(x, [B * L, c.width]), rows);
  return tf.matMul(picked, t['proj.weight'] as tf.Tensor2D);
}
