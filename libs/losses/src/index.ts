export { LossInputError } from './errors';
export { maskedBce, sigmoidBceWithLogits, type MaskedBceOptions } from './bce';
export {
  denseContrastiveLoss,
  sampleContrastivePoints,
  type ContrastiveSample,
  type ContrastiveSamplingOptions,
  type DenseContrastiveOptions,
} from './dense-contrastive';
export { copyPasteBce } from './copy-paste-bce';
export { studentTargets, type StudentTargetInputs } from './student-targets';
