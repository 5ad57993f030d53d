// The three model contracts of docs/model-contracts.md, checked against a backend's metadata.
// Each check collects every problem and throws one ModelContractError listing them all, so a user
// fixing an export sees everything at once.
import * as path from 'node:path';

import type { ModelMetadata, TensorSpec } from '../backend';
import { ModelContractError } from '../errors';
import type { TensorDType } from '../tensor';

export const CLIP_IMAGE_CONTRACT = 'clip-image/1';
export const CLIP_TEXT_CONTRACT = 'clip-text/1';
export const VIT_ATTENTION_CONTRACT = 'vit-attention/1';

/** Pixel preprocessing every image contract declares. */
export interface PixelContract {
  /** S: the model's square input side, in pixels. */
  inputSize: number;
  patchSize: number;
  /** h = w = S / patchSize. */
  gridSize: number;
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

export interface ClipImageContract extends PixelContract {
  embeddingDim: number;
}

export interface ClipTextContract {
  contextLength: number;
  embeddingDim: number;
  /** Absolute path of the tokenizer file. */
  tokenizerPath: string;
  /** The dtype `token_ids` must be sent as. */
  tokenDType: 'int32' | 'int64';
}

export interface VitAttentionContract extends PixelContract {
  prefixTokens: number;
  /** T = prefixTokens + gridSize^2. */
  tokens: number;
  /** n, when the model declares it as a fixed dimension. */
  heads: number | null;
}

/** Collects problems of one model, then throws them together. */
class Problems {
  readonly list: string[] = [];

  constructor(private readonly meta: ModelMetadata, private readonly contract: string) {}

  add(problem: string): void {
    this.list.push(problem);
  }

  throwIfAny(): void {
    if (this.list.length === 0) return;
    throw new ModelContractError(
      `model ${this.meta.uri} does not satisfy contract ${this.contract} (docs/model-contracts.md):\n` +
        this.list.map((problem) => `  - ${problem}`).join('\n'),
    );
  }

  /** A required positive integer property, or NaN (with a problem recorded). */
  integer(key: string, fallback?: number): number {
    const raw = this.meta.properties[key];
    if (raw === undefined) {
      if (fallback !== undefined) return fallback;
      this.add(`property ${key} is missing`);
      return Number.NaN;
    }
    const value = Number(raw);
    if (!Number.isInteger(value) || value < (fallback === undefined ? 1 : 0)) {
      this.add(`property ${key} must be a ${fallback === undefined ? 'positive' : 'non-negative'} integer, got "${raw}"`);
      return Number.NaN;
    }
    return value;
  }

  triple(key: string, positive: boolean): readonly [number, number, number] {
    const raw = this.meta.properties[key];
    if (raw === undefined) {
      this.add(`property ${key} is missing`);
      return [Number.NaN, Number.NaN, Number.NaN];
    }
    const values = raw.split(',').map((part) => Number(part.trim()));
    if (values.length !== 3 || values.some((v) => !Number.isFinite(v) || (positive && v <= 0))) {
      this.add(`property ${key} must be 3 comma-separated ${positive ? 'positive ' : ''}numbers, got "${raw}"`);
      return [Number.NaN, Number.NaN, Number.NaN];
    }
    return [values[0]!, values[1]!, values[2]!];
  }

  contractName(expected: string): void {
    const actual = this.meta.properties['fmwiss.contract'];
    if (actual === undefined) this.add(`property fmwiss.contract is missing (expected "${expected}")`);
    else if (actual !== expected) this.add(`property fmwiss.contract is "${actual}", expected "${expected}"`);
  }

