// The CLIP image model's two outputs for one image in ONE call (ClipModels only exposes the dense
// one), and the zero-shot class scores computed from each.
import { l2NormalizeRows, scoreMap, type ClipModels } from '@fmwiss/co-segmentation';
import type { RgbImage } from '@fmwiss/imaging';
import { imagesToPixels, ModelContractError, type HostTensor } from '@fmwiss/model-backends';

/** `clip-image/1` outputs of one image. */
export interface ImageEmbeddings {
  gridHeight: number;
  gridWidth: number;
  dim: number;
  dense: Float32Array /* [h,w,d], not normalised */;
  global: Float32Array /* [d], not normalised */;
}

function requireFloat(outputs: Record<string, HostTensor | undefined>, name: string, uri: string, shape: readonly number[]): HostTensor {
  const tensor = outputs[name];
  if (!tensor || tensor.dtype !== 'float32' || tensor.shape.length !== shape.length || tensor.shape.some((size, i) => shape[i]! >= 0 && size !== shape[i])) {
    const got = tensor ? `${tensor.dtype} [${tensor.shape.join(',')}]` : 'nothing';
    throw new ModelContractError(`model ${uri} returned ${got} as "${name}", expected float32 [${shape.map((s) => (s < 0 ? '?' : s)).join(',')}]`);
  }
  return tensor;
}

/** Dense and global embeddings of an image (resized to the model's input size), one model call. */
export async function imageEmbeddings(clip: ClipModels, image: RgbImage, signal?: AbortSignal): Promise<ImageEmbeddings> {
  const pixels = imagesToPixels([image], clip.imageContract);
  const outputs = await clip.image.infer({ pixels }, { outputs: ['dense_embeddings', 'global_embedding'], signal });
  const uri = clip.image.metadata().uri;
  const dim = clip.imageContract.embeddingDim;
  const dense = requireFloat(outputs, 'dense_embeddings', uri, [1, -1, -1, dim]);
  const global = requireFloat(outputs, 'global_embedding', uri, [1, dim]);
  const [, gridHeight, gridWidth] = dense.shape as [number, number, number, number];
  return { gridHeight, gridWidth, dim, dense: dense.data as Float32Array, global: global.data as Float32Array };
}

/**
 * Cosine of the L2-normalised global embedding with each class text embedding (rows already
 * L2-normalised, as ClipMaskEngine.encodeNames returns them): [C].
 */
export function globalClassScores(global: Float32Array /* [d] */, classText: Float32Array /* [C,d] */, dim: number): Float32Array /* [C] */ {
  const image = l2NormalizeRows(global, dim);
  const C = classText.length / dim;
  const scores = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    let dot = 0;
    for (let k = 0; k < dim; k++) dot += image[k]! * classText[c * dim + k]!;
    scores[c] = dot;
  }
  return scores;
}

/** Per class, the highest cosine over the patches of the dense embeddings (scoreMap, then max): [C]. */
export function denseClassScores(embeddings: ImageEmbeddings, classText: Float32Array /* [C,d] */): Float32Array /* [C] */ {
  const grid = { height: embeddings.gridHeight, width: embeddings.gridWidth };
  const n = grid.height * grid.width;
  const scores = scoreMap(embeddings.dense, grid, classText, embeddings.dim) /* [C,h,w] */;
  const C = classText.length / embeddings.dim;
  const best = new Float32Array(C).fill(-Infinity);
  for (let c = 0; c < C; c++) for (let p = 0; p < n; p++) if (scores[c * n + p]! > best[c]!) best[c] = scores[c * n + p]!;
  return best;
}
