import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { initTensorRuntime } from '@fmwiss/tensor-runtime';
import { loadCheckpoint, saveCheckpoint } from '@fmwiss/training';

import { maxAbsDiff, perturbWeights, referenceEncodeImage, referenceEncodeText } from '../../test/helpers';
import {
  assignWeights,
  createTextWeights,
  createVitWeights,
  disposeWeights,
  encodeImage,
  encodeText,
  endPositions,
  resolveTextConfig,
  resolveVitConfig,
  truncatedNormal,
  vitWeightShapes,
  weightMap,
  weightVariables,
  type TextConfig,
  type VitConfig,
} from '../index';

const SMALL: VitConfig = { imageSize: 16, patchSize: 4, width: 16, depth: 2, heads: 2, outputDim: 8 };
const TEXT: TextConfig = { vocabSize: 20, endId: 2, contextLength: 6, width: 16, depth: 2, heads: 2, outputDim: 8 };

const pixelsOf = (batch: number, size: number, seed = 5) => tf.randomNormal([batch, size, size, 3], 0, 1, 'float32', seed) as tf.Tensor4D;
/** Rows: end token at position 3, at position 1 (then padding), and none at all. */
const IDS = [
  [1, 7, 9, 2, 0, 0],
  [1, 2, 0, 0, 0, 0],
  [1, 5, 6, 7, 8, 9],
];

const values = (t: tf.Tensor) => t.dataSync() as Float32Array;

/** Weights whose two gradients differ by more than 1e-4 of the reference's largest magnitude. */
function gradientMismatches(vars: tf.Variable[], ours: tf.NamedTensorMap, reference: tf.NamedTensorMap): string[] {
  return vars.flatMap((v) => {
    const b = values(reference[v.name]!);
    const error = maxAbsDiff(values(ours[v.name]!), b) / Math.max(1e-3, ...Array.from(b, Math.abs));
    return error < 1e-4 ? [] : [`${v.name}: ${error}`];
  });
}

beforeAll(async () => {
  tf.env().set('IS_TEST', true); // silences the "install tfjs-node" banner
  await initTensorRuntime({ backend: 'wasm' });
});

describe('configs', () => {
  it('fill the defaults and reject what cannot be built', () => {
    expect(resolveVitConfig()).toEqual({ imageSize: 96, patchSize: 8, width: 64, depth: 4, heads: 4, mlpRatio: 4, outputDim: 64, layerNormEps: 1e-5 });
    expect(() => resolveVitConfig({ imageSize: 100 })).toThrow(/multiple of vit.patchSize/);
    expect(() => resolveVitConfig({ heads: 3 })).toThrow(/must divide vit.width/);
    expect(() => resolveVitConfig({ outputDim: -1 })).toThrow(/outputDim/);
    expect(resolveTextConfig({ vocabSize: 10, endId: 2 }).contextLength).toBe(16);
    expect(() => resolveTextConfig({ vocabSize: 10, endId: 10 })).toThrow(/endId/);
  });
});

