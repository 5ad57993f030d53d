// The messages between the trainer's main thread and a training worker thread. A worker module is
// any file whose top level calls serveTrainingWorker (worker-runtime.ts) with the work to run: the
// step-training worker in production, a fake one in tests.
import type { BackendChoice } from '@fmwiss/tensor-runtime';
import type { TrainingWork } from '../store/job-store';
import type { StepProgress, StepResult } from '../step-api';

/** How the worker's memory-bank client retries UNAVAILABLE. */
export interface MemoryBankRetrySettings {
  /** Attempts per call, the first included (1: no retry). */
  attempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Deadline of one call. */
  deadlineMs: number;
}

/** workerData of a training worker. */
export interface TrainingWorkerInput {
  jobId: string;
  work: TrainingWork;
  /** tfjs backend, for initTensorRuntime inside the worker. */
  backend: BackendChoice;
  memoryBankRetry: MemoryBankRetrySettings;
}

/** Main thread -> worker. */
export type TrainingWorkerCommand = { type: 'cancel'; reason: string };

/** Why a worker's step ended without a result. */
export type WorkerFailureKind = 'cancelled' | 'invalid' | 'precondition' | 'failed';

/** Worker -> main thread. `done` and `error` are the last message. */
export type TrainingWorkerMessage =
  | { type: 'progress'; progress: StepProgress }
  | { type: 'checkpoint'; epoch: number; path: string }
  | { type: 'warning'; message: string }
  | { type: 'done'; result: StepResult }
  | { type: 'error'; kind: WorkerFailureKind; message: string };
