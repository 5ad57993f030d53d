// @fmwiss/co-segmentation: the pure algorithms of the pseudo-mask path (METHOD.md sections 1-2).
// Plain typed arrays, row-major, shapes in the comments; no model runtime. Services wire these to
// model backends (CLIP image/text, a self-supervised ViT) and to the ClipMask / SeedRefiner contracts.

/** Map sizes, points and the shape helpers shared by the modules. */
export { type MapSize, type Point } from './lib/shapes';

/** Prompt templates and background prompts (METHOD.md section 1). */
export {
  CLIP_IMAGENET_TEMPLATES,
  classPrompts,
  DEFAULT_BACKGROUND_PROMPTS,
  DEFAULT_TEMPLATES,
  fillTemplate,
  MAX_TEMPLATES,
  SCENE_TEMPLATES,
  TEMPLATE_PLACEHOLDER,
  validateTemplate,
  validateTemplates,
} from './lib/prompts';

/** Tokenizers of `clip-text/1` models: CLIP's byte-level BPE and the closed word vocabulary. */
export {
  bytePairMerge,
  byteEncode,
  bytesToUnicode,
  cleanText,
  createClipBpeTokenizer,
  createWordTokenizer,
  END_OF_WORD,
  loadTokenizer,
  TokenizerFileError,
  type ClipBpeSpec,
  type EncodedTexts,
  type Tokenizer,
  type TokenizerOptions,
  type WordSpec,
} from './lib/tokenizer';

/** Prompt ensembling and its cache. */
export { l2NormalizeRows, NORM_EPSILON } from './lib/l2-normalize';
export { ensembleClassEmbeddings, ensembleTextEmbeddings } from './lib/text-ensemble';
export { templatesHash, TextEmbeddingCache } from './lib/text-embedding-cache';

/** Score maps and M_init. */
export { maxOverMaps, scoreMap } from './lib/score-map';
export { minMaxNormalize, minMaxNormalizeInPlace, upsampleBilinear } from './lib/map-ops';
export { checkTemperature, DEFAULT_TEMPERATURE, initialMasksFromScores, type InitialMaskInput } from './lib/initial-mask';

/** Seed guidance (METHOD.md section 2). */
export {
  binarize,
  binarizeMass,
  binarizeTopFraction,
  DEFAULT_MASS_FRACTION,
  massThreshold,
  type BinarizationMode,
} from './lib/binarize';
export { checkNumSeeds, DEFAULT_NUM_SEEDS, MAX_NUM_SEEDS, sampleSeedPoints, type SeedStream } from './lib/seeds';
export {
  attentionHeads,
  patchOfPixel,
  seedAttentionMap,
  seedAttentionPatchMap,
  type PatchIndex,
  type SeedAttentionInput,
} from './lib/seed-attention';
export { FUSION_MODES, fuseMasks, type FusionMode } from './lib/fusion';
export {
  BACKGROUND_LABEL,
  buildLabelMap,
  checkClassIds,
  MAX_CLASS_ID,
  type ClassArea,
  type LabelMapInput,
  type PseudoLabels,
} from './lib/label-map';

/** Orchestration of one image, without model calls. */
export {
  DEFAULT_REFINE_OPTIONS,
  resolveRefineOptions,
  type RefineOptions,
  type ResolvedRefineOptions,
} from './lib/refine-options';
export {
  initialMasks,
  MAX_CLASSES,
  refineMasks,
  type ClassIntermediates,
  type InitialMasksInput,
  type InitialMasksResult,
  type RefineMasksInput,
  type RefineMasksResult,
} from './lib/pipeline';

/** The models behind the services, checked against their contracts (docs/model-contracts.md). */
export { ClipModels, VitAttentionModel, type DenseEmbeddings, type ImageAttention } from './lib/models';

/** The two services' work for one image: model calls, then the pure pipeline above. */
export {
  ClipMaskEngine,
  SeedRefineEngine,
  type ClipMaskEngineOptions,
  type ImageInitialMasks,
  type InitialMasksRequestOptions,
  type PromptClass,
  type RefinedImage,
  type RefineImageInput,
} from './lib/engines';
