export { ClipMaskEngine, type ClipMaskEngineOptions, type ImageInitialMasks, type InitialMasksRequestOptions, type PromptClass } from './clip-mask-engine';
export { SeedRefineEngine, type RefinedImage, type RefineImageInput } from './seed-refine-engine';
