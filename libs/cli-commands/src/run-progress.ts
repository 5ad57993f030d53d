// The progress of one run as the CLI shows it: a pure reduction of the coordinator's RunEvents
// into a state, and that state rendered as one line (stage, step, epoch/iteration, losses, ETA,
// pseudo labels done).
import {
  RunState,
  StepStage,
  TrainingPhase,
  type EvaluationResult,
  type PseudoLabelProgress,
  type Run,
  type RunEvent,
  type TrainingProgress,
} from '@fmwiss/contracts';
import { formatDuration, formatLosses, percent, shortNumber } from './format';

export interface RunProgress {
  label: string;
  runId: string;
  state: RunState;
  /** Index of the run's last step (steps are 0..lastStep); -1 until known. */
  lastStep: number;
  step: number;
  stage: StepStage;
  /** Steps whose stage reached DONE. */
  doneSteps: number[];
  /** The latest training progress of the current step. */
  training?: TrainingProgress;
  /** Pseudo labels of the current step. */
  pseudoLabels?: PseudoLabelProgress;
  /** The latest evaluation (after step `step`). */
  evaluation?: { step: number; result: EvaluationResult };
  warnings: number;
  /** Why the run failed, when it did. */
  error?: string;
  /** Shown instead of a stage before the run starts (e.g. "waiting for fmwiss step 0"). */
  waiting?: string;
  lastSequence: number;
}

export const TERMINAL_RUN_STATES: readonly RunState[] = [RunState.RUN_STATE_SUCCEEDED, RunState.RUN_STATE_FAILED, RunState.RUN_STATE_CANCELLED];

export function isTerminal(state: RunState): boolean {
  return TERMINAL_RUN_STATES.includes(state);
}

export function initialRunProgress(label: string): RunProgress {
  return {
    label,
    runId: '',
    state: RunState.RUN_STATE_UNSPECIFIED,
    lastStep: -1,
    step: 0,
    stage: StepStage.STEP_STAGE_UNSPECIFIED,
    doneSteps: [],
    warnings: 0,
    lastSequence: 0,
  };
}

/** Takes what a Run message says (StartRun's answer, GetRun): state, steps, the current step's stage. */
export function applyRun(progress: RunProgress, run: Run): RunProgress {
  const current = run.steps.find((s) => s.step === run.currentStep);
  const doneSteps = run.steps.filter((s) => s.stage === StepStage.STEP_STAGE_DONE).map((s) => s.step);
  const evaluated = [...run.steps].reverse().find((s) => s.evaluation !== undefined && s.stage === StepStage.STEP_STAGE_DONE);
  return {
    ...progress,
    runId: run.runId,
    state: run.state,
    lastStep: run.steps.length > 0 ? Math.max(...run.steps.map((s) => s.step)) : progress.lastStep,
    step: run.currentStep,
    stage: current?.stage ?? progress.stage,
    doneSteps: [...new Set([...progress.doneSteps, ...doneSteps])].sort((a, b) => a - b),
    pseudoLabels:
      current && current.pseudoLabelsDone > 0
        ? { done: current.pseudoLabelsDone, cached: current.pseudoLabelsCached, total: current.images, imagesPerSecond: 0 }
        : progress.pseudoLabels,
    evaluation: evaluated?.evaluation ? { step: evaluated.step, result: evaluated.evaluation } : progress.evaluation,
    error: run.error || progress.error,
    waiting: undefined,
  };
}

/** One event folded into the state. */
export function applyRunEvent(progress: RunProgress, event: RunEvent): RunProgress {
  const next: RunProgress = { ...progress, lastSequence: Math.max(progress.lastSequence, event.sequence), waiting: undefined };
  const body = event.event;
  // Run-level events (state, warning) may carry any step; only step work moves the current step.
  const stepWork = body?.$case === 'stage' || body?.$case === 'pseudoLabels' || body?.$case === 'training';
  if (stepWork && event.step !== progress.step) {
    next.step = event.step;
    next.training = undefined;
    next.pseudoLabels = undefined;
  }
  switch (body?.$case) {
    case 'state':
      next.state = body.state;
      break;
    case 'stage':
      next.stage = body.stage;
      if (body.stage === StepStage.STEP_STAGE_DONE && !next.doneSteps.includes(event.step)) {
        next.doneSteps = [...next.doneSteps, event.step].sort((a, b) => a - b);
      }
      break;
    case 'pseudoLabels':
      next.pseudoLabels = body.pseudoLabels;
      break;
    case 'training':
      next.training = body.training;
      if (next.stage !== StepStage.STEP_STAGE_TRAINING) next.stage = StepStage.STEP_STAGE_TRAINING;
      break;
    case 'evaluation':
      next.evaluation = { step: event.step, result: body.evaluation };
      break;
    case 'warning':
      next.warnings += 1;
      break;
  }
  return next;
}

