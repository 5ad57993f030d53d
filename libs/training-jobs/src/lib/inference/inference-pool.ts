// Worker threads for Evaluate and Predict, started on first use: calls queue (bounded) and go to
// the first idle worker; a cancelled call leaves the queue, or is abandoned and told to stop in its
// worker. A worker that dies fails its call and is replaced by the next call.
import type { Worker } from 'node:worker_threads';
import { AppError, CancelledError, InternalError, ResourceExhaustedError, UnavailableError } from '@fmwiss/service-kit';
import type { BackendChoice } from '@fmwiss/tensor-runtime';
import type { EvaluationSummary } from '../step-api';
import { launchWorker } from '../worker/launch';
import { INFERENCE_WORKER_MODULE } from '../worker/modules';
import type { EvaluateTask, InferenceCommand, InferenceMessage, InferenceWorkerInput, PredictOutput, PredictTask } from './protocol';

export interface InferencePoolOptions {
  /** Worker threads at most (default 1). */
  workers?: number;
  /** Loaded checkpoints each worker keeps for Predict. */
  modelCacheSize: number;
  backend: BackendChoice;
  /** Calls allowed to wait for a worker; more get RESOURCE_EXHAUSTED (default 64). */
  maxQueue?: number;
  /** Default: the step-training inference worker. */
  workerModule?: string;
}

type Task = Omit<EvaluateTask, 'id'> | Omit<PredictTask, 'id'>;

interface Call {
  id: number;
  task: Task;
  signal: AbortSignal | undefined;
  onProgress: ((done: number, total: number) => void) | undefined;
  resolve(value: unknown): void;
  reject(error: Error): void;
  settled: boolean;
  onAbort?: () => void;
}

interface PoolWorker {
  worker: Worker;
  running: Call | undefined;
}

export class InferencePool {
  private readonly workers: PoolWorker[] = [];
  private readonly queue: Call[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: InferencePoolOptions) {}

  /** Evaluates a checkpoint; `onProgress` gets (images done, images total). */
  evaluate(
    task: Omit<EvaluateTask, 'id' | 'type'>,
    onProgress: (imagesDone: number, imagesTotal: number) => void,
    signal?: AbortSignal,
  ): Promise<EvaluationSummary> {
    return this.submit({ type: 'evaluate', ...task }, signal, onProgress) as Promise<EvaluationSummary>;
  }

  predict(task: Omit<PredictTask, 'id' | 'type'>, signal?: AbortSignal): Promise<PredictOutput> {
    return this.submit({ type: 'predict', ...task }, signal, undefined) as Promise<PredictOutput>;
  }

  /** Calls waiting and running. */
  counts(): { queued: number; running: number; workers: number } {
    return { queued: this.queue.length, running: this.workers.filter((w) => w.running).length, workers: this.workers.length };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const call of this.queue.splice(0)) this.settle(call, new UnavailableError('the trainer is shutting down'));
    await Promise.all(
      this.workers.splice(0).map(async (entry) => {
        if (entry.running) this.settle(entry.running, new UnavailableError('the trainer is shutting down'));
        await entry.worker.terminate();
      }),
    );
  }

  private submit(task: Task, signal: AbortSignal | undefined, onProgress: Call['onProgress']): Promise<unknown> {
    if (this.closed) return Promise.reject(new UnavailableError('the trainer is shutting down'));
    if (signal?.aborted) return Promise.reject(new CancelledError('the call was cancelled'));
    const maxQueue = this.options.maxQueue ?? 64;
    if (this.queue.length >= maxQueue) {
      return Promise.reject(new ResourceExhaustedError(`${this.queue.length} evaluate/predict calls are waiting already (limit ${maxQueue}); retry later`));
    }
    return new Promise((resolve, reject) => {
      const call: Call = { id: this.nextId++, task, signal, onProgress, resolve, reject, settled: false };
      if (signal) {
        call.onAbort = () => this.abandon(call);
        signal.addEventListener('abort', call.onAbort, { once: true });
      }
      this.queue.push(call);
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let entry = this.workers.find((w) => !w.running);
      if (!entry) {
        if (this.workers.length >= Math.max(1, this.options.workers ?? 1)) return;
        try {
          entry = this.spawn();
        } catch (error) {
          for (const call of this.queue.splice(0)) this.settle(call, new InternalError(`cannot start an inference worker: ${(error as Error).message}`));
          return;
        }
      }
      const call = this.queue.shift()!;
      entry.running = call;
      const command = { ...call.task, id: call.id } as InferenceCommand;
      entry.worker.postMessage(command);
    }
  }

  private spawn(): PoolWorker {
    const workerData: InferenceWorkerInput = { backend: this.options.backend, modelCacheSize: this.options.modelCacheSize };
    const worker = launchWorker(this.options.workerModule ?? INFERENCE_WORKER_MODULE, { workerData });
    const entry: PoolWorker = { worker, running: undefined };
    worker.on('message', (message: InferenceMessage) => this.onMessage(entry, message));
    worker.on('error', (error) => this.onDeath(entry, `it crashed: ${error.message}`));
    worker.on('exit', (code) => this.onDeath(entry, `its thread exited with code ${code}`));
    this.workers.push(entry);
    return entry;
  }

  private onMessage(entry: PoolWorker, message: InferenceMessage): void {
    const call = entry.running;
    if (!call || call.id !== message.id) return;
    switch (message.type) {
      case 'evaluate-progress':
        if (!call.settled) call.onProgress?.(message.imagesDone, message.imagesTotal);
        return;
      case 'evaluated':
        this.settle(call, undefined, message.summary);
        break;
      case 'predicted':
        this.settle(call, undefined, message.output);
        break;
      case 'failed':
        this.settle(call, new AppError(message.failure.code, message.failure.message));
        break;
    }
    entry.running = undefined;
    this.dispatch();
  }

  private onDeath(entry: PoolWorker, reason: string): void {
    const index = this.workers.indexOf(entry);
    if (index < 0) return;
    this.workers.splice(index, 1);
    if (entry.running) this.settle(entry.running, new InternalError(`the inference worker died while serving this call: ${reason}`));
    entry.running = undefined;
    void entry.worker.terminate();
    if (!this.closed) this.dispatch();
  }

  /** A cancelled call: out of the queue if it waits; if it runs, its worker is told to stop and its answer dropped. */
  private abandon(call: Call): void {
    const queuedAt = this.queue.indexOf(call);
    if (queuedAt >= 0) this.queue.splice(queuedAt, 1);
    else {
      const entry = this.workers.find((w) => w.running === call);
      entry?.worker.postMessage({ type: 'cancel', id: call.id } satisfies InferenceCommand);
    }
    this.settle(call, new CancelledError('the call was cancelled'));
  }

  private settle(call: Call, error: Error | undefined, value?: unknown): void {
    if (call.settled) return;
    call.settled = true;
    if (call.onAbort) call.signal?.removeEventListener('abort', call.onAbort);
    if (error) call.reject(error);
    else call.resolve(value);
  }
}
