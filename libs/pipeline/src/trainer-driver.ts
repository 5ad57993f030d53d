// Driving the trainer: a training job is started idempotently (its job id derives from the run and
// the step), watched to its end (a dropped stream resumes after the last event seen), and its
// checkpoints evaluated and used for predictions, every call retried.
import * as grpc from '@grpc/grpc-js';
import {
  JobState,
  PredictionHead,
  type EvaluateRequest,
  type EvaluationResult,
  type Image,
  type PredictResponse,
  type StartTrainingRequest,
  type TrainingJob,
  type TrainingProgress,
} from '@fmwiss/contracts';
import { serverStream, unary } from '@fmwiss/service-kit';
import { contentKey } from './content-key';
import { backoffMs, describeError, isTransient, ServiceCallError, sleep, statusCodeOf, type RetryHooks } from './retry';
import { RunCancelledError, RunFailure } from './run-errors';
import type { RunServices } from './run-services';

/** A job id of at most 128 characters of [A-Za-z0-9._-], derived from a run id and a step. */
export function trainingJobId(runId: string, step: number): string {
  const id = `${runId}.step-${step}`;
  return id.length <= 128 ? id : `${runId.slice(0, 100)}.${contentKey(runId).slice(0, 12)}.step-${step}`;
}

const TERMINAL_JOB = new Set([JobState.JOB_STATE_SUCCEEDED, JobState.JOB_STATE_FAILED, JobState.JOB_STATE_CANCELLED]);

export interface TrainingCallbacks {
  onProgress(progress: TrainingProgress): void;
  /** A trainer warning or a retried call. */
  onWarning(message: string): void;
  onCheckpoint?(epoch: number, path: string): void;
  /** Once the job is known (started or found). */
  onJob?(job: TrainingJob): void;
}

/**
 * Starts (or finds) a training job and follows it to its end; resolves with the SUCCEEDED job.
 * A FAILED or CANCELLED job is a RunFailure naming the job and its error. When `signal` aborts with
 * a RunCancelledError the job is cancelled on the trainer; any other abort (coordinator stopping)
 * leaves it running.
 */
export async function runTrainingJob(
  services: RunServices,
  request: StartTrainingRequest,
  callbacks: TrainingCallbacks,
  signal: AbortSignal,
): Promise<TrainingJob> {
  const trainer = services.trainer;
  const hooks: RetryHooks = { signal, onRetry: (message) => callbacks.onWarning(message) };
  const start = () => trainer.call(`StartTraining of job ${request.jobId}`, (client) => unary(client, 'startTraining', request, { signal }), hooks);
  try {
    const started = await start(); // not inside onJob?.(...): an absent callback would skip the call
    callbacks.onJob?.(started);
    let after = 0;
    let restartedAt: number | undefined;
    let failures = 0;
    for (;;) {
      let ended = false;
      const lease = trainer.lease();
      try {
        const events = serverStream(lease.client, 'watchTraining', { jobId: request.jobId, afterSequence: after }, { signal, deadlineMs: Infinity });
        for await (const event of events) {
          after = event.sequence;
          failures = 0;
          const body = event.event;
          if (body?.$case === 'progress') callbacks.onProgress(body.progress);
          else if (body?.$case === 'warning') callbacks.onWarning(`trainer, job ${request.jobId}: ${body.warning}`);
          else if (body?.$case === 'checkpoint') callbacks.onCheckpoint?.(body.checkpoint.epoch, body.checkpoint.path);
          else if (body?.$case === 'state' && TERMINAL_JOB.has(body.state)) ended = true;
        }
        lease.release(false);
      } catch (error) {
        const transient = isTransient(error, signal);
        lease.release(transient);
        if (signal.aborted) throw signal.reason;
        if (statusCodeOf(error) === grpc.status.NOT_FOUND) {
          // The trainer lost the job (its state folder was replaced): start it again once; it resumes from its checkpoints.
          if (restartedAt === after) {
            throw new RunFailure(`trainer at ${trainer.target.address} lost training job ${request.jobId} again right after it was started again: ${describeError(error)}`);
          }
          callbacks.onWarning(`trainer at ${trainer.target.address} does not know job ${request.jobId}; starting it again`);
          const restarted = await start();
          callbacks.onJob?.(restarted);
          after = 0;
          restartedAt = 0;
          continue;
        }
        if (!transient) throw new ServiceCallError(trainer.target, `WatchTraining of job ${request.jobId}`, error, failures + 1, false);
        failures++;
        if (failures >= trainer.policy.attempts) {
          throw new ServiceCallError(trainer.target, `WatchTraining of job ${request.jobId}`, error, failures, true);
        }
        const wait = backoffMs(trainer.policy, failures);
        callbacks.onWarning(
          `trainer at ${trainer.target.address}: watching job ${request.jobId} broke off with ${describeError(error)}; ` +
            `watching again after event ${after} in ${wait} ms (attempt ${failures + 1} of ${trainer.policy.attempts})`,
        );
        await sleep(wait, signal);
        continue;
      }
      const job = await trainer.call(`GetTraining of job ${request.jobId}`, (client) => unary(client, 'getTraining', { jobId: request.jobId }, { signal }), hooks);
      if (!ended && !TERMINAL_JOB.has(job.state)) {
        await sleep(backoffMs(trainer.policy, 1), signal); // the stream closed early: watch on
        continue;
      }
      callbacks.onJob?.(job);
      if (job.state === JobState.JOB_STATE_SUCCEEDED) return job;
      const what = `trainer at ${trainer.target.address}: training job ${request.jobId} (step ${request.step})`;
      if (job.state === JobState.JOB_STATE_CANCELLED) throw new RunFailure(`${what} was cancelled on the trainer`);
      throw new RunFailure(`${what} failed: ${job.error || 'no reason given'}`);
    }
  } catch (error) {
    if (signal.aborted && signal.reason instanceof RunCancelledError) await cancelJob(services, request.jobId);
    throw error;
  }
}

