// ONNX export (opset 17) of the ViT and text models under the project's model contracts
// (docs/model-contracts.md): clip-image/1, clip-text/1 and vit-attention/1. The graphs compute the
// functions of ./vit.ts and ./text.ts: Conv patch embedding on NCHW pixels, LayerNormalization,
// GELU through Erf, the same attention mask and end-token rule. Dynamic batch "B".
import type * as tf from '@tensorflow/tfjs';
import { Attr, GraphBuilder, type Value, writeModel } from '@fmwiss/onnx-format';

import {
  embeddingDim,
  gridSize,
  type ResolvedTextConfig,
  type ResolvedVitConfig,
  resolveTextConfig,
  resolveVitConfig,
  tokenCount,
  type TextConfig,
  type VitConfig,
} from './config';
import { causalMask, endPositionScores } from './text';
import { checkWeightShapes, type NamedTensors, textWeightShapes, vitWeightShapes, weight } from './weights';

export const ONNX_OPSET = 17;

/** Weights to export: live variables or tensors loaded from a checkpoint, with their config. */
export interface ExportableVit {
  config: VitConfig;
  tensors: NamedTensors;
}

export interface ExportableText {
  config: TextConfig;
  tensors: NamedTensors;
}

export type Rgb = readonly [number, number, number];

export interface PixelExportOptions {
  /** Per-channel mean of [0,1] RGB the model was trained with (fmwiss.mean). */
  mean: Rgb;
  /** Per-channel std (fmwiss.std). */
  std: Rgb;
  /** More metadata_props (e.g. `fmwiss.trained_on`, a checkpoint hash); may not override the contract's. */
  extraMetadata?: Readonly<Record<string, string>>;
}

export interface TextExportOptions {
  /** The tokenizer file, relative to the model file (fmwiss.tokenizer). */
  tokenizerFile: string;
  extraMetadata?: Readonly<Record<string, string>>;
}

const PRODUCER = { name: 'fmwiss-vit-models', version: '1' };

/** Builds the nodes of one graph from named weights; every constant becomes an initializer once. */
class GraphWriter {
  readonly g: GraphBuilder;
  private readonly values = new Map<string, Value>();

  constructor(name: string, readonly tensors: NamedTensors) {
    this.g = new GraphBuilder(name);
  }

  /** The weight as an initializer of the same name and shape. */
  param(name: string): Value {
    return this.constant(name, () => {
      const tensor: tf.Tensor = weight(this.tensors, name);
      return { data: new Float32Array(tensor.dataSync() as Float32Array), dims: tensor.shape };
    });
  }

  /** An initializer made once under `name`. */
  constant(name: string, make: () => { data: Float32Array | BigInt64Array; dims: readonly number[] }): Value {
    let value = this.values.get(name);
    if (value === undefined) {
      const { data, dims } = make();
      value = this.g.initializer(name, data, dims);
      this.values.set(name, value);
    }
    return value;
  }

  scalar(value: number): Value {
    return this.constant(`const.f${value}`, () => ({ data: Float32Array.of(value), dims: [] }));
  }

  ints(name: string, values: readonly number[], dims: readonly number[] = [values.length]): Value {
    return this.constant(name, () => ({ data: BigInt64Array.from(values.map(BigInt)), dims }));
  }

  node(op: string, inputs: readonly (Value | null)[], attributes: Parameters<GraphBuilder['node']>[2] = {}): Value {
    return this.g.node(op, inputs, attributes);
  }

  layerNorm(x: Value, prefix: string, eps: number): Value {
    return this.node('LayerNormalization', [x, this.param(`${prefix}.weight`), this.param(`${prefix}.bias`)], { axis: -1, epsilon: Attr.float(eps) });
  }

  linear(x: Value, weightName: string, biasName?: string): Value {
    const product = this.node('MatMul', [x, this.param(weightName)]);
    return biasName === undefined ? product : this.node('Add', [product, this.param(biasName)]);
  }

  /** x * ((erf(x / sqrt 2) + 1) * 0.5), in the order of layers.ts's gelu. */
  gelu(x: Value): Value {
    const erf = this.node('Erf', [this.node('Mul', [x, this.scalar(Math.SQRT1_2)])]);
    return this.node('Mul', [x, this.node('Mul', [this.node('Add', [erf, this.scalar(1)]), this.scalar(0.5)])]);
  }

