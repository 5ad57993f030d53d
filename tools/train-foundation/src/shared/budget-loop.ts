// The budgeted, resumable training loop shared by mini-CLIP and mini-DINO.
//
// - The schedule length (planned steps) is fixed before step 0: --max-steps, or the training budget
//   divided by the time of a few dry steps (gradients computed, nothing applied). A budget plan is
//   shortened at a checkpoint when the measured steps (a shared machine) would not reach its end in
//   time, so that the schedule still ends annealed. The plan is stored in every checkpoint, so a
//   resumed run continues the same schedule, and `--max-steps <planned>` replays a run that was not
//   shortened exactly.
// - Every step is a pure function of (seed, step, state): data order and augmentation come from
//   streams keyed by the step (see the trainers), so the checkpoint (weights + optimiser state + step)
//   is the whole state and a resumed run is bit-for-bit the uninterrupted one.
// - The budget counts training time (steps and checkpoint writes) over all runs of the folder: a run
//   stops when it is spent, when the planned steps are done, or on a stop request (SIGINT/SIGTERM),
//   after a last checkpoint.
import { mkdir, unlink } from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';

import { formatDuration, type Log } from './log';
import { loadLatestRunCheckpoint, removeRunCheckpoints, saveRunCheckpoint } from './run-checkpoints';

/** Scalars a step reports (already read back from the tensors). */
export type StepMetrics = Readonly<Record<string, number>>;

/** What the loop drives. The trainer owns its tensors; the loop disposes what `snapshot` returns. */
export interface Trainer {
  /** Optimisation step `step` (0-based) of a schedule of `totalSteps`. */
  step(step: number, totalSteps: number): Promise<StepMetrics>;
  /** The time of one step without changing any state (gradients computed and dropped). */
  dryStep(): Promise<void>;
  /** New tensors of the whole training state, by stable name (the loop disposes them). */
  snapshot(): { weights: Map<string, tf.Tensor>; optimizerState: Map<string, tf.Tensor> };
  /** Restores the state from a checkpoint's tensors (the caller keeps and disposes them). */
  restore(weights: ReadonlyMap<string, tf.Tensor>, optimizerState: ReadonlyMap<string, tf.Tensor>): void;
}

export interface LoopOptions {
  /** Folder of this run's checkpoints. */
  runDir: string;
  /** Ignore and remove the run's checkpoints, start at step 0. */
  fresh: boolean;
  /** Training time of the whole run, all invocations together. */
  budgetSeconds: number;
  /** Fixes the schedule length (else it is planned from the budget). */
  maxSteps?: number;
  /** Stop this invocation after this many steps (a checkpoint is written): interrupting on purpose. */
  stopAfterSteps?: number;
  /** Seconds between checkpoints (default 120). */
  checkpointSeconds?: number;
  /** Steps per epoch of the data order (for the epoch shown in logs and metadata). */
  stepsPerEpoch: number;
  /** Images (samples) per step, for the throughput. */
  itemsPerStep: number;
  /** What defines the run (model, data, hyper-parameters, seed, batch): must match to resume. */
  identity: Record<string, unknown>;
  /** Dry steps timed to plan the schedule (after one warm-up; default 3). */
  calibrationSteps?: number;
  /** Metrics as text for the progress line. */
  describe: (metrics: StepMetrics) => string;
  log: Log;
  /** Seconds between progress lines (default 15). */
  logSeconds?: number;
  /** Stop requests (SIGINT/SIGTERM): the loop checkpoints and returns. */
  shouldStop?: () => boolean;
  /**
   * A file whose appearance asks the run to stop (checked between steps, removed when seen); default
   * `<runDir>/STOP`. Signals cannot do it under `npx tsx`, which SIGKILLs a child that does not
   * answer within 30 ms, and a step computes for a second or more.
   */
  stopFile?: string;
  /** Monotonic clock in ms (tests). */
  now?: () => number;
}

export type StopReason = 'completed' | 'budget' | 'requested';

