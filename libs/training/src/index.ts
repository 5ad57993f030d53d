export { CheckpointError, type CheckpointErrorCode, TrainingError } from './errors';
export { SgdMomentum, type SgdMomentumConfig } from './sgd-momentum';
export { polyLearningRate, type LinearWarmup } from './schedule';
export { clipByGlobalNorm } from './clip';
export { batches, seededShuffle } from './data-order';
export { type Checkpoint, type SaveCheckpointOptions, saveCheckpoint } from './checkpoint/save';
export {
  type CheckpointExpectation,
  type LoadedCheckpoint,
  loadCheckpoint,
  verifyCheckpoint,
} from './checkpoint/load';
export {
  type CheckpointEntry,
  type SkippedFolder,
  cleanStaleTemporaries,
  latestCheckpoint,
  listCheckpoints,
} from './checkpoint/list';
export { type CheckpointFileSystem, nodeCheckpointFileSystem } from './checkpoint/file-system';
export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_FORMAT_VERSION,
  type CheckpointDtype,
  type CheckpointManifest,
  GROUP_FILES,
  MANIFEST_FILE,
  type TensorEntry,
  type TensorGroup,
} from './checkpoint/manifest';
export {
  type BaseStepResult,
  type BaseStepTrainer,
  type BaseStepTrainerOptions,
  createBaseStepTrainer,
  type LabelledSample,
  makeBatch,
  type MakeBatchOptions,
} from './base-step';
