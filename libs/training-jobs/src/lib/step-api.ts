// The parts of @fmwiss/step-training the job machinery uses, as interfaces the workers and the
// request checks are typed against (so that tests can put fakes behind them).
import type { RgbImage } from '@fmwiss/imaging';
import type { ModelConfig, ResolvedModelConfig } from '@fmwiss/segmentation-models';
import type {
  EvaluationOptions,
  EvaluationSummary,
  HyperparameterInput,
  LoadedStepModel,
  PredictOptions,
  Prediction,
  StepHooks,
  StepHyperparameters,
  StepKind,
  StepResult,
  StepSpec,
} from '@fmwiss/step-training';

export type {
  ClassRef,
  ClassScore,
  CopyPasteOptions,
  DataRef,
  EvaluationOptions,
  EvaluationSummary,
  InstanceOffer,
  LoadedStepModel,
  MemoryBankPort,
  Prediction,
  SampledInstance,
  StepHooks,
  StepHyperparameters,
  StepKind,
  StepPhase,
  StepProgress,
  StepResult,
  StepSpec,
} from '@fmwiss/step-training';
export type { PredictionHead as PredictionHeadName } from '@fmwiss/step-training';

/** The fields of a request's hyperparameters that are set (resolveHyperparameters fills the rest). */
export type HyperparameterOverrides = HyperparameterInput;

/** What a training worker needs of the library. */
export interface StepTrainingRunner {
  runTrainingStep(spec: StepSpec, hooks?: StepHooks): Promise<StepResult>;
}

/** What an inference worker needs of the library. */
export interface StepInference {
  evaluateCheckpoint(options: EvaluationOptions): Promise<EvaluationSummary>;
  loadStepModel(checkpoint: string): Promise<LoadedStepModel>;
  predictImage(model: LoadedStepModel, image: RgbImage, options: PredictOptions): Prediction;
}

/** What the trainer's request checks need of the library (main thread). */
export interface StepValidation {
  resolveHyperparameters(kind: StepKind, given: HyperparameterOverrides): StepHyperparameters;
  /** The student's full shape of a BASE or JOINT step (unset fields: the defaults). */
  resolveStepModel(model: Partial<ModelConfig> | undefined): ResolvedModelConfig;
  checkStepSpec(spec: StepSpec): Promise<{ invalid: string[]; preconditions: string[] }>;
}

/**
 * The error classes of step-training, recognised by name so that errors crossing a thread boundary
 * (or thrown by a fake) keep their meaning.
 */
export const STEP_ERROR_NAMES = {
  spec: 'StepSpecError',
  precondition: 'StepPreconditionError',
  cancelled: 'StepCancelledError',
} as const;
