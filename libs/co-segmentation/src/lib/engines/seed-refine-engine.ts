// Seed guidance and fusion for an image and its initial masks, on a self-supervised ViT
// (METHOD.md section 2): the ViT's last-block attention, then the pure refineMasks.
import type { RgbImage } from '@fmwiss/imaging';

import type { VitAttentionModel } from '../models';
import { refineMasks, type RefineMasksResult } from '../pipeline';
import { resolveRefineOptions, type RefineOptions } from '../refine-options';

export interface RefineImageInput {
  image: RgbImage;
  imageId: string;
  /** M_init per class [H,W] in [0,1], in the order of classIds. */
  initialMasks: readonly Float32Array[];
  classIds: readonly number[];
  options?: RefineOptions;
  signal?: AbortSignal;
}

export interface RefinedImage extends RefineMasksResult {
  /** Milliseconds inside the ViT. */
  modelMs: number;
}

export class SeedRefineEngine {
  constructor(readonly model: VitAttentionModel) {}

  async refine(input: RefineImageInput): Promise<RefinedImage> {
    const { image } = input;
    resolveRefineOptions(input.options); // bad options fail before the model runs
    const attention = await this.model.attention(image, input.signal);
    const result = refineMasks({
      initialMasks: input.initialMasks,
      classIds: input.classIds,
      attention: attention.data,
      prefixTokens: attention.prefixTokens,
      grid: { height: attention.gridHeight, width: attention.gridWidth },
      imageSize: { height: image.height, width: image.width },
      options: input.options,
      imageId: input.imageId,
    });
    return { ...result, modelMs: attention.modelMs };
  }
}