describe('weights', () => {
  it('are named, ordered and deterministic given the seed', () => {
    const a = createVitWeights(SMALL, 7);
    const b = createVitWeights(SMALL, 7);
    const c = createVitWeights(SMALL, 8);
    try {
      expect(Object.keys(a.tensors)).toEqual(vitWeightShapes(SMALL).map(([name]) => name));
      expect(Object.keys(a.tensors).slice(0, 4)).toEqual(['patch_embed.weight', 'cls_token', 'pos_embed', 'blocks.0.ln1.weight']);
      expect(a.tensors['blocks.1.attn.qkv.weight']!.shape).toEqual([16, 48]);
      expect(a.tensors['pos_embed']!.shape).toEqual([17, 16]);
      for (const name of Object.keys(a.tensors)) expect(Array.from(values(a.tensors[name]!))).toEqual(Array.from(values(b.tensors[name]!)));
      expect(maxAbsDiff(values(a.tensors['proj.weight']!), values(c.tensors['proj.weight']!))).toBeGreaterThan(0);
      expect(Array.from(values(a.tensors['blocks.0.ln1.weight']!)).every((v) => v === 1)).toBe(true);
      // The two tfjs variables of one stable name coexist.
      expect(a.tensors['cls_token']!.name).not.toEqual(b.tensors['cls_token']!.name);
    } finally {
      [a, b, c].forEach(disposeWeights);
    }
  });

  it('truncatedNormal stays within two std and has the asked spread', () => {
    const draws = truncatedNormal(20000, 0.02, 1, 'x');
    expect(Math.max(...draws.map(Math.abs))).toBeLessThanOrEqual(0.04);
    const std = Math.sqrt(draws.reduce((s, v) => s + v * v, 0) / draws.length);
    expect(std).toBeGreaterThan(0.016); // a normal truncated at 2 std keeps 0.88 of its std
    expect(std).toBeLessThan(0.019);
  });

  it('round-trip through a training checkpoint, and refuse values of another shape', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'vit-models-ckpt-'));
    const a = createVitWeights(SMALL, 1);
    const b = createVitWeights(SMALL, 2);
    try {
      await saveCheckpoint(path.join(dir, 'ckpt'), { weights: weightMap(a), metadata: { config: a.config } });
      const loaded = await loadCheckpoint(path.join(dir, 'ckpt'), { expect: { tensorNames: vitWeightShapes(SMALL).map(([n]) => n) } });
      assignWeights(b, loaded.weights);
      tf.dispose([...loaded.weights.values()]);
      const pixels = pixelsOf(1, 16);
      const ga = encodeImage(a, pixels).global;
      const gb = encodeImage(b, pixels).global;
      expect(maxAbsDiff(values(ga), values(gb))).toBe(0);
      tf.dispose([pixels, ga, gb]);
      const wrong = new Map([...weightMap(a)].map(([n, t]) => [n, n === 'cls_token' ? tf.zeros([3]) : t]));
      expect(() => assignWeights(b, wrong)).toThrow(/cls_token has shape \[16\]/);
      wrong.get('cls_token')!.dispose();
    } finally {
      disposeWeights(a);
      disposeWeights(b);
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('encodeImage', () => {
  it('computes what the plain-ops reference computes, with the same gradients (cpu)', async () => {
    await initTensorRuntime({ backend: 'cpu' });
    const weights = createVitWeights(SMALL, 3);
    try {
      perturbWeights(weights, 3);
      const pixels = pixelsOf(2, 16);
      const ref = tf.tidy(() => referenceEncodeImage(weights, pixels)) as ReturnType<typeof referenceEncodeImage>;
      const out = encodeImage(weights, pixels, { tokens: true, dense: true, attention: true });
      expect(out.global.shape).toEqual([2, 8]);
      expect(out.tokens!.shape).toEqual([2, 17, 16]);
      expect(out.dense!.shape).toEqual([2, 4, 4, 8]);
      expect(out.lastAttention!.shape).toEqual([2, 2, 17, 17]);
      expect(maxAbsDiff(values(out.global), values(ref.global))).toBeLessThan(1e-5);
      expect(maxAbsDiff(values(out.tokens!), values(ref.tokens))).toBeLessThan(1e-5);
      expect(maxAbsDiff(values(out.dense!), values(ref.dense))).toBeLessThan(1e-5);
      expect(maxAbsDiff(values(out.lastAttention!), values(ref.attention))).toBeLessThan(1e-6);
      // The class-token-only last block gives the same global embedding.
      const fast = encodeImage(weights, pixels);
      expect(Object.keys(fast)).toEqual(['global']);
      expect(maxAbsDiff(values(fast.global), values(ref.global))).toBeLessThan(1e-5);

      // Gradients of a loss over every output, hand-written vs autodiff of the reference.
      const probe = (t: tf.Tensor, seed: number) => tf.randomNormal(t.shape, 0, 1, 'float32', seed);
      const probes = [probe(ref.global, 1), probe(ref.dense, 2), probe(ref.tokens, 3)];
      const loss = (o: { global: tf.Tensor; dense: tf.Tensor; tokens: tf.Tensor }) =>
        tf.addN([tf.sum(tf.mul(o.global, probes[0]!)), tf.sum(tf.mul(o.dense, probes[1]!)), tf.sum(tf.mul(tf.square(o.tokens), probes[2]!))]) as tf.Scalar;
      const vars = weightVariables(weights);
      const ours = tf.variableGrads(() => {
        const o = encodeImage(weights, pixels, { tokens: true, dense: true });
        return loss({ global: o.global, dense: o.dense!, tokens: o.tokens! });
      }, vars);
      const theirs = tf.variableGrads(() => loss(referenceEncodeImage(weights, pixels)), vars);
      expect(gradientMismatches(vars, ours.grads, theirs.grads)).toEqual([]);
      // The class-token-only path (what CLIP training uses) has the reference's gradient too.
      const globalOnly = tf.variableGrads(() => tf.sum(tf.mul(encodeImage(weights, pixels).global, probes[0]!)) as tf.Scalar, vars);
      const globalRef = tf.variableGrads(() => tf.sum(tf.mul(referenceEncodeImage(weights, pixels).global, probes[0]!)) as tf.Scalar, vars);
      expect(gradientMismatches(vars, globalOnly.grads, globalRef.grads)).toEqual([]);
      tf.dispose([pixels, ref as unknown as tf.TensorContainer, out as unknown as tf.TensorContainer, fast.global, probes, ours.value, ours.grads, theirs.value, theirs.grads]);
      tf.dispose([globalOnly.value, globalOnly.grads, globalRef.value, globalRef.grads]);
    } finally {
      disposeWeights(weights);
      await initTensorRuntime({ backend: 'wasm' });
    }
  });

  it('checks the pixels it is given', () => {
    const weights = createVitWeights(SMALL, 1);
    const wrong = tf.zeros([1, 32, 32, 3]) as tf.Tensor4D;
    try {
      expect(() => encodeImage(weights, wrong)).toThrow(/pixels must be \[B,16,16,3\]/);
    } finally {
      wrong.dispose();
      disposeWeights(weights);
    }
  });

  it('DINO-style (no projection): global and dense carry the width', () => {
    const weights = createVitWeights({ ...SMALL, outputDim: 0 }, 1);
    const pixels = pixelsOf(1, 16);
    try {
      expect('proj.weight' in weights.tensors).toBe(false);
      const out = encodeImage(weights, pixels, { dense: true });
      expect(out.global.shape).toEqual([1, 16]);
      expect(out.dense!.shape).toEqual([1, 4, 4, 16]);
      tf.dispose([out.global, out.dense!]);
    } finally {
      pixels.dispose();
      disposeWeights(weights);
    }
  });
});

describe('encodeText', () => {
  it('reads the first end token (the last position without one) and matches the reference with its gradients (cpu)', async () => {
    await initTensorRuntime({ backend: 'cpu' });
    const weights = createTextWeights(TEXT, 4);
    try {
      perturbWeights(weights, 4);
      const ids = tf.tensor2d(IDS, undefined, 'int32');
      expect(Array.from(endPositions(ids, weights.config).dataSync())).toEqual([3, 1, 5]);
      const out = encodeText(weights, ids);
      const ref = tf.tidy(() => referenceEncodeText(weights, ids));
      expect(out.shape).toEqual([3, 8]);
      expect(maxAbsDiff(values(out), values(ref))).toBeLessThan(1e-5);
      // Causal attention: what follows the end token does not matter.
      const changed = tf.tensor2d([[1, 7, 9, 2, 11, 12], IDS[1]!, IDS[2]!], undefined, 'int32');
      const out2 = encodeText(weights, changed);
      expect(maxAbsDiff(values(out).slice(0, 8), values(out2).slice(0, 8))).toBe(0);

      const probe = tf.randomNormal([3, 8], 0, 1, 'float32', 9);
      const vars = weightVariables(weights);
      const ours = tf.variableGrads(() => tf.sum(tf.mul(encodeText(weights, ids), probe)) as tf.Scalar, vars);
      const theirs = tf.variableGrads(() => tf.sum(tf.mul(referenceEncodeText(weights, ids), probe)) as tf.Scalar, vars);
      expect(gradientMismatches(vars, ours.grads, theirs.grads)).toEqual([]);
      tf.dispose([ids, out, ref, changed, out2, probe, ours.value, ours.grads, theirs.value, theirs.grads]);
    } finally {
      disposeWeights(weights);
      await initTensorRuntime({ backend: 'wasm' });
    }
  });
});

describe('training on wasm', () => {
  it('tf.variableGrads runs through encodeImage and encodeText (no missing kernel, no leaked tensor)', () => {
    const vit = createVitWeights(SMALL, 1);
    const text = createTextWeights(TEXT, 1);
    const pixels = pixelsOf(2, 16);
    const ids = tf.tensor2d(IDS.slice(0, 2), undefined, 'int32');
    try {
      const before = tf.memory().numTensors;
      const { value, grads } = tf.variableGrads(() => {
        const image = encodeImage(vit, pixels, { dense: true });
        const words = encodeText(text, ids);
        // A CLIP-like loss touching global, dense and the text embedding.
        const logits = tf.matMul(tf.add(image.global, tf.mean(image.dense!, [1, 2])), words, false, true);
        return tf.mean(tf.square(tf.sub(logits, tf.eye(2)))) as tf.Scalar;
      }, [...weightVariables(vit), ...weightVariables(text)]);
      expect(Number.isFinite(value.dataSync()[0])).toBe(true);
      expect(Object.keys(grads)).toHaveLength(Object.keys(vit.tensors).length + Object.keys(text.tensors).length);
      for (const g of Object.values(grads)) expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
      const norm = (t: tf.Variable) => tf.tidy(() => tf.norm(grads[t.name]!).dataSync()[0]!);
      expect(norm(vit.tensors['patch_embed.weight']!)).toBeGreaterThan(0);
      expect(norm(text.tensors['token_embed.weight']!)).toBeGreaterThan(0);
      value.dispose();
      tf.dispose(grads);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      tf.dispose([pixels, ids]);
      disposeWeights(vit);
      disposeWeights(text);
    }
  });

  it('a forward pass leaves no tensor behind', () => {
    const vit = createVitWeights(SMALL, 1);
    const pixels = pixelsOf(2, 16);
    const before = tf.memory().numTensors;
    const out = encodeImage(vit, pixels, { tokens: true, dense: true, attention: true });
    expect(tf.memory().numTensors).toBe(before + 4);
    tf.dispose(out as unknown as tf.TensorContainer);
    expect(tf.memory().numTensors).toBe(before);
    pixels.dispose();
    disposeWeights(vit);
  });
});
