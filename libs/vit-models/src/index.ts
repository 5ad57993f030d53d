// @fmwiss/vit-models: the project's small foundation models in TensorFlow.js (a ViT image encoder
// for the mini-CLIP image tower and mini-DINO, a CLIP text transformer), written for training speed
// on the wasm backend, and their ONNX export under the model contracts of docs/model-contracts.md
// (clip-image/1, clip-text/1, vit-attention/1).
export {
  DEFAULT_TEXT_CONFIG,
  DEFAULT_VIT_CONFIG,
  embeddingDim,
  gridSize,
  resolveTextConfig,
  resolveVitConfig,
  tokenCount,
  type ResolvedTextConfig,
  type ResolvedVitConfig,
  type TextConfig,
  type VitConfig,
} from './lib/config';
export {
  assignWeights,
  checkWeightShapes,
  createTextWeights,
  createVitWeights,
  disposeWeights,
  INIT_STD,
  textWeightShapes,
  truncatedNormal,
  vitWeightShapes,
  weightMap,
  weightVariables,
  type NamedTensors,
  type TextWeights,
  type VitWeights,
} from './lib/weights';
export { gelu, layerNorm, MASKED_SCORE } from './lib/layers';
export { encodeImage, type EncodeImageOptions, type ImageEncoding } from './lib/vit';
export { causalMask, encodeText, endPositions } from './lib/text';
export {
  exportClipImageModel,
  exportClipTextModel,
  exportVitAttentionModel,
  ONNX_OPSET,
  type ExportableText,
  type ExportableVit,
  type PixelExportOptions,
  type Rgb,
  type TextExportOptions,
} from './lib/onnx-export';
export {
  CLIP_MEAN,
  CLIP_STD,
  DEFAULT_WORDS,
  IMAGENET_MEAN,
  IMAGENET_STD,
  randomClipModels,
  randomVitAttentionModel,
  WORD_END_ID,
  WORD_SPECIALS,
  wordTokenizer,
  type RandomClipFiles,
  type RandomClipOptions,
  type RandomVitOptions,
  type WordTokenizerFile,
} from './lib/random-models';
