// Conversions between step-training's values and the contract's messages (trainer.proto).
import {
  JobState,
  StepKind,
  TrainingPhase,
  type Hyperparameters,
  type ModelConfig as ModelConfigMessage,
  type TrainingProgress,
} from '@fmwiss/contracts';
import type { ModelConfig } from '@fmwiss/segmentation-models';
import type { HyperparameterOverrides, StepHyperparameters, StepKind as StepKindName, StepPhase, StepProgress } from './step-api';

const KIND_NAMES: ReadonlyMap<StepKind, StepKindName> = new Map([
  [StepKind.STEP_KIND_BASE, 'base'],
  [StepKind.STEP_KIND_WEAK, 'weak'],
  [StepKind.STEP_KIND_JOINT, 'joint'],
  [StepKind.STEP_KIND_FINETUNE, 'finetune'],
]);

/** The step kind of a request, or undefined for UNSPECIFIED and unknown values. */
export function stepKindName(kind: StepKind): StepKindName | undefined {
  return KIND_NAMES.get(kind);
}

export function stepKindMessage(kind: StepKindName): StepKind {
  for (const [message, name] of KIND_NAMES) if (name === kind) return message;
  return StepKind.STEP_KIND_UNSPECIFIED;
}

const PHASES: Readonly<Record<StepPhase, TrainingPhase>> = {
  loading: TrainingPhase.TRAINING_PHASE_LOADING,
  base: TrainingPhase.TRAINING_PHASE_BASE,
  'teacher-warmup': TrainingPhase.TRAINING_PHASE_TEACHER_WARMUP,
  'teacher-and-student': TrainingPhase.TRAINING_PHASE_TEACHER_AND_STUDENT,
  saving: TrainingPhase.TRAINING_PHASE_SAVING,
};

const finiteOr0 = (value: number): number => (Number.isFinite(value) ? value : 0);

export function progressMessage(progress: StepProgress): TrainingProgress {
  const losses: Record<string, number> = {};
  for (const [name, value] of Object.entries(progress.losses)) losses[name] = finiteOr0(value);
  return {
    phase: PHASES[progress.phase] ?? TrainingPhase.TRAINING_PHASE_UNSPECIFIED,
    epoch: progress.epoch,
    epochs: progress.epochs,
    iteration: progress.iteration,
    iterationsPerEpoch: progress.iterationsPerEpoch,
    losses,
    learningRate: finiteOr0(progress.learningRate),
    imagesPerSecond: finiteOr0(progress.imagesPerSecond),
    etaSeconds: finiteOr0(progress.etaSeconds),
  };
}

/** The resolved hyperparameters as a message (every field set). */
export function hyperparametersMessage(h: StepHyperparameters): Hyperparameters {
  return {
    epochs: h.epochs,
    batchSize: h.batchSize,
    learningRate: h.learningRate,
    momentum: h.momentum,
    weightDecay: h.weightDecay,
    polyPower: h.polyPower,
    gradientClipNorm: h.gradientClipNorm,
    teacherWarmupEpochs: h.teacherWarmupEpochs,
    contrastiveWeight: h.contrastiveWeight,
    contrastiveTemperature: h.contrastiveTemperature,
    contrastivePointsPerClass: h.contrastivePointsPerClass,
    alpha: h.alpha,
    beta: h.beta,
    useTeacher: h.useTeacher,
    copyPaste: {
      enabled: h.copyPaste.enabled,
      instancesPerImage: h.copyPaste.instancesPerImage,
      scaleMin: h.copyPaste.scaleMin,
      scaleMax: h.copyPaste.scaleMax,
    },
    seed: h.seed,
    scaleMin: h.scaleMin,
    scaleMax: h.scaleMax,
  };
}

/** The fields a request sets (unset ones stay absent, for resolveHyperparameters to fill). */
export function hyperparameterOverrides(message: Hyperparameters | undefined): HyperparameterOverrides {
  const overrides: HyperparameterOverrides = {};
  if (!message) return overrides;
  const keys = [
    'epochs',
    'batchSize',
    'learningRate',
    'momentum',
    'weightDecay',
    'polyPower',
    'gradientClipNorm',
    'teacherWarmupEpochs',
    'contrastiveWeight',
    'contrastiveTemperature',
    'contrastivePointsPerClass',
    'alpha',
    'beta',
    'useTeacher',
    'seed',
    'scaleMin',
    'scaleMax',
  ] as const;
  const target = overrides as Record<string, unknown>;
  for (const key of keys) if (message[key] !== undefined) target[key] = message[key];
  const copyPaste = message.copyPaste;
  if (copyPaste) {
    const cp: Record<string, unknown> = {};
    for (const key of ['enabled', 'instancesPerImage', 'scaleMin', 'scaleMax'] as const) if (copyPaste[key] !== undefined) cp[key] = copyPaste[key];
    if (Object.keys(cp).length > 0) overrides.copyPaste = cp as HyperparameterOverrides['copyPaste'];
  }
  return overrides;
}

/** A model shape as a message. */
export function modelConfigMessage(config: Partial<ModelConfig>): ModelConfigMessage {
  return {
    imageSize: config.imageSize,
    encoderWidth: config.encoderWidth,
    outputStride: config.outputStride,
    asppRates: config.asppRates ? [...config.asppRates] : [],
    asppChannels: config.asppChannels,
    embeddingDim: config.embeddingDim,
  };
}

/** The fields of a request's ModelConfig that are set. */
export function modelConfigOverrides(message: ModelConfigMessage | undefined): Partial<ModelConfig> {
  const overrides: Partial<ModelConfig> = {};
  if (!message) return overrides;
  if (message.imageSize !== undefined) overrides.imageSize = message.imageSize;
  if (message.encoderWidth !== undefined) overrides.encoderWidth = message.encoderWidth;
  if (message.outputStride !== undefined) overrides.outputStride = message.outputStride as ModelConfig['outputStride'];
  if (message.asppRates.length > 0) overrides.asppRates = [...message.asppRates];
  if (message.asppChannels !== undefined) overrides.asppChannels = message.asppChannels;
  if (message.embeddingDim !== undefined) overrides.embeddingDim = message.embeddingDim;
  return overrides;
}

/** QUEUED, RUNNING, ... as written in logs and messages. */
export function jobStateName(state: JobState): string {
  return JobState[state]?.replace(/^JOB_STATE_/, '') ?? String(state);
}

export function isTerminalState(state: JobState): boolean {
  return state === JobState.JOB_STATE_SUCCEEDED || state === JobState.JOB_STATE_FAILED || state === JobState.JOB_STATE_CANCELLED;
}
