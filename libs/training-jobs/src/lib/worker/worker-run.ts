import type { Worker } from 'node:worker_threads';
import type { StepProgress, StepResult } from '../step-api';
import { launchWorker } from './launch';
import type { TrainingWorkerCommand, TrainingWorkerInput, TrainingWorkerMessage } from './protocol';

export interface WorkerRunListener {
  onProgress(progress: StepProgress): void;
  onCheckpoint(epoch: number, path: string): void;
  onWarning(message: string): void;
}

/** How a worker's run ended. `stopped`: the trainer stopped it (shutdown); the job is left as it was. */
export type WorkerOutcome =
  | { status: 'succeeded'; result: StepResult }
  | { status: 'cancelled'; message: string }
  | { status: 'invalid' | 'precondition' | 'failed'; message: string }
  | { status: 'stopped' };

export interface WorkerRunOptions {
  /** After a cancel, how long the worker may take to stop before its thread is terminated. */
  cancelGraceMs: number;
}

/** One training job running in its own worker thread. */
export class TrainingWorkerRun {
  readonly outcome: Promise<WorkerOutcome>;
  private settle!: (outcome: WorkerOutcome) => void;
  private settled = false;
  private cancelTimer: NodeJS.Timeout | undefined;
  private readonly worker: Worker;

  constructor(
    modulePath: string,
    input: TrainingWorkerInput,
    private readonly listener: WorkerRunListener,
    private readonly options: WorkerRunOptions,
  ) {
    this.outcome = new Promise((resolve) => (this.settle = resolve));
    this.worker = launchWorker(modulePath, { workerData: input });
    this.worker.on('message', (message: TrainingWorkerMessage) => this.onMessage(message));
    this.worker.on('error', (error) => this.finish({ status: 'failed', message: `the training worker crashed: ${error.message}` }));
    this.worker.on('exit', (code) =>
      this.finish({ status: 'failed', message: `the training worker stopped unexpectedly (thread exit code ${code})` }),
    );
  }

  /** Asks the worker to stop at its next iteration; terminates it after cancelGraceMs. */
  cancel(reason: string): void {
    if (this.settled || this.cancelTimer) return;
    this.worker.postMessage({ type: 'cancel', reason } satisfies TrainingWorkerCommand);
    this.cancelTimer = setTimeout(() => {
      this.finish({ status: 'cancelled', message: `${reason} (the worker did not stop within ${this.options.cancelGraceMs} ms; its thread was terminated)` });
    }, this.options.cancelGraceMs);
    this.cancelTimer.unref();
  }

  /** Stops the worker without ending the job (trainer shutdown). */
  async stop(): Promise<void> {
    this.finish({ status: 'stopped' });
    await this.outcome;
  }

  private onMessage(message: TrainingWorkerMessage): void {
    if (this.settled) return;
    switch (message.type) {
      case 'progress':
        this.listener.onProgress(message.progress);
        return;
      case 'checkpoint':
        this.listener.onCheckpoint(message.epoch, message.path);
        return;
      case 'warning':
        this.listener.onWarning(message.message);
        return;
      case 'done':
        this.finish({ status: 'succeeded', result: message.result });
        return;
      case 'error':
        this.finish({ status: message.kind, message: message.message });
        return;
    }
  }

  private finish(outcome: WorkerOutcome): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.cancelTimer);
    this.worker.removeAllListeners('message');
    this.worker.removeAllListeners('exit');
    this.worker.removeAllListeners('error');
    this.worker.on('error', () => undefined);
    void this.worker.terminate().finally(() => this.settle(outcome));
  }
}