export interface LoopResult {
  /** Steps done in total (all invocations). */
  steps: number;
  plannedSteps: number;
  /** Training seconds in total (all invocations). */
  trainSeconds: number;
  /** Steps done by this invocation. */
  stepsThisRun: number;
  stopReason: StopReason;
  /** Whether this invocation resumed from a checkpoint, and which. */
  resumedFrom: string | null;
  /** Mean seconds per step of this invocation (steps only, no checkpoints); NaN without steps. */
  secondsPerStep: number;
  /** The last step's metrics (this invocation), or the checkpoint's when none ran. */
  lastMetrics: StepMetrics;
  /** Planning record: how the schedule length was chosen. */
  plan: RunPlan;
  /** Every invocation so far: when it started, the steps it began and ended at. */
  invocations: Invocation[];
}

export interface RunPlan {
  plannedSteps: number;
  /** 'max-steps' or 'budget'. */
  source: 'max-steps' | 'budget';
  /** Seconds per dry step measured for the plan (budget plans only). */
  measuredSecondsPerStep: number | null;
  budgetSeconds: number;
  /**
   * Budget plans only: shortenings made when the measured speed (a shared machine) would not reach
   * the planned steps within the budget, so that the schedule still ends (learning rate annealed).
   */
  replans?: { atStep: number; from: number; to: number; secondsPerStep: number }[];
}

export interface Invocation {
  startedAt: string;
  fromStep: number;
  toStep: number;
  seconds: number;
  stopReason: StopReason | 'running';
}

/** Metadata the loop keeps in every checkpoint (beside what the trainer adds nothing). */
interface LoopMetadata {
  kind: 'fmwiss-train-foundation';
  step: number;
  epoch: number;
  trainSeconds: number;
  plan: RunPlan;
  identity: Record<string, unknown>;
  invocations: Invocation[];
  lastMetrics: StepMetrics;
}

/** Fraction of the budget the plan fills with steps; the rest absorbs checkpoints and noise. */
const PLAN_FILL = 0.96;

export class RunMismatchError extends Error {
  override readonly name = 'RunMismatchError';
}