const STAGE_WORDS: Record<number, string> = {
  [StepStage.STEP_STAGE_UNSPECIFIED]: 'starting',
  [StepStage.STEP_STAGE_PENDING]: 'pending',
  [StepStage.STEP_STAGE_LISTING]: 'listing images',
  [StepStage.STEP_STAGE_PSEUDO_LABELS]: 'pseudo labels',
  [StepStage.STEP_STAGE_TRAINING]: 'training',
  [StepStage.STEP_STAGE_EVALUATING]: 'evaluating',
  [StepStage.STEP_STAGE_DONE]: 'step done',
};

const PHASE_WORDS: Record<number, string> = {
  [TrainingPhase.TRAINING_PHASE_UNSPECIFIED]: '',
  [TrainingPhase.TRAINING_PHASE_LOADING]: 'loading',
  [TrainingPhase.TRAINING_PHASE_BASE]: 'base',
  [TrainingPhase.TRAINING_PHASE_TEACHER_WARMUP]: 'teacher warm-up',
  [TrainingPhase.TRAINING_PHASE_TEACHER_AND_STUDENT]: 'teacher+student',
  [TrainingPhase.TRAINING_PHASE_SAVING]: 'saving',
};

export function stageWord(stage: StepStage): string {
  return STAGE_WORDS[stage] ?? 'working';
}

function evaluationWords(result: EvaluationResult): string {
  return `all ${percent(result.miouAll)}% (old ${percent(result.miouOld)}, new ${percent(result.miouNew)})`;
}

function trainingWords(t: TrainingProgress): string[] {
  const parts = [`training${PHASE_WORDS[t.phase] ? ` (${PHASE_WORDS[t.phase]})` : ''}`];
  if (t.epochs > 0) parts.push(`epoch ${t.epoch}/${t.epochs}`);
  if (t.iterationsPerEpoch > 0) parts.push(`it ${t.iteration}/${t.iterationsPerEpoch}`);
  const losses = formatLosses(t.losses);
  if (losses) parts.push(losses);
  if (t.learningRate > 0) parts.push(`lr ${shortNumber(t.learningRate)}`);
  if (t.imagesPerSecond > 0) parts.push(`${shortNumber(t.imagesPerSecond)} img/s`);
  if (t.etaSeconds > 0) parts.push(`ETA ${formatDuration(t.etaSeconds)}`);
  return parts;
}

function pseudoWords(p: PseudoLabelProgress, active: boolean): string {
  const cached = p.cached > 0 ? `, ${p.cached} cached` : '';
  const rate = active && p.imagesPerSecond > 0 ? ` ${shortNumber(p.imagesPerSecond)} img/s` : '';
  return `pseudo labels ${p.done}/${p.total}${cached}${rate}`;
}

/** The run's line: label padded to `labelWidth`, then what it is doing. */
export function renderRunLine(progress: RunProgress, labelWidth = 0): string {
  const head = progress.label.padEnd(labelWidth);
  if (progress.waiting) return `${head}  ${progress.waiting}`;
  const steps = progress.lastStep >= 0 ? `step ${progress.step}/${progress.lastStep}` : `step ${progress.step}`;
  switch (progress.state) {
    case RunState.RUN_STATE_SUCCEEDED:
      return `${head}  succeeded${progress.evaluation ? `: ${evaluationWords(progress.evaluation.result)}` : ''}`;
    case RunState.RUN_STATE_FAILED:
      return `${head}  FAILED at ${steps}${progress.error ? `: ${progress.error}` : ''}`;
    case RunState.RUN_STATE_CANCELLED:
      return `${head}  cancelled at ${steps}`;
    case RunState.RUN_STATE_QUEUED:
      return `${head}  queued`;
  }
  const parts = [steps];
  if (progress.stage === StepStage.STEP_STAGE_TRAINING && progress.training) parts.push(...trainingWords(progress.training));
  else parts.push(stageWord(progress.stage));
  if (progress.pseudoLabels) parts.push(pseudoWords(progress.pseudoLabels, progress.stage === StepStage.STEP_STAGE_PSEUDO_LABELS));
  if (progress.evaluation && progress.evaluation.step === progress.step) {
    parts.push(`after step ${progress.evaluation.step}: ${evaluationWords(progress.evaluation.result)}`);
  }
  if (progress.warnings > 0) parts.push(`${progress.warnings} warning${progress.warnings === 1 ? '' : 's'}`);
  return `${head}  ${parts.join('  ')}`;
}

/** Whether a change is worth a line of its own in a log (not a terminal): a new state, stage, step, evaluation or epoch. */
export function isMilestone(before: RunProgress, after: RunProgress): boolean {
  const firstTraining = after.training !== undefined && (before.training === undefined || before.training.epoch !== after.training.epoch);
  return firstTraining || before.state !== after.state || before.stage !== after.stage || before.step !== after.step || before.evaluation !== after.evaluation;
}