  mlp(x: Value, prefix: string): Value {
    return this.linear(this.gelu(this.linear(x, `${prefix}.mlp.fc1.weight`, `${prefix}.mlp.fc1.bias`)), `${prefix}.mlp.fc2.weight`, `${prefix}.mlp.fc2.bias`);
  }

  /** Softmax attention probabilities [B,H,T,T] and values [B,H,T,hd] of a block on x [B,T,C]. */
  attentionProbs(x: Value, prefix: string, width: number, heads: number, eps: number, mask?: Value): { probs: Value; v: Value } {
    const hd = width / heads;
    const qkv = this.linear(this.layerNorm(x, `${prefix}.ln1`, eps), `${prefix}.attn.qkv.weight`, `${prefix}.attn.qkv.bias`) /* [B,T,3C] */;
    const split = this.node('Transpose', [this.node('Reshape', [qkv, this.ints(`shape.qkv`, [0, 0, 3, heads, hd])])], { perm: [2, 0, 3, 1, 4] }) /* [3,B,H,T,hd] */;
    const part = (i: number) => this.node('Gather', [split, this.ints(`index.${i}`, [i], [])], { axis: 0 }) /* [B,H,T,hd] */;
    const [q, k, v] = [part(0), part(1), part(2)];
    let scores = this.node('MatMul', [this.node('Mul', [q, this.scalar(1 / Math.sqrt(hd))]), this.node('Transpose', [k], { perm: [0, 1, 3, 2] })]);
    if (mask) scores = this.node('Add', [scores, mask]);
    return { probs: this.node('Softmax', [scores], { axis: -1 }), v };
  }

  /** One pre-norm block on x [B,T,C]; also its attention probabilities. */
  block(x: Value, prefix: string, width: number, heads: number, eps: number, mask?: Value): { out: Value; probs: Value } {
    const { probs, v } = this.attentionProbs(x, prefix, width, heads, eps, mask);
    const mixed = this.node('Transpose', [this.node('MatMul', [probs, v])], { perm: [0, 2, 1, 3] }) /* [B,T,H,hd] */;
    const merged = this.node('Reshape', [mixed, this.ints('shape.merge_heads', [0, 0, width])]);
    const attended = this.node('Add', [x, this.linear(merged, `${prefix}.attn.proj.weight`, `${prefix}.attn.proj.bias`)]);
    return { out: this.node('Add', [attended, this.mlp(this.layerNorm(attended, `${prefix}.ln2`, eps), prefix)]), probs };
  }

  /** MaskCLIP's value path of a block on x [B,N,C]: y = x + proj(v(LN1 x)); y + MLP(LN2 y). */
  valuePath(x: Value, prefix: string, width: number, eps: number): Value {
    const qkvWeight = weight(this.tensors, `${prefix}.attn.qkv.weight`);
    const qkvBias = weight(this.tensors, `${prefix}.attn.qkv.bias`);
    const wv = this.constant(`${prefix}.attn.v.weight`, () => {
      const all = qkvWeight.dataSync() as Float32Array /* [C,3C] */;
      const data = new Float32Array(width * width);
      for (let r = 0; r < width; r++) data.set(all.subarray(r * 3 * width + 2 * width, (r + 1) * 3 * width), r * width);
      return { data, dims: [width, width] };
    });
    const bv = this.constant(`${prefix}.attn.v.bias`, () => ({ data: new Float32Array((qkvBias.dataSync() as Float32Array).subarray(2 * width, 3 * width)), dims: [width] }));
    const v = this.node('Add', [this.node('MatMul', [this.layerNorm(x, `${prefix}.ln1`, eps), wv]), bv]);
    const y = this.node('Add', [x, this.linear(v, `${prefix}.attn.proj.weight`, `${prefix}.attn.proj.bias`)]);
    return this.node('Add', [y, this.mlp(this.layerNorm(y, `${prefix}.ln2`, eps), prefix)]);
  }
}

