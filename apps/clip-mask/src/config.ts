import { z } from 'zod';
import { modelBackendConfigShape } from '@fmwiss/model-backends';
import { serverConfigSchemaWithPort } from '@fmwiss/service-kit';

export const CLIP_MASK_DEFAULT_PORT = 50051;

/** Every option of the clip-mask server: `--kebab-case` flags or FMWISS_CLIP_MASK_* variables. */
export const clipMaskConfigSchema = serverConfigSchemaWithPort(CLIP_MASK_DEFAULT_PORT).extend({
  imageModel: z
    .string()
    .min(1)
    .default('onnx:models/mini-clip/clip-image.onnx')
    .describe('CLIP image model URI (contract clip-image/1): onnx:<path> or kserve://host:port/model (docs/model-contracts.md).'),
  textModel: z
    .string()
    .min(1)
    .default('onnx:models/mini-clip/clip-text.onnx')
    .describe('CLIP text model URI (contract clip-text/1); its tokenizer file is named by the model.'),
  maxImagePixels: z.int().min(1).default(4096 * 4096).describe('Largest image accepted, in pixels (width * height).'),
  maxClassesPerImage: z.int().min(1).max(254).default(64).describe('Most classes one request may name.'),
  maxEncodeClasses: z.int().min(1).max(100000).default(1024).describe('Most class names one EncodeClassNames request may name.'),
  textCacheSize: z.int().min(0).default(4096).describe('Class text embeddings kept in memory (0: no cache).'),
  defaultTemperature: z.number().positive().default(0.01).describe('Softmax temperature when a request leaves it unset.'),
  streamConcurrency: z
    .int()
    .min(1)
    .max(64)
    .default(2)
    .describe('Images of one StreamInitialMasks call worked on at once (responses stay in request order).'),
  ...modelBackendConfigShape,
});

export type ClipMaskConfig = z.infer<typeof clipMaskConfigSchema>;
