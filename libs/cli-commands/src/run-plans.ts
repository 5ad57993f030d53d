// Several runs through one coordinator with live progress: each run starts when its dependency
// has finished a step (a baseline waits for the method's step 0, which the coordinator then
// reuses from its cache) and a slot is free; Ctrl-C cancels every started run.
import { RunState, type PipelineServiceClient, type Run, type StartRunRequest } from '@fmwiss/contracts';
import { unary } from '@fmwiss/service-kit';
import { InterruptedError } from './exit-codes';
import { cancelRun, describeGrpcError, followRun } from './follow-run';
import type { ProgressBoard } from './progress-board';
import { applyRun, applyRunEvent, initialRunProgress, isMilestone, isTerminal, renderRunLine, type RunProgress } from './run-progress';

export interface RunPlan {
  /** Unique among the plans (e.g. "fmwiss", "joint", "fusion=intersection"). */
  key: string;
  /** The name of its progress line and table row. */
  label: string;
  /** With its run_id set, so that the run can be cancelled even while StartRun is in flight. */
  request: StartRunRequest;
  /** Start once plan `key` has finished step `step` (or has ended, or failed to start). */
  after?: { key: string; step: number };
}

export interface PlanOutcome {
  plan: RunPlan;
  /** The run as it ended; absent when it never started. */
  run?: Run;
  /** Why it failed or did not start; absent when it succeeded. */
  error?: string;
}

export interface ExecuteRunPlansOptions {
  board: ProgressBoard;
  /** Aborted: started runs are cancelled on the coordinator and InterruptedError is thrown. */
  signal: AbortSignal;
  /** Runs following at once (default: all). */
  maxActive?: number;
  /** Deadline of StartRun (default 60 s). */
  startDeadlineMs?: number;
}

/** A run id from a prefix, a key and a time: "demo-20240501-134502-fmwiss". */
export function newRunId(prefix: string, key: string, now: Date): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, '').replace(/[-:]/g, '').replace('T', '-');
  return `${prefix}-${stamp}-${key}`.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 128);
}

export async function executeRunPlans(client: PipelineServiceClient, plans: readonly RunPlan[], options: ExecuteRunPlansOptions): Promise<PlanOutcome[]> {
  const { board, signal } = options;
  const labelWidth = Math.max(...plans.map((p) => p.label.length));
  const progress = new Map<string, RunProgress>(plans.map((p) => [p.key, initialRunProgress(p.label)]));
  const outcomes = new Map<string, PlanOutcome>();
  const active = new Map<string, Promise<void>>();
  const startedKeys = new Set<string>();
  const planByKey = new Map(plans.map((p) => [p.key, p]));
  let wake: () => void = () => undefined;
  const onAbort = () => wake();
  signal.addEventListener('abort', onAbort);

  const show = (key: string, next: RunProgress, milestone: boolean) => {
    progress.set(key, next);
    board.set(key, renderRunLine(next, labelWidth), milestone);
  };

  const ready = (plan: RunPlan): boolean => {
    if (!plan.after || !planByKey.has(plan.after.key)) return true;
    return outcomes.has(plan.after.key) || (progress.get(plan.after.key) as RunProgress).doneSteps.includes(plan.after.step);
  };

  /** A run queued at StartRun has no steps yet: ask at its stage changes until known, for the "step t/T" of its line. */
  const learnLastStep = async (key: string, runId: string): Promise<void> => {
    try {
      const run = await unary(client, 'getRun', { runId }, { deadlineMs: 10_000, signal });
      const current = progress.get(key) as RunProgress;
      if (run.steps.length > 0 && current.lastStep < 0) show(key, { ...current, lastStep: Math.max(...run.steps.map((s) => s.step)) }, false);
    } catch {
      // only cosmetic
    }
  };

  const follow = async (plan: RunPlan): Promise<void> => {
    const key = plan.key;
    let askingForSteps = false;
    try {
      const started = await unary(client, 'startRun', plan.request, { deadlineMs: options.startDeadlineMs ?? 60_000, signal });
      show(key, applyRun(progress.get(key) as RunProgress, started), true);
      wake();
      const run = isTerminal(started.state)
        ? started
        : await followRun(client, started.runId, {
            signal,
            onEvent: (event) => {
              if ((progress.get(key) as RunProgress).lastStep < 0 && event.event?.$case === 'stage' && !askingForSteps) {
                askingForSteps = true;
                void learnLastStep(key, started.runId).finally(() => (askingForSteps = false));
              }
              const before = progress.get(key) as RunProgress;
              const after = applyRunEvent(before, event);
              show(key, after, isMilestone(before, after));
              if (event.event?.$case === 'warning') board.log(`${plan.label}: warning: ${event.event.warning}`);
              if (after.doneSteps.length !== before.doneSteps.length) wake();
            },
          });
      show(key, applyRun(progress.get(key) as RunProgress, run), true);
      outcomes.set(key, {
        plan,
        run,
        error: run.state === RunState.RUN_STATE_SUCCEEDED ? undefined : run.error || `the run ended ${RunState[run.state]}`,
      });
    } catch (error) {
      const message = signal.aborted ? 'interrupted' : describeGrpcError(error);
      outcomes.set(key, { plan, error: message });
      if (!signal.aborted) show(key, { ...(progress.get(key) as RunProgress), waiting: undefined, state: RunState.RUN_STATE_FAILED, error: message }, true);
    } finally {
      active.delete(key);
      wake();
    }
  };

  // Lines in plan order from the start (a board keeps its lines in the order they first appear).
  for (const plan of plans) show(plan.key, { ...(progress.get(plan.key) as RunProgress), waiting: 'starting' }, false);
  try {
    while (outcomes.size < plans.length && !signal.aborted) {
      for (const plan of plans) {
        if (outcomes.has(plan.key) || active.has(plan.key)) continue;
        if (ready(plan) && active.size < (options.maxActive ?? plans.length)) {
          startedKeys.add(plan.key);
          active.set(plan.key, follow(plan));
        } else {
          const dependency = plan.after && planByKey.get(plan.after.key);
          const waiting = !ready(plan) && dependency ? `waiting for ${dependency.label} to finish step ${plan.after?.step}` : 'waiting for a free slot';
          const current = progress.get(plan.key) as RunProgress;
          if (current.waiting !== waiting) show(plan.key, { ...current, waiting }, true);
        }
      }
      if (outcomes.size >= plans.length) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (signal.aborted) resolve();
      });
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }

  if (signal.aborted) {
    await Promise.all(active.values());
    const running = [...startedKeys].filter((key) => !outcomes.get(key)?.run || !isTerminal((outcomes.get(key)?.run as Run).state));
    board.log(`interrupted: cancelling ${running.length} run${running.length === 1 ? '' : 's'} ...`);
    await Promise.all(
      running.map(async (key) => {
        const plan = planByKey.get(key) as RunPlan;
        const run = await cancelRun(client, plan.request.runId);
        if (run) show(key, applyRun(progress.get(key) as RunProgress, run), true);
      }),
    );
    board.close();
    throw new InterruptedError();
  }
  board.close();
  return plans.map((plan) => outcomes.get(plan.key) as PlanOutcome);
}
