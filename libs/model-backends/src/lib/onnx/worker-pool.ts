// A pool of worker threads, each holding one onnxruntime session of the same model file. Calls are
// queued and handed to the first idle worker; a queued call can be aborted before it starts, and a
// running one abandoned (its result is dropped when it arrives). A worker that dies is replaced.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

import { CancelledError, ResourceExhaustedError } from '@fmwiss/service-kit';

import type { TensorSpec } from '../backend';
import { InferenceError, ModelLoadError } from '../errors';
import type { NamedTensors } from '../tensor';

/** Where the worker script lives (plain JavaScript, see its header). */
export const ONNX_WORKER_PATH = path.join(__dirname, 'onnx-worker.mjs');

export interface WorkerPoolOptions {
  modelPath: string;
  /** Worker threads, each with its own session (default 1). */
  workers: number;
  /** onnxruntime intra-op threads per session (default 1). */
  intraOpThreads: number;
  /** onnxruntime inter-op threads per session (default 1). */
  interOpThreads: number;
  /** Calls allowed to wait for a worker; more are refused with RESOURCE_EXHAUSTED (default 256). */
  maxQueue: number;
}

export interface SessionSignature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

interface PendingCall {
  id: number;
  inputs: NamedTensors;
  outputs: readonly string[] | undefined;
  signal: AbortSignal | undefined;
  resolve: (outputs: NamedTensors) => void;
  reject: (error: Error) => void;
  onAbort?: () => void;
}

interface PoolWorker {
  worker: Worker;
  running: PendingCall | undefined;
}

type WorkerMessage =
  | { type: 'ready'; inputs: TensorSpec[]; outputs: TensorSpec[] }
  | { type: 'load-error'; message: string }
  | { type: 'result'; id: number; outputs: NamedTensors }
  | { type: 'run-error'; id: number; message: string };

export class OnnxWorkerPool {
  private readonly workers: PoolWorker[] = [];
  private readonly queue: PendingCall[] = [];
  private nextId = 1;
  private closed = false;

  private constructor(
    private readonly options: WorkerPoolOptions,
    readonly signature: SessionSignature,
  ) {}

  /** Starts the workers; resolves once every session is loaded, rejects with ModelLoadError if one fails. */
  static async start(options: WorkerPoolOptions): Promise<OnnxWorkerPool> {
    const first = await spawnWorker(options);
    const pool = new OnnxWorkerPool(options, first.signature);
    pool.adopt(first.worker);
    try {
      for (let index = 1; index < options.workers; index++) pool.adopt((await spawnWorker(options)).worker);
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Runs the model on some worker. */
  run(inputs: NamedTensors, outputs: readonly string[] | undefined, signal: AbortSignal | undefined): Promise<NamedTensors> {
    if (this.closed) return Promise.reject(new CancelledError('the model has been disposed'));
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (this.queue.length >= this.options.maxQueue) {
      return Promise.reject(
        new ResourceExhaustedError(`model queue is full (${this.options.maxQueue} calls waiting); retry later`),
      );
    }
    return new Promise<NamedTensors>((resolve, reject) => {
      const call: PendingCall = { id: this.nextId++, inputs, outputs, signal, resolve, reject };
      if (signal) {
        call.onAbort = () => this.abandon(call, abortError(signal));
        signal.addEventListener('abort', call.onAbort, { once: true });
      }
      this.queue.push(call);
      this.dispatch();
    });
  }

  /** Calls waiting for a worker. */
  get queued(): number {
    return this.queue.length;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const call of this.queue.splice(0)) settle(call, undefined, new CancelledError('the model has been disposed'));
    await Promise.all(
      this.workers.map(async (entry) => {
        if (entry.running) settle(entry.running, undefined, new CancelledError('the model has been disposed'));
        entry.running = undefined;
        await entry.worker.terminate();
      }),
    );
    this.workers.length = 0;
  }

  private adopt(worker: Worker): void {
    const entry: PoolWorker = { worker, running: undefined };
    worker.on('message', (message: WorkerMessage) => this.onMessage(entry, message));
    worker.on('error', (error) => this.onWorkerDeath(entry, error.message));
    worker.on('exit', (code) => this.onWorkerDeath(entry, `worker exited with code ${code}`));
    this.workers.push(entry);
    this.dispatch();
  }

  private dispatch(): void {
    for (const entry of this.workers) {
      if (entry.running) continue;
      const call = this.queue.shift();
      if (!call) return;
      entry.running = call;
      entry.worker.postMessage({ type: 'run', id: call.id, inputs: call.inputs, outputs: call.outputs });
    }
  }

  private onMessage(entry: PoolWorker, message: WorkerMessage): void {
    if (message.type !== 'result' && message.type !== 'run-error') return;
    const call = entry.running;
    entry.running = undefined;
    if (call && call.id === message.id) {
      if (message.type === 'result') settle(call, message.outputs, undefined);
      else settle(call, undefined, new InferenceError(`onnxruntime failed: ${message.message}`));
    }
    this.dispatch();
  }

  private onWorkerDeath(entry: PoolWorker, reason: string): void {
    const index = this.workers.indexOf(entry);
    if (index < 0) return;
    this.workers.splice(index, 1);
    if (entry.running) settle(entry.running, undefined, new InferenceError(`the model's worker thread died: ${reason}`));
    entry.running = undefined;
    if (this.closed) return;
    void entry.worker.terminate();
    spawnWorker(this.options).then(
      ({ worker }) => (this.closed ? void worker.terminate() : this.adopt(worker)),
      (error: Error) => {
        for (const call of this.queue.splice(0)) settle(call, undefined, new InferenceError(`cannot restart the model's worker: ${error.message}`));
      },
    );
  }

  /** An aborted call: out of the queue if it waits; if it runs, its result will be dropped. */
  private abandon(call: PendingCall, error: Error): void {
    const queuedAt = this.queue.indexOf(call);
    if (queuedAt >= 0) this.queue.splice(queuedAt, 1);
    settle(call, undefined, error);
  }
}

function settle(call: PendingCall, outputs: NamedTensors | undefined, error: Error | undefined): void {
  if (call.onAbort) call.signal?.removeEventListener('abort', call.onAbort);
  const { resolve, reject } = call;
  // Settle once: later messages for an abandoned call find no-ops.
  call.resolve = () => undefined;
  call.reject = () => undefined;
  if (error) reject(error);
  else resolve(outputs as NamedTensors);
}

function abortError(signal: AbortSignal): Error {
  const reason = signal.reason instanceof Error ? signal.reason.message : 'the call was aborted';
  return new CancelledError(`inference cancelled: ${reason}`);
}

function spawnWorker(options: WorkerPoolOptions): Promise<{ worker: Worker; signature: SessionSignature }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(ONNX_WORKER_PATH, {
      workerData: {
        modelPath: options.modelPath,
        intraOpThreads: options.intraOpThreads,
        interOpThreads: options.interOpThreads,
      },
    });
    const fail = (message: string): void => {
      cleanup();
      void worker.terminate();
      reject(new ModelLoadError(`cannot load ONNX model ${options.modelPath}: ${message}`));
    };
    const onMessage = (message: WorkerMessage): void => {
      if (message.type === 'ready') {
        cleanup();
        resolve({ worker, signature: { inputs: message.inputs, outputs: message.outputs } });
      } else if (message.type === 'load-error') fail(message.message);
    };
    const onError = (error: Error): void => fail(error.message);
    const onExit = (code: number): void => fail(`worker exited with code ${code} while loading`);
    const cleanup = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}
