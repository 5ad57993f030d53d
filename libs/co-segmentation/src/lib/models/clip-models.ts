// The CLIP pair behind the clip-mask service: an image model (`clip-image/1`) giving dense projected
// patch embeddings, and a text model (`clip-text/1`) with its tokenizer. Checked at open.
import { readFile } from 'node:fs/promises';

import type { RgbImage } from '@fmwiss/imaging';
import {
  checkClipImageContract,
  checkClipTextContract,
  hostTensor,
  imagesToPixels,
  ModelContractError,
  type ClipImageContract,
  type ClipTextContract,
  type HostTensor,
  type ModelBackend,
} from '@fmwiss/model-backends';

import { loadTokenizer, type Tokenizer } from '../tokenizer';
import { requireOutput } from './outputs';

/** Dense embeddings of one image at the model's patch grid. */
export interface DenseEmbeddings {
  gridHeight: number;
  gridWidth: number;
  dim: number;
  data: Float32Array /* [h,w,d], not normalised */;
  modelMs: number;
}

/** Texts encoded per model call (bounded so a long template list never makes one huge request). */
const TEXT_BATCH = 64;

export class ClipModels {
  private constructor(
    readonly image: ModelBackend,
    readonly text: ModelBackend,
    readonly imageContract: ClipImageContract,
    readonly textContract: ClipTextContract,
    readonly tokenizer: Tokenizer,
  ) {}

  /**
   * Checks both models against their contracts and loads the tokenizer file the text model names.
   * Throws ModelContractError listing what is wrong (the models are not disposed: the caller owns them).
   */
  static async open(image: ModelBackend, text: ModelBackend): Promise<ClipModels> {
    const imageContract = checkClipImageContract(image.metadata());
    const textContract = checkClipTextContract(text.metadata());
    if (imageContract.embeddingDim !== textContract.embeddingDim) {
      throw new ModelContractError(
        `the CLIP image model's embedding_dim ${imageContract.embeddingDim} differs from the text model's ${textContract.embeddingDim}`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(await readFile(textContract.tokenizerPath, 'utf8'));
    } catch (error) {
      throw new ModelContractError(`cannot read the text model's tokenizer file ${textContract.tokenizerPath}: ${(error as Error).message}`, { cause: error });
    }
    let tokenizer: Tokenizer;
    try {
      tokenizer = loadTokenizer(json, { contextLength: textContract.contextLength });
    } catch (error) {
      throw new ModelContractError(`tokenizer file ${textContract.tokenizerPath}: ${(error as Error).message}`, { cause: error });
    }
    return new ClipModels(image, text, imageContract, textContract, tokenizer);
  }

  /** Dense patch embeddings of an image (resized to the model's input size). */
  async denseEmbeddings(image: RgbImage, signal?: AbortSignal): Promise<DenseEmbeddings> {
    const pixels = imagesToPixels([image], this.imageContract);
    const started = performance.now();
    const outputs = await this.image.infer({ pixels }, { outputs: ['dense_embeddings'], signal });
    const modelMs = performance.now() - started;
    const dense = requireOutput(outputs, 'dense_embeddings', this.image, 'float32', 4);
    const [, gridHeight, gridWidth, dim] = dense.shape as [number, number, number, number];
    return { gridHeight, gridWidth, dim, data: dense.data as Float32Array, modelMs };
  }

  /** Text embeddings [n,d] of the texts, not normalised, in order. */
  async encodeTexts(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array> {
    const dim = this.textContract.embeddingDim;
    const result = new Float32Array(texts.length * dim);
    for (let start = 0; start < texts.length; start += TEXT_BATCH) {
      const chunk = texts.slice(start, start + TEXT_BATCH);
      const encoded = this.tokenizer.encode(chunk);
      const shape = [encoded.batchSize, encoded.length];
      const tokenIds: HostTensor =
        this.textContract.tokenDType === 'int32'
          ? hostTensor('int32', shape, encoded.ids)
          : hostTensor('int64', shape, BigInt64Array.from(encoded.ids, (id) => BigInt(id)));
      const outputs = await this.text.infer({ token_ids: tokenIds }, { outputs: ['text_embedding'], signal });
      const embedding = requireOutput(outputs, 'text_embedding', this.text, 'float32', 2);
      if (embedding.shape[0] !== chunk.length || embedding.shape[1] !== dim) {
        throw new ModelContractError(`text model returned text_embedding [${embedding.shape.join(',')}] for ${chunk.length} texts, expected [${chunk.length},${dim}]`);
      }
      result.set(embedding.data as Float32Array, start * dim);
    }
    return result;
  }
}
