import * as grpc from '@grpc/grpc-js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FMWISS_SERVICE_NAMES, JobState, StepKind, type TrainingEvent } from '@fmwiss/contracts';
import { checkHealth, serverStream, unary, statusOf } from '@fmwiss/service-kit';
import { baseRequest, checkpointsOf, startHarness, statesOf, watchAll, type Harness } from './harness';

describe('TrainerService jobs over gRPC (fake training worker)', () => {
  let h: Harness;
  let root: string;
  beforeAll(async () => {
    h = await startHarness();
    root = join(h.dir, 'data');
    mkdirSync(root);
  });
  afterAll(async () => h.close());

  it('starts a job, streams its events to the end, and reports it done', async () => {
    const out = join(h.dir, 'out-1');
    const job = await unary(h.client, 'startTraining', baseRequest(root, out, { jobId: 'first', hyperparameters: { epochs: 3, copyPaste: undefined } }));
    expect(job).toMatchObject({ jobId: 'first', runId: 'run-20ms', step: 0, kind: StepKind.STEP_KIND_BASE, resumes: 0 });
    expect(job.effectiveHyperparameters).toMatchObject({ epochs: 3, batchSize: 2, learningRate: expect.closeTo(0.01, 6) });
    expect(job.effectiveModel).toEqual({ imageSize: 128, encoderWidth: 24, outputStride: 8, asppRates: [2, 4, 6], asppChannels: 64, embeddingDim: 64 });
    const events = await watchAll(h.client, 'first');
    expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i + 1));
    expect(statesOf(events)).toEqual([JobState.JOB_STATE_QUEUED, JobState.JOB_STATE_RUNNING, JobState.JOB_STATE_SUCCEEDED]);
    expect(checkpointsOf(events)).toEqual([1, 2, 3]);
    const checkpoint = events.find((e) => e.event?.$case === 'checkpoint')!;
    expect(checkpoint.event).toEqual({ $case: 'checkpoint', checkpoint: { epoch: 1, path: join(out, 'epoch-001') } });
    expect(events.every((e) => e.time instanceof Date)).toBe(true);
    const progress = events.find((e) => e.event?.$case === 'progress')!.event as Extract<TrainingEvent['event'], { $case: 'progress' }>;
    expect(progress.progress).toMatchObject({ epoch: 1, epochs: 3, iteration: 1, iterationsPerEpoch: 4, losses: { seg: 0.5 } });

    const done = await unary(h.client, 'getTraining', { jobId: 'first' });
    expect(done).toMatchObject({ state: JobState.JOB_STATE_SUCCEEDED, checkpoint: join(out, 'final'), error: '' });
    expect(done.updatedAt!.getTime()).toBeGreaterThanOrEqual(done.createdAt!.getTime());

    // Replay after a sequence number: only the later events, then the stream closes.
    const later = await watchAll(h.client, 'first', events.length - 3);
    expect(later).toEqual(events.slice(-3));
  });

  it('is idempotent on job_id: the same request returns the job, another one is ALREADY_EXISTS', async () => {
    const out = join(h.dir, 'out-2');
    const request = baseRequest(root, out, { jobId: 'twice' });
    const first = await unary(h.client, 'startTraining', request);
    const second = await unary(h.client, 'startTraining', request);
    expect(second.jobId).toBe('twice');
    expect(second.createdAt).toEqual(first.createdAt);
    const other = await statusOf(unary(h.client, 'startTraining', { ...request, hyperparameters: { epochs: 5, copyPaste: undefined } }));
    expect(other.code).toBe(grpc.status.ALREADY_EXISTS);
    expect(other.details).toMatch(/job "twice" already exists .* with a different request/);
    await watchAll(h.client, 'twice');
    expect((await unary(h.client, 'startTraining', request)).state).toBe(JobState.JOB_STATE_SUCCEEDED);
  });

  it('picks a job id when none is given', async () => {
    const job = await unary(h.client, 'startTraining', baseRequest(root, join(h.dir, 'out-3')));
    expect(job.jobId).toMatch(/^job-[0-9a-f-]{36}$/);
    expect(statesOf(await watchAll(h.client, job.jobId)).at(-1)).toBe(JobState.JOB_STATE_SUCCEEDED);
  });

  it('cancels a running job, keeps health SERVING while it trains, and answers NOT_FOUND for unknown jobs', async () => {
    const request = baseRequest(root, join(h.dir, 'out-4'), { jobId: 'to-cancel', runId: 'run-150ms', hyperparameters: { epochs: 50, copyPaste: undefined } });
    await unary(h.client, 'startTraining', request);
    const seen: TrainingEvent[] = [];
    for await (const event of serverStream(h.client, 'watchTraining', { jobId: 'to-cancel', afterSequence: 0 })) {
      seen.push(event);
      if (event.event?.$case === 'progress') break;
    }
    expect(await checkHealth(h.server.address)).toBe('SERVING');
    expect(await checkHealth(h.server.address, FMWISS_SERVICE_NAMES.trainer)).toBe('SERVING');
    const running = await unary(h.client, 'getTraining', { jobId: 'to-cancel' });
    expect(running.state).toBe(JobState.JOB_STATE_RUNNING);
    expect(running.progress?.epoch).toBe(1);

    await unary(h.client, 'cancelTraining', { jobId: 'to-cancel' });
    const events = await watchAll(h.client, 'to-cancel', seen.at(-1)!.sequence);
    expect(statesOf(events)).toEqual([JobState.JOB_STATE_CANCELLED]);
    const warnings = events.flatMap((e) => (e.event?.$case === 'warning' ? [e.event.warning] : []));
    expect(warnings[0]).toMatch(/^cancellation requested: cancelled by a CancelTraining call/);
    expect((await unary(h.client, 'cancelTraining', { jobId: 'to-cancel' })).state).toBe(JobState.JOB_STATE_CANCELLED);

    for (const call of [
      unary(h.client, 'getTraining', { jobId: 'missing' }),
      unary(h.client, 'cancelTraining', { jobId: 'missing' }),
      watchAll(h.client, 'missing'),
    ]) {
      const error = await statusOf(call);
      expect(error.code).toBe(grpc.status.NOT_FOUND);
      expect(error.details).toBe('no training job "missing"');
    }
    expect((await statusOf(unary(h.client, 'getTraining', { jobId: '' }))).code).toBe(grpc.status.INVALID_ARGUMENT);
  });
});
