import type { StepProgress } from './step-api';

export interface RecordedProgress {
  progress: StepProgress;
  atMs: number;
}

/**
 * Whether a progress report becomes an event (written to events.jsonl): the first one, a new phase
 * or epoch, an epoch's last iteration, or `intervalMs` since the last recorded one. The others only
 * update the job's current progress, so the log stays small.
 */
export function shouldRecordProgress(last: RecordedProgress | undefined, next: StepProgress, nowMs: number, intervalMs: number): boolean {
  if (!last) return true;
  if (next.phase !== last.progress.phase || next.epoch !== last.progress.epoch) return true;
  if (next.iterationsPerEpoch > 0 && next.iteration >= next.iterationsPerEpoch) return true;
  return nowMs - last.atMs >= intervalMs;
}
