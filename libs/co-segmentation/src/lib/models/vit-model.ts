// The self-supervised ViT behind the seed refiner (`vit-attention/1`): last-block attention.
import type { RgbImage } from '@fmwiss/imaging';
import { checkVitAttentionContract, imagesToPixels, ModelContractError, type ModelBackend, type VitAttentionContract } from '@fmwiss/model-backends';

import { requireOutput } from './outputs';

/** Last-block self-attention of one image. */
export interface ImageAttention {
  heads: number;
  tokens: number;
  prefixTokens: number;
  gridHeight: number;
  gridWidth: number;
  data: Float32Array /* [n,T,T] */;
  modelMs: number;
}

export class VitAttentionModel {
  private constructor(
    readonly model: ModelBackend,
    readonly contract: VitAttentionContract,
  ) {}

  /** Checks the model against `vit-attention/1` (ModelContractError listing every problem). */
  static open(model: ModelBackend): VitAttentionModel {
    return new VitAttentionModel(model, checkVitAttentionContract(model.metadata()));
  }

  async attention(image: RgbImage, signal?: AbortSignal): Promise<ImageAttention> {
    const pixels = imagesToPixels([image], this.contract);
    const started = performance.now();
    const outputs = await this.model.infer({ pixels }, { signal });
    const modelMs = performance.now() - started;
    const attention = requireOutput(outputs, 'attention', this.model, 'float32', 4);
    const grid = requireOutput(outputs, 'patch_grid', this.model, ['int64', 'int32'], 1);
    const [gridHeight, gridWidth] = Array.from(grid.data as ArrayLike<number | bigint>, Number) as [number, number];
    const [, heads, tokens, columns] = attention.shape as [number, number, number, number];
    const prefixTokens = this.contract.prefixTokens;
    if (tokens !== columns || tokens !== prefixTokens + gridHeight * gridWidth) {
      throw new ModelContractError(
        `model ${this.model.metadata().uri} returned attention [${attention.shape.join(',')}] with patch_grid [${gridHeight},${gridWidth}]; ` +
          `expected [1,n,${prefixTokens + gridHeight * gridWidth},${prefixTokens + gridHeight * gridWidth}]`,
      );
    }
    return { heads, tokens, prefixTokens, gridHeight, gridWidth, data: attention.data as Float32Array, modelMs };
  }
}