/** Runs (or resumes) training until the plan, the budget or a stop request ends it. */
export async function runBudgetedLoop(trainer: Trainer, options: LoopOptions): Promise<LoopResult> {
  const { runDir, log, identity } = options;
  const now = options.now ?? (() => performance.now());
  const checkpointSeconds = options.checkpointSeconds ?? 120;
  const logSeconds = options.logSeconds ?? 15;
  const stopFile = options.stopFile ?? path.join(runDir, 'STOP');
  const stopFileSeen = async (): Promise<boolean> => {
    try {
      await unlink(stopFile);
      log(`found ${stopFile}: stopping (removed it)`);
      return true;
    } catch {
      return false;
    }
  };
  await mkdir(runDir, { recursive: true });

  await unlink(stopFile).then(
    () => log(`removed a stale ${stopFile} (it asks a running training to stop)`),
    () => undefined,
  );
  if (options.fresh) {
    const removed = await removeRunCheckpoints(runDir);
    if (removed > 0) log(`--fresh: removed ${removed} checkpoint folder(s) of ${runDir}`);
  }
  let step = 0;
  let trainSeconds = 0;
  let plan: RunPlan | null = null;
  let invocations: Invocation[] = [];
  let lastMetrics: StepMetrics = {};
  let resumedFrom: string | null = null;
  const loaded = options.fresh ? null : await loadLatestRunCheckpoint(runDir, (folder, reason) => log(`skipping ${folder}: ${reason}`));
  if (loaded !== null) {
    try {
      const metadata = loaded.metadata as unknown as LoopMetadata;
      if (metadata.kind !== 'fmwiss-train-foundation') throw new RunMismatchError(`${runDir} holds a checkpoint of another tool (kind ${String(metadata.kind)}); use another --run-dir or --fresh`);
      const differences = identityDifferences(metadata.identity, identity);
      if (differences.length > 0) {
        throw new RunMismatchError(
          `the checkpoint in ${runDir} was trained with other settings (${differences.slice(0, 4).join('; ')}): rerun with the same flags, or pass --fresh to start over`,
        );
      }
      if (options.maxSteps !== undefined && options.maxSteps !== metadata.plan.plannedSteps) {
        throw new RunMismatchError(
          `the checkpoint in ${runDir} plans ${metadata.plan.plannedSteps} steps; --max-steps ${options.maxSteps} would change its schedule: drop --max-steps to resume, or pass --fresh`,
        );
      }
      trainer.restore(loaded.weights, loaded.optimizerState ?? new Map());
      step = metadata.step;
      trainSeconds = metadata.trainSeconds;
      plan = metadata.plan;
      invocations = metadata.invocations;
      lastMetrics = metadata.lastMetrics;
      resumedFrom = loaded.manifest.createdAt;
      log(`resumed at step ${step} of ${plan.plannedSteps} (${formatDuration(trainSeconds)} of training so far) from ${runDir}`);
    } finally {
      tf.dispose([...loaded.weights.values(), ...(loaded.optimizerState?.values() ?? [])]);
    }
  }

  if (plan === null) {
    if (options.maxSteps !== undefined) {
      plan = { plannedSteps: options.maxSteps, source: 'max-steps', measuredSecondsPerStep: null, budgetSeconds: options.budgetSeconds };
    } else {
      const perStep = await measureDrySteps(trainer, options.calibrationSteps ?? 3, now);
      const plannedSteps = Math.max(1, Math.floor((options.budgetSeconds * PLAN_FILL) / perStep));
      plan = { plannedSteps, source: 'budget', measuredSecondsPerStep: perStep, budgetSeconds: options.budgetSeconds };
      log(`dry steps take ${perStep.toFixed(2)} s: planning ${plannedSteps} steps (${(plannedSteps / options.stepsPerEpoch).toFixed(2)} epochs) for a budget of ${formatDuration(options.budgetSeconds)}`);
    }
  } else if (options.budgetSeconds !== plan.budgetSeconds) {
    log(`note: the budget is now ${formatDuration(options.budgetSeconds)} (the plan was made for ${formatDuration(plan.budgetSeconds)}); the schedule keeps its ${plan.plannedSteps} steps`);
  }
  let activePlan: RunPlan = plan;
  log(`to stop cleanly after the current step: touch ${stopFile} (a rerun resumes)`);

  const invocation: Invocation = { startedAt: new Date().toISOString(), fromStep: step, toStep: step, seconds: 0, stopReason: 'running' };
  invocations = [...invocations, invocation];
  const startStep = step;
  let stepSecondsTotal = 0;
  let lastCheckpointAt = now();
  let lastLogAt = now();
  let savedStep = resumedFrom === null ? -1 : step;
  let stopReason: StopReason = 'completed';

  const save = async (): Promise<void> => {
    const started = now();
    invocation.toStep = step;
    const metadata: LoopMetadata = {
      kind: 'fmwiss-train-foundation',
      step,
      epoch: Math.floor(step / options.stepsPerEpoch),
      trainSeconds,
      plan: activePlan,
      identity,
      invocations,
      lastMetrics,
    };
    const { weights, optimizerState } = trainer.snapshot();
    try {
      await saveRunCheckpoint(runDir, step, { weights, optimizerState, metadata: metadata as unknown as Record<string, unknown> });
    } finally {
      tf.dispose([...weights.values(), ...optimizerState.values()]);
    }
    const seconds = (now() - started) / 1000;
    trainSeconds += seconds;
    invocation.seconds += seconds;
    savedStep = step;
    lastCheckpointAt = now();
    log(`checkpoint at step ${step} (${seconds.toFixed(1)} s)`);
  };

  while (true) {
    if (step >= activePlan.plannedSteps) {
      stopReason = 'completed';
      break;
    }
    if (trainSeconds >= options.budgetSeconds) {
      stopReason = 'budget';
      break;
    }
    if (options.shouldStop?.() || (options.stopAfterSteps !== undefined && step - startStep >= options.stopAfterSteps)) {
      stopReason = 'requested';
      break;
    }
    // A step computes synchronously: let the event loop run (signal handlers, pending I/O) in between.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (options.shouldStop?.() || (await stopFileSeen())) {
      stopReason = 'requested';
      break;
    }
    const started = now();
    lastMetrics = await trainer.step(step, activePlan.plannedSteps);
    step += 1;
    const seconds = (now() - started) / 1000;
    stepSecondsTotal += seconds;
    trainSeconds += seconds;
    invocation.seconds += seconds;
    invocation.toStep = step;

    const done = step >= activePlan.plannedSteps;
    if (now() - lastLogAt >= logSeconds * 1000 || done || step === startStep + 1) {
      const perStep = stepSecondsTotal / (step - startStep);
      const eta = Math.min((activePlan.plannedSteps - step) * perStep, Math.max(0, options.budgetSeconds - trainSeconds));
      log(
        `step ${step}/${activePlan.plannedSteps} epoch ${(step / options.stepsPerEpoch).toFixed(2)} ${options.describe(lastMetrics)} | ` +
          `${(options.itemsPerStep / perStep).toFixed(1)} img/s, ${perStep.toFixed(2)} s/step | trained ${formatDuration(trainSeconds)}, ETA ${formatDuration(eta)}`,
      );
      lastLogAt = now();
    }
    if (!done && now() - lastCheckpointAt >= checkpointSeconds * 1000) {
      activePlan = shortenedPlan(activePlan, step, trainSeconds, options.budgetSeconds, stepSecondsTotal / (step - startStep), log);
      await save();
    }
  }
  invocation.stopReason = stopReason;
  if (savedStep !== step) await save();
  const why = { completed: 'the planned steps are done', budget: 'the training budget is spent', requested: 'a stop was requested' }[stopReason];
  log(`stopped at step ${step}/${activePlan.plannedSteps} after ${formatDuration(trainSeconds)} of training: ${why}; checkpoint in ${runDir}`);
  return {
    steps: step,
    plannedSteps: activePlan.plannedSteps,
    trainSeconds,
    stepsThisRun: step - startStep,
    stopReason,
    resumedFrom,
    secondsPerStep: step > startStep ? stepSecondsTotal / (step - startStep) : Number.NaN,
    lastMetrics,
    plan: activePlan,
    invocations,
  };
}

