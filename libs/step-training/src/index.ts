export {
  STEP_KINDS,
  type ClassRef,
  type ClassScore,
  type CopyPasteOptions,
  type DataRef,
  type EvaluationOptions,
  type EvaluationSummary,
  type HyperparameterInput,
  type InstanceOffer,
  type LoadedStepModel,
  type MemoryBankPort,
  type PredictOptions,
  type Prediction,
  type PredictionHead,
  type SampledInstance,
  type StepHooks,
  type StepHyperparameters,
  type StepKind,
  type StepPhase,
  type StepProgress,
  type StepResult,
  type StepSpec,
} from './types';
export { StepCancelledError, StepPreconditionError, StepSpecError } from './errors';
export { defaultHyperparameters, resolveHyperparameters } from './hyperparameters';
export { DEFAULT_STEP_MODEL, resolveStepModel } from './model-config';
export { channelClasses } from './channels';
export { checkStepSpec, specHash } from './step-spec';
export { runTrainingStep } from './run-step';
export { evaluateCheckpoint, DEFAULT_EVALUATION_BATCH } from './evaluate';
export { loadStepModel, predictImage } from './predict';
export { extractInstances, type ExtractedInstance, type ExtractInstancesOptions } from './instances';
export { pasteInstances, type PasteOptions, type PasteResult, type PasteSource, type Placement } from './copy-paste';
export { MEMORY_BANK_CAPACITY_PER_CLASS, MIN_INSTANCE_PIXELS } from './memory-offers';
export { CROSS_ENTROPY_WEIGHT, TEACHER_LEARNING_RATE_FACTOR } from './constants';
export { distillationDistribution, weakStudentTargets } from './weak-step';
export {
  epochCheckpointName,
  readStepCheckpointMetadata,
  FINAL_CHECKPOINT,
  STEP_CHECKPOINT_FORMAT,
  STEP_CHECKPOINT_VERSION,
  type StepCheckpointMetadata,
} from './step-checkpoint';
