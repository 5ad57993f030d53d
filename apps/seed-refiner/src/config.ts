import { z } from 'zod';
import { modelBackendConfigShape } from '@fmwiss/model-backends';
import { serverConfigSchemaWithPort } from '@fmwiss/service-kit';

export const SEED_REFINER_DEFAULT_PORT = 50052;

/** Every option of the seed-refiner server: `--kebab-case` flags or FMWISS_SEED_REFINER_* variables. */
export const seedRefinerConfigSchema = serverConfigSchemaWithPort(SEED_REFINER_DEFAULT_PORT).extend({
  model: z
    .string()
    .min(1)
    .default('onnx:models/mini-dino/vit-attention.onnx')
    .describe('Self-supervised ViT URI (contract vit-attention/1): onnx:<path> or kserve://host:port/model (docs/model-contracts.md).'),
  maxImagePixels: z.int().min(1).default(4096 * 4096).describe('Largest image accepted, in pixels (width * height).'),
  defaultMassFraction: z.number().gt(0).max(1).default(0.7).describe('K when a request leaves it unset: the share of a map\'s mass kept.'),
  defaultNumSeeds: z.int().min(1).max(1024).default(9).describe('N when a request leaves it unset: seed points per class.'),
  streamConcurrency: z
    .int()
    .min(1)
    .max(64)
    .default(2)
    .describe('Images of one StreamRefineMasks call worked on at once (responses stay in request order).'),
  ...modelBackendConfigShape,
});

export type SeedRefinerConfig = z.infer<typeof seedRefinerConfigSchema>;
