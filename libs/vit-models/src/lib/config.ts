// Configurations of the small ViT image encoder (mini-CLIP image tower, mini-DINO) and the small
// CLIP text transformer, with their defaults, validated once when weights are created.

/** A ViT image encoder: patch embedding, class token, pre-norm blocks, ln_post, optional projection. */
export interface VitConfig {
  /** S, the square input side in pixels (default 96). */
  imageSize?: number;
  /** Patch side in pixels (default 8): the grid is S / patch (default 12 x 12, 145 tokens). */
  patchSize?: number;
  /** C, the token width (default 64). */
  width?: number;
  /** Number of transformer blocks (default 4). */
  depth?: number;
  /** Attention heads (default 4); must divide the width. */
  heads?: number;
  /** MLP hidden width = mlpRatio * width (default 4). */
  mlpRatio?: number;
  /** D, the projection of the class token (default 64); 0: no projection (DINO), outputs have C channels. */
  outputDim?: number;
  /** Epsilon of every LayerNorm (default 1e-5). */
  layerNormEps?: number;
}

export type ResolvedVitConfig = Readonly<Required<VitConfig>>;

/** A CLIP text transformer: token + position embeddings, causal pre-norm blocks, ln_final, projection. */
export interface TextConfig {
  /** V, the vocabulary size (ids 0..V-1). */
  vocabSize: number;
  /** The id of the end token: features are read at the first position holding it. */
  endId: number;
  /** L, the token sequence length (default 16). */
  contextLength?: number;
  /** C (default 64). */
  width?: number;
  /** Number of blocks (default 2). */
  depth?: number;
  /** Attention heads (default 4). */
  heads?: number;
  /** MLP hidden width = mlpRatio * width (default 4). */
  mlpRatio?: number;
  /** D, the embedding size (default 64); must equal the image model's for CLIP. */
  outputDim?: number;
  /** Epsilon of every LayerNorm (default 1e-5). */
  layerNormEps?: number;
}

export type ResolvedTextConfig = Readonly<Required<TextConfig>>;

export const DEFAULT_VIT_CONFIG: ResolvedVitConfig = Object.freeze({
  imageSize: 96,
  patchSize: 8,
  width: 64,
  depth: 4,
  heads: 4,
  mlpRatio: 4,
  outputDim: 64,
  layerNormEps: 1e-5,
});

export const DEFAULT_TEXT_CONFIG: Readonly<Omit<ResolvedTextConfig, 'vocabSize' | 'endId'>> = Object.freeze({
  contextLength: 16,
  width: 64,
  depth: 2,
  heads: 4,
  mlpRatio: 4,
  outputDim: 64,
  layerNormEps: 1e-5,
});

function positiveInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${what} must be a positive integer, got ${value}`);
}

function checkTransformer(config: { width: number; depth: number; heads: number; mlpRatio: number; layerNormEps: number; outputDim: number }, what: string): void {
  positiveInteger(config.width, `${what}.width`);
  positiveInteger(config.depth, `${what}.depth`);
  positiveInteger(config.heads, `${what}.heads`);
  positiveInteger(config.mlpRatio, `${what}.mlpRatio`);
  if (config.width % config.heads !== 0) throw new RangeError(`${what}.heads (${config.heads}) must divide ${what}.width (${config.width})`);
  if (!(config.layerNormEps > 0)) throw new RangeError(`${what}.layerNormEps must be positive, got ${config.layerNormEps}`);
  if (!Number.isSafeInteger(config.outputDim) || config.outputDim < 0) {
    throw new RangeError(`${what}.outputDim must be a non-negative integer (0: no projection), got ${config.outputDim}`);
  }
}

/** The config with defaults filled in; throws a RangeError naming the first invalid field. */
export function resolveVitConfig(config: VitConfig = {}): ResolvedVitConfig {
  const resolved = { ...DEFAULT_VIT_CONFIG, ...stripUndefined(config) };
  positiveInteger(resolved.imageSize, 'vit.imageSize');
  positiveInteger(resolved.patchSize, 'vit.patchSize');
  if (resolved.imageSize % resolved.patchSize !== 0) {
    throw new RangeError(`vit.imageSize (${resolved.imageSize}) must be a multiple of vit.patchSize (${resolved.patchSize})`);
  }
  checkTransformer(resolved, 'vit');
  return Object.freeze(resolved);
}

/** The config with defaults filled in; throws a RangeError naming the first invalid field. */
export function resolveTextConfig(config: TextConfig): ResolvedTextConfig {
  const resolved = { ...DEFAULT_TEXT_CONFIG, ...stripUndefined(config) } as Required<TextConfig>;
  positiveInteger(resolved.vocabSize, 'text.vocabSize');
  positiveInteger(resolved.contextLength, 'text.contextLength');
  if (!Number.isSafeInteger(resolved.endId) || resolved.endId < 0 || resolved.endId >= resolved.vocabSize) {
    throw new RangeError(`text.endId must be an id below vocabSize ${resolved.vocabSize}, got ${resolved.endId}`);
  }
  checkTransformer(resolved, 'text');
  if (resolved.outputDim === 0) throw new RangeError('text.outputDim must be positive: the text model always projects');
  return Object.freeze(resolved);
}

/** h = w = S / patch. */
export function gridSize(config: ResolvedVitConfig): number {
  return config.imageSize / config.patchSize;
}

/** T = 1 (class token) + h * w. */
export function tokenCount(config: ResolvedVitConfig): number {
  return 1 + gridSize(config) ** 2;
}

/** The channels of `global` and `dense`: outputDim, or the width when there is no projection. */
export function embeddingDim(config: ResolvedVitConfig | ResolvedTextConfig): number {
  return config.outputDim > 0 ? config.outputDim : config.width;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