  /**
   * A declared tensor with one of `dtypes` and the given dims: a number is a fixed dimension that must
   * match (a dynamic one is accepted), 'batch' is dynamic or 1, NaN skips the check.
   */
  tensor(kind: 'input' | 'output', name: string, dtypes: readonly TensorDType[], dims: readonly (number | 'batch')[]): TensorSpec | undefined {
    const specs = kind === 'input' ? this.meta.inputs : this.meta.outputs;
    const spec = specs.find((candidate) => candidate.name === name);
    if (!spec) {
      this.add(`${kind} "${name}" is missing (the model's ${kind}s: ${specs.map((s) => s.name).join(', ') || 'none'})`);
      return undefined;
    }
    const where = `${kind} "${name}"`;
    if (!dtypes.includes(spec.dtype)) this.add(`${where} has dtype ${spec.dtype}, expected ${dtypes.join(' or ')}`);
    if (spec.shape.length !== dims.length) {
      this.add(`${where} has rank ${spec.shape.length} [${formatShape(spec.shape)}], expected rank ${dims.length}`);
      return spec;
    }
    dims.forEach((expected, axis) => {
      const actual = spec.shape[axis];
      if (actual === null || actual === undefined) return;
      if (expected === 'batch') {
        if (actual !== 1) this.add(`${where} has batch dimension ${actual}; expected dynamic or 1`);
      } else if (!Number.isNaN(expected) && actual !== expected) {
        this.add(`${where} dimension ${axis} is ${actual}, expected ${expected} [${formatShape(spec.shape)}]`);
      }
    });
    return spec;
  }
}

function formatShape(shape: readonly (number | null)[]): string {
  return shape.map((dim) => (dim === null ? '?' : String(dim))).join(',');
}

function pixelContract(problems: Problems): PixelContract {
  const inputSize = problems.integer('fmwiss.input_size');
  const patchSize = problems.integer('fmwiss.patch_size');
  if (Number.isFinite(inputSize) && Number.isFinite(patchSize) && inputSize % patchSize !== 0) {
    problems.add(`fmwiss.input_size ${inputSize} is not a multiple of fmwiss.patch_size ${patchSize}`);
  }
  const gridSize = Math.floor(inputSize / patchSize);
  const mean = problems.triple('fmwiss.mean', false);
  const std = problems.triple('fmwiss.std', true);
  problems.tensor('input', 'pixels', ['float32'], ['batch', 3, inputSize, inputSize]);
  return { inputSize, patchSize, gridSize, mean, std };
}

/** Checks a CLIP image model (`clip-image/1`). */
export function checkClipImageContract(meta: ModelMetadata): ClipImageContract {
  const problems = new Problems(meta, CLIP_IMAGE_CONTRACT);
  problems.contractName(CLIP_IMAGE_CONTRACT);
  const pixels = pixelContract(problems);
  const embeddingDim = problems.integer('fmwiss.embedding_dim');
  problems.tensor('output', 'dense_embeddings', ['float32'], ['batch', pixels.gridSize, pixels.gridSize, embeddingDim]);
  problems.tensor('output', 'global_embedding', ['float32'], ['batch', embeddingDim]);
  problems.throwIfAny();
  return { ...pixels, embeddingDim };
}

/** Checks a CLIP text model (`clip-text/1`); the tokenizer file's existence is checked by whoever reads it. */
export function checkClipTextContract(meta: ModelMetadata): ClipTextContract {
  const problems = new Problems(meta, CLIP_TEXT_CONTRACT);
  problems.contractName(CLIP_TEXT_CONTRACT);
  const contextLength = problems.integer('fmwiss.context_length');
  const embeddingDim = problems.integer('fmwiss.embedding_dim');
  const tokenizer = meta.properties['fmwiss.tokenizer'];
  if (tokenizer === undefined || tokenizer.trim() === '') problems.add('property fmwiss.tokenizer is missing (the tokenizer file, relative to the model)');
  const ids = problems.tensor('input', 'token_ids', ['int64', 'int32'], ['batch', contextLength]);
  problems.tensor('output', 'text_embedding', ['float32'], ['batch', embeddingDim]);
  problems.throwIfAny();
  return {
    contextLength,
    embeddingDim,
    tokenizerPath: path.resolve(meta.resourceDir ?? process.cwd(), tokenizer!),
    tokenDType: ids!.dtype === 'int32' ? 'int32' : 'int64',
  };
}

/** Checks a self-supervised ViT (`vit-attention/1`). */
export function checkVitAttentionContract(meta: ModelMetadata): VitAttentionContract {
  const problems = new Problems(meta, VIT_ATTENTION_CONTRACT);
  problems.contractName(VIT_ATTENTION_CONTRACT);
  const pixels = pixelContract(problems);
  const prefixTokens = problems.integer('fmwiss.prefix_tokens', 1);
  const tokens = prefixTokens + pixels.gridSize * pixels.gridSize;
  const attention = problems.tensor('output', 'attention', ['float32'], ['batch', Number.NaN, tokens, tokens]);
  problems.tensor('output', 'patch_grid', ['int64', 'int32'], [2]);
  problems.throwIfAny();
  return { ...pixels, prefixTokens, tokens, heads: attention?.shape[1] ?? null };
}
