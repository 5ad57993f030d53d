export { ModelError } from './errors';
export {
  DEFAULT_MODEL_CONFIG,
  encoderChannels,
  resolveModelConfig,
  type AtrousImpl,
  type ModelConfig,
  type ResolvedModelConfig,
} from './config';
export {
  countFlops,
  featureSize,
  groupsFor,
  type ConvSpec,
  type FlopReport,
  type LayerCost,
  type NetworkCost,
} from './plan';
export {
  createStudent,
  createTeacher,
  type ForwardOptions,
  type SegmentationModel,
  type Student,
  type StudentOutput,
  type Teacher,
  type TeacherOutput,
} from './models';
export { cloneFrozen, growClassifier, type GrowOptions } from './transfer';
export { atrousConv2d, groupNorm, upsampleBilinear } from './ops';