/**
 * A budget plan whose remaining steps no longer fit the remaining budget at `secondsPerStep` is
 * shortened to what fits (never below the next step, never lengthened); --max-steps plans are kept.
 * Only a shortfall of more than 2% of the planned steps triggers it.
 */
export function shortenedPlan(plan: RunPlan, step: number, trainSeconds: number, budgetSeconds: number, secondsPerStep: number, log: Log): RunPlan {
  if (plan.source !== 'budget' || !(secondsPerStep > 0)) return plan;
  const reachable = step + Math.floor((Math.max(0, budgetSeconds - trainSeconds) * 0.98) / secondsPerStep);
  if (reachable >= plan.plannedSteps - Math.floor(0.02 * plan.plannedSteps)) return plan;
  const to = Math.max(step + 1, reachable);
  log(`at ${secondsPerStep.toFixed(2)} s per step only ${to} of the planned ${plan.plannedSteps} steps fit the budget: the schedule now ends at step ${to}`);
  return { ...plan, plannedSteps: to, replans: [...(plan.replans ?? []), { atStep: step, from: plan.plannedSteps, to, secondsPerStep }] };
}

/** The plan in words, for logs and model cards. */
export function describePlan(plan: RunPlan): string {
  const source = plan.source === 'budget' ? `from the budget of ${formatDuration(plan.budgetSeconds)} at ${plan.measuredSecondsPerStep?.toFixed(2)} s per dry step` : '--max-steps';
  const replans = (plan.replans ?? []).map((r) => `shortened from ${r.from} to ${r.to} at step ${r.atStep} (${r.secondsPerStep.toFixed(2)} s per step)`);
  return `${plan.plannedSteps} (${[source, ...replans].join('; ')})`;
}

/** Mean seconds of `count` dry steps after one warm-up step. */
async function measureDrySteps(trainer: Trainer, count: number, now: () => number): Promise<number> {
  await trainer.dryStep();
  const started = now();
  for (let i = 0; i < count; i++) await trainer.dryStep();
  return (now() - started) / 1000 / Math.max(1, count);
}

/** "batch: 64 in the checkpoint, 32 now" for each top-level key whose JSON differs. */
export function identityDifferences(saved: Record<string, unknown> | undefined, current: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(saved ?? {}), ...Object.keys(current)]);
  const differences: string[] = [];
  for (const key of [...keys].sort()) {
    const a = JSON.stringify(saved?.[key]);
    const b = JSON.stringify(current[key]);
    if (a !== b) differences.push(`${key}: ${a ?? 'absent'} in the checkpoint, ${b ?? 'absent'} now`);
  }
  return differences;
}
