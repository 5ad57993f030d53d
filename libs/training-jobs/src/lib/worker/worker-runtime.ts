// The worker side of the training protocol, shared by every training worker module.
import { parentPort, workerData } from 'node:worker_threads';
import { STEP_ERROR_NAMES, type StepHooks, type StepResult } from '../step-api';
import type { TrainingWorkerCommand, TrainingWorkerInput, TrainingWorkerMessage, WorkerFailureKind } from './protocol';

/** Hooks a worker's work receives: the step's hooks without the memory bank (the work makes its own). */
export type WorkerHooks = Required<Pick<StepHooks, 'signal' | 'onProgress' | 'onCheckpoint' | 'onWarning'>>;

/** The name of an error's class (`name`, else its constructor's name). */
function errorClassName(error: unknown): string {
  if (!(error instanceof Error)) return '';
  if (error.name && error.name !== 'Error') return error.name;
  return error.constructor?.name ?? 'Error';
}

/** Maps a thrown error to the failure kind the main thread acts on. */
export function classifyWorkerError(error: unknown, signal: AbortSignal): { kind: WorkerFailureKind; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  const name = errorClassName(error);
  if (name === STEP_ERROR_NAMES.cancelled || (signal.aborted && name === 'AbortError')) return { kind: 'cancelled', message };
  if (name === STEP_ERROR_NAMES.spec) return { kind: 'invalid', message };
  if (name === STEP_ERROR_NAMES.precondition) return { kind: 'precondition', message };
  return { kind: 'failed', message: name && name !== 'Error' ? `${name}: ${message}` : message };
}

/**
 * Runs `work` once in this worker thread with the input the main thread gave, posting progress,
 * checkpoints and warnings as they come and then `done` or `error`. A `cancel` command aborts the
 * signal the work receives.
 */
export function serveTrainingWorker(work: (input: TrainingWorkerInput, hooks: WorkerHooks) => Promise<StepResult>): void {
  const port = parentPort;
  if (!port) throw new Error('a training worker module must run in a worker thread');
  const input = workerData as TrainingWorkerInput;
  const controller = new AbortController();
  const post = (message: TrainingWorkerMessage): void => port.postMessage(message);
  port.on('message', (command: TrainingWorkerCommand) => {
    if (command?.type === 'cancel' && !controller.signal.aborted) controller.abort(new Error(command.reason));
  });
  const hooks: WorkerHooks = {
    signal: controller.signal,
    onProgress: (progress) => post({ type: 'progress', progress }),
    onCheckpoint: (epoch, path) => post({ type: 'checkpoint', epoch, path }),
    onWarning: (message) => post({ type: 'warning', message }),
  };
  void Promise.resolve()
    .then(() => work(input, hooks))
    .then(
      (result) => post({ type: 'done', result: JSON.parse(JSON.stringify(result)) as StepResult }),
      (error: unknown) => post({ type: 'error', ...classifyWorkerError(error, controller.signal) }),
    )
    .finally(() => port.unref());
}