/** Pixels [B,3,S,S] -> the tokens [B,T,C] entering block 0 (Conv patch embedding, class token, positions). */
function imageTokens(w: GraphWriter, config: ResolvedVitConfig): Value {
  const { imageSize: S, patchSize: p, width: C } = config;
  const P = gridSize(config) ** 2;
  const pixels = w.g.input('pixels', 'float32', ['B', 3, S, S]);
  // Conv kernel [C,3,p,p] (OIHW) from the HWIO weight [p,p,3,C].
  const kernel = w.constant('patch_embed.weight', () => {
    const hwio = weight(w.tensors, 'patch_embed.weight').dataSync() as Float32Array;
    const oihw = new Float32Array(hwio.length);
    for (let y = 0; y < p; y++) for (let x = 0; x < p; x++) for (let c = 0; c < 3; c++) for (let o = 0; o < C; o++) {
      oihw[((o * 3 + c) * p + y) * p + x] = hwio[((y * p + x) * 3 + c) * C + o]!;
    }
    return { data: oihw, dims: [C, 3, p, p] };
  });
  const conv = w.node('Conv', [pixels, kernel], { kernel_shape: [p, p], strides: [p, p] }) /* [B,C,h,w] */;
  const patches = w.node('Transpose', [w.node('Reshape', [conv, w.ints('shape.patches', [0, C, P])])], { perm: [0, 2, 1] }) /* [B,P,C] */;
  const batch = w.node('Slice', [w.node('Shape', [pixels]), w.ints('slice.start0', [0]), w.ints('slice.end1', [1])]) /* [1] = B */;
  const clsShape = w.node('Concat', [batch, w.ints('shape.cls_tail', [1, C])], { axis: 0 });
  const cls = w.node('Expand', [w.constant('cls_token', () => ({ data: new Float32Array(weight(w.tensors, 'cls_token').dataSync() as Float32Array), dims: [1, 1, C] })), clsShape]);
  return w.node('Add', [w.node('Concat', [cls, patches], { axis: 1 }), w.param('pos_embed')]) /* [B,T,C] */;
}

function runBlocks(w: GraphWriter, x: Value, count: number, config: { width: number; heads: number; layerNormEps: number }, mask?: Value): Value {
  for (let i = 0; i < count; i++) x = w.block(x, `blocks.${i}`, config.width, config.heads, config.layerNormEps, mask).out;
  return x;
}

function project(w: GraphWriter, x: Value, config: ResolvedVitConfig): Value {
  return config.outputDim > 0 ? w.linear(x, 'proj.weight') : x;
}

function pixelMetadata(contract: string, config: ResolvedVitConfig, options: PixelExportOptions): Record<string, string> {
  for (const [key, values] of [['mean', options.mean], ['std', options.std]] as const) {
    if (values.length !== 3 || values.some((v) => !Number.isFinite(v)) || (key === 'std' && values.some((v) => v <= 0))) {
      throw new RangeError(`${key} must be 3 finite numbers${key === 'std' ? ', positive' : ''}, got [${values.join(',')}]`);
    }
  }
  return {
    'fmwiss.contract': contract,
    'fmwiss.input_size': String(config.imageSize),
    'fmwiss.patch_size': String(config.patchSize),
    'fmwiss.mean': options.mean.join(','),
    'fmwiss.std': options.std.join(','),
  };
}

function withExtra(metadata: Record<string, string>, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  for (const key of Object.keys(extra)) {
    if (key in metadata) throw new RangeError(`extraMetadata may not override ${key}`);
  }
  return { ...metadata, ...extra };
}

/**
 * `clip-image/1`: pixels [B,3,S,S] (NCHW, normalised) -> dense_embeddings [B,h,w,D] (MaskCLIP "full"
 * value path of the last block) and global_embedding [B,D] (ln_post of the class token, projected).
 */
export function exportClipImageModel(model: ExportableVit, options: PixelExportOptions): Uint8Array {
  const config = resolveVitConfig(model.config);
  checkWeightShapes(model.tensors, vitWeightShapes(config));
  const metadata = withExtra({ ...pixelMetadata('clip-image/1', config, options), 'fmwiss.embedding_dim': String(embeddingDim(config)) }, options.extraMetadata);
  const w = new GraphWriter('fmwiss_clip_image', model.tensors);
  const g = gridSize(config);
  const T = tokenCount(config);
  const D = embeddingDim(config);
  const last = `blocks.${config.depth - 1}`;
  const x = runBlocks(w, imageTokens(w, config), config.depth - 1, config);
  const out = w.block(x, last, config.width, config.heads, config.layerNormEps).out;
  const cls = w.node('Gather', [out, w.ints('index.0', [0], [])], { axis: 1 }) /* [B,C] */;
  w.g.output(project(w, w.layerNorm(cls, 'ln_post', config.layerNormEps), config), 'global_embedding', 'float32', ['B', D]);
  const patches = w.node('Slice', [x, w.ints('slice.start1', [1]), w.ints('slice.endT', [T]), w.ints('slice.axis1', [1])]) /* [B,P,C] */;
  const dense = project(w, w.layerNorm(w.valuePath(patches, last, config.width, config.layerNormEps), 'ln_post', config.layerNormEps), config);
  w.g.output(w.node('Reshape', [dense, w.ints('shape.grid', [-1, g, g, D])]), 'dense_embeddings', 'float32', ['B', g, g, D]);
  return writeModel(w.g, { opset: ONNX_OPSET, producer: PRODUCER, metadata });
}

