import { ModelError } from './errors';

/** How a 3x3 convolution with dilation > 1 is computed (same weights and values either way). */
export type AtrousImpl = 'space-to-batch' | 'native';

export interface ModelConfig {
  /** Side of the square training images, in pixels (FLOP counts and the default predict size). */
  imageSize: number;
  /** w: channels of the stem and stage 1; stages 2 and 3 have 2w and 4w. */
  encoderWidth: number;
  /** Stride of the logits and features relative to the image. */
  outputStride: 4 | 8 | 16;
  /** Dilation rates of the ASPP 3x3 branches, in feature-map pixels (not rescaled with the stride). */
  asppRates: number[];
  /** Channels of every ASPP branch and of its projection. */
  asppChannels: number;
  /** Channels of the teacher's embedding map (dense contrastive loss). */
  embeddingDim: number;
  /** Residual blocks after the first conv of each of the three stages. Default [1, 1, 1]. */
  blocksPerStage?: [number, number, number];
  /** GroupNorm groups (per layer: the largest divisor of its channels not above this). Default 8. */
  normGroups?: number;
  /**
   * 'space-to-batch' (default): a dilated conv as spaceToBatchND -> conv -> batchToSpaceND, whose
   * gradient exists on every stock tfjs backend. 'native': tf.conv2d with `dilations`, whose gradient
   * needs @fmwiss/tensor-runtime's fix (stock tfjs-core asserts dilation 1).
   */
  atrous?: AtrousImpl;
}

export type ResolvedModelConfig = Required<ModelConfig>;

/**
 * The default, sized for training on 2 CPU cores with the wasm backend: 128 px images, w = 24, stride
 * 8 (16x16 logits), ASPP 1x1 + rates 2/4/6 + image pooling at 64 channels. With 21 classes, a
 * batch-8 forward pass costs 2.15 GFLOP for the student (0.477 M parameters) and 0.83 GFLOP more for
 * the teacher head (0.209 M parameters): `countFlops(DEFAULT_MODEL_CONFIG, 8)`.
 */
export const DEFAULT_MODEL_CONFIG: ResolvedModelConfig = Object.freeze({
  imageSize: 128,
  encoderWidth: 24,
  outputStride: 8,
  asppRates: [2, 4, 6],
  asppChannels: 64,
  embeddingDim: 64,
  blocksPerStage: [1, 1, 1],
  normGroups: 8,
  atrous: 'space-to-batch',
}) as ResolvedModelConfig;

const positiveInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;

/** Fills the optional fields with the defaults and checks every field; throws a ModelError naming it. */
export function resolveModelConfig(config: ModelConfig): ResolvedModelConfig {
  const resolved: ResolvedModelConfig = {
    ...config,
    asppRates: [...config.asppRates],
    blocksPerStage: [...(config.blocksPerStage ?? DEFAULT_MODEL_CONFIG.blocksPerStage)] as [number, number, number],
    normGroups: config.normGroups ?? DEFAULT_MODEL_CONFIG.normGroups,
    atrous: config.atrous ?? DEFAULT_MODEL_CONFIG.atrous,
  };
  for (const key of ['imageSize', 'encoderWidth', 'asppChannels', 'embeddingDim', 'normGroups'] as const) {
    if (!positiveInt(resolved[key])) throw new ModelError(`config.${key} must be a positive integer, got ${resolved[key]}`);
  }
  if (![4, 8, 16].includes(resolved.outputStride)) {
    throw new ModelError(`config.outputStride must be 4, 8 or 16, got ${resolved.outputStride}`);
  }
  if (!resolved.asppRates.every((rate) => positiveInt(rate))) {
    throw new ModelError(`config.asppRates must be positive integers, got [${resolved.asppRates.join(', ')}]`);
  }
  const blocks: readonly number[] = resolved.blocksPerStage;
  if (blocks.length !== 3 || !blocks.every((n) => Number.isInteger(n) && n >= 0)) {
    throw new ModelError(`config.blocksPerStage must be three non-negative integers, got [${blocks.join(', ')}]`);
  }
  if (resolved.atrous !== 'space-to-batch' && resolved.atrous !== 'native') {
    throw new ModelError(`config.atrous must be 'space-to-batch' or 'native', got ${String(resolved.atrous)}`);
  }
  return resolved;
}

/** Channels of the encoder output (`features`), the teacher's input: 4w. */
export function encoderChannels(config: ModelConfig): number {
  return 4 * config.encoderWidth;
}
