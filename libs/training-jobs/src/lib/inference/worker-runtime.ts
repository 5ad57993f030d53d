// The worker side of Evaluate and Predict: one task at a time, loaded checkpoints kept in an LRU.
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import * as grpc from '@grpc/grpc-js';
import type { LoadedStepModel, StepInference } from '../step-api';
import { inferenceFailure } from './failure';
import { LruCache } from './lru';
import type { EvaluateTask, InferenceCommand, InferenceMessage, InferenceWorkerInput, PredictOutput, PredictTask } from './protocol';

/** A cache key that changes when the checkpoint folder is replaced (its manifest is rewritten). */
function checkpointKey(checkpoint: string): string {
  const path = resolve(checkpoint);
  try {
    return `${path}@${statSync(join(path, 'manifest.json')).mtimeMs}`;
  } catch {
    return path;
  }
}

/**
 * Serves inference tasks in this worker thread. `load` gives the library (and initialises tfjs); it
 * is called once, before the first task.
 */
export function serveInferenceWorker(load: (input: InferenceWorkerInput) => Promise<StepInference>): void {
  const port = parentPort;
  if (!port) throw new Error('an inference worker module must run in a worker thread');
  const input = workerData as InferenceWorkerInput;
  const library = load(input);
  const models = new LruCache<string, Promise<LoadedStepModel>>(input.modelCacheSize, (model) => {
    void model.then((m) => m.dispose(), () => undefined);
  });
  const controllers = new Map<number, AbortController>();
  const post = (message: InferenceMessage): void => port.postMessage(message);
  let chain: Promise<void> = Promise.resolve();

  const evaluate = async (task: EvaluateTask, signal: AbortSignal): Promise<void> => {
    const lib = await library;
    const summary = await lib.evaluateCheckpoint({
      checkpoint: task.checkpoint,
      data: task.data,
      baseClassIds: task.baseClassIds,
      newClassIds: task.newClassIds,
      ...(task.batchSize !== undefined ? { batchSize: task.batchSize } : {}),
      includeConfusion: task.includeConfusion,
      signal,
      onProgress: (imagesDone, imagesTotal) => post({ type: 'evaluate-progress', id: task.id, imagesDone, imagesTotal }),
    });
    post({ type: 'evaluated', id: task.id, summary });
  };

  const predict = async (task: PredictTask): Promise<void> => {
    const lib = await library;
    const key = checkpointKey(task.checkpoint);
    let pending = models.get(key);
    if (!pending) {
      pending = lib.loadStepModel(task.checkpoint);
      models.set(key, pending);
    }
    let model: LoadedStepModel;
    try {
      model = await pending;
    } catch (error) {
      if (models.get(key) === pending) models.delete(key); // a failed load is not kept
      throw error;
    }
    if (task.head === 'teacher' && !model.hasTeacher) {
      throw Object.assign(new Error(`checkpoint ${task.checkpoint} (step ${model.step}, ${model.kind}) has no teacher head; ask for the student`), {
        name: 'StepPreconditionError',
      });
    }
    const prediction = lib.predictImage(model, task.image, { head: task.head, includeProbabilities: task.includeProbabilities });
    const output: PredictOutput = {
      labels: prediction.labels,
      classes: [{ id: 0, name: 'background' }, ...model.classes],
      ...(prediction.probabilities ? { probabilities: prediction.probabilities } : {}),
    };
    const transfer = [output.labels.data.buffer as ArrayBuffer];
    if (output.probabilities) transfer.push(output.probabilities.buffer as ArrayBuffer);
    port.postMessage({ type: 'predicted', id: task.id, output } satisfies InferenceMessage, transfer);
  };

  port.on('message', (command: InferenceCommand) => {
    if (command.type === 'cancel') {
      controllers.get(command.id)?.abort(new Error('the call was cancelled'));
      return;
    }
    const controller = new AbortController();
    controllers.set(command.id, controller);
    chain = chain.then(async () => {
      try {
        if (controller.signal.aborted) throw new Error('the call was cancelled');
        if (command.type === 'evaluate') await evaluate(command, controller.signal);
        else await predict(command);
      } catch (error) {
        const failure = inferenceFailure(error, controller.signal.aborted);
        post({ type: 'failed', id: command.id, failure: failure.code === grpc.status.OK ? { ...failure, code: grpc.status.INTERNAL } : failure });
      } finally {
        controllers.delete(command.id);
      }
    });
  });
}