/**
 * `vit-attention/1`: pixels [B,3,S,S] -> attention [B,heads,T,T] (softmax of the last block, class
 * token first) and patch_grid int64 [2] = [h,w].
 */
export function exportVitAttentionModel(model: ExportableVit, options: PixelExportOptions): Uint8Array {
  const config = resolveVitConfig(model.config);
  checkWeightShapes(model.tensors, vitWeightShapes(config));
  const metadata = withExtra({ ...pixelMetadata('vit-attention/1', config, options), 'fmwiss.prefix_tokens': '1' }, options.extraMetadata);
  const w = new GraphWriter('fmwiss_vit_attention', model.tensors);
  const g = gridSize(config);
  const T = tokenCount(config);
  const x = runBlocks(w, imageTokens(w, config), config.depth - 1, config);
  const { probs } = w.attentionProbs(x, `blocks.${config.depth - 1}`, config.width, config.heads, config.layerNormEps);
  w.g.output(probs, 'attention', 'float32', ['B', config.heads, T, T]);
  w.g.output(w.ints('patch_grid_value', [g, g]), 'patch_grid', 'int64', [2]);
  return writeModel(w.g, { opset: ONNX_OPSET, producer: PRODUCER, metadata });
}

/** `clip-text/1`: token_ids int64 [B,L] -> text_embedding [B,D] at the first end token (the last position without one). */
export function exportClipTextModel(model: ExportableText, options: TextExportOptions): Uint8Array {
  const config: ResolvedTextConfig = resolveTextConfig(model.config);
  checkWeightShapes(model.tensors, textWeightShapes(config));
  if (!options.tokenizerFile) throw new RangeError('tokenizerFile must name the tokenizer file (relative to the model)');
  const metadata = withExtra(
    {
      'fmwiss.contract': 'clip-text/1',
      'fmwiss.context_length': String(config.contextLength),
      'fmwiss.embedding_dim': String(config.outputDim),
      'fmwiss.tokenizer': options.tokenizerFile,
    },
    options.extraMetadata,
  );
  const L = config.contextLength;
  const w = new GraphWriter('fmwiss_clip_text', model.tensors);
  const ids = w.g.input('token_ids', 'int64', ['B', L]);
  const embedded = w.node('Add', [w.node('Gather', [w.param('token_embed.weight'), ids], { axis: 0 }), w.param('pos_embed')]) /* [B,L,C] */;
  const mask = w.constant('causal_mask', () => ({ data: causalMask(L), dims: [L, L] }));
  const x = runBlocks(w, embedded, config.depth, config, mask);
  const { weights, bias } = endPositionScores(L);
  const isEnd = w.node('Cast', [w.node('Equal', [ids, w.ints('end_id', [config.endId], [])])], { to: 1 }) /* float [B,L] */;
  const scores = w.node('Add', [w.node('Mul', [isEnd, w.constant('end_position_weights', () => ({ data: weights, dims: [L] }))]), w.constant('end_position_bias', () => ({ data: bias, dims: [L] }))]);
  const position = w.node('ArgMax', [scores], { axis: 1, keepdims: 1 }) /* int64 [B,1] */;
  const atEnd = w.node('GatherND', [x, position], { batch_dims: 1 }) /* [B,C] */;
  w.g.output(w.linear(w.layerNorm(atEnd, 'ln_final', config.layerNormEps), 'proj.weight'), 'text_embedding', 'float32', ['B', config.outputDim]);
  return writeModel(w.g, { opset: ONNX_OPSET, producer: PRODUCER, metadata });
}