/** Best effort: asks the trainer to cancel a job (two quick attempts). */
async function cancelJob(services: RunServices, jobId: string): Promise<void> {
  const { trainer } = services;
  for (let attempt = 0; attempt < 2; attempt++) {
    const lease = trainer.lease();
    try {
      await unary(lease.client, 'cancelTraining', { jobId }, { deadlineMs: 5000 });
      lease.release(false);
      return;
    } catch (error) {
      lease.release(isTransient(error));
      if (statusCodeOf(error) === grpc.status.NOT_FOUND) return;
      await sleep(backoffMs(trainer.policy, attempt + 1));
    }
  }
}

/** Evaluates a checkpoint (the trainer's Evaluate stream); the whole call is retried on a transient failure. */
export function evaluateCheckpoint(
  services: RunServices,
  request: EvaluateRequest,
  hooks: RetryHooks,
  onProgress?: (done: number, total: number) => void,
): Promise<EvaluationResult> {
  return services.trainer.call(
    `Evaluate of ${request.checkpoint}`,
    async (client) => {
      for await (const response of serverStream(client, 'evaluate', request, { signal: hooks.signal, deadlineMs: Infinity })) {
        const item = response.item;
        if (item?.$case === 'result') return item.result;
        if (item?.$case === 'progress') onProgress?.(item.progress.imagesDone, item.progress.imagesTotal);
      }
      throw new RunFailure(`trainer at ${services.trainer.target.address}: Evaluate of ${request.checkpoint} ended without a result`);
    },
    hooks,
  );
}

/** Segments one image with a checkpoint's student or teacher. */
export function predictImage(
  services: RunServices,
  checkpoint: string,
  image: Image,
  head: PredictionHead,
  hooks: RetryHooks,
): Promise<PredictResponse> {
  return services.trainer.call(
    `Predict (${head === PredictionHead.PREDICTION_HEAD_TEACHER ? 'teacher' : 'student'}) of image ${image.imageId}`,
    (client) => unary(client, 'predict', { checkpoint, image, includeProbabilities: false, encoding: 0, head }, { signal: hooks.signal }),
    hooks,
  );
}
