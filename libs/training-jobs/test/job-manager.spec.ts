import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { JobState } from '@fmwiss/contracts';
import type { JobManager } from '../src/lib/job-manager';
import { checkpointEpochs, collect, openManager, startFake, states, tempDir, waitForEvent } from './helpers';

const { QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED } = {
  QUEUED: JobState.JOB_STATE_QUEUED,
  RUNNING: JobState.JOB_STATE_RUNNING,
  SUCCEEDED: JobState.JOB_STATE_SUCCEEDED,
  FAILED: JobState.JOB_STATE_FAILED,
  CANCELLED: JobState.JOB_STATE_CANCELLED,
};

describe('JobManager with a fake training worker', () => {
  let dir: string;
  let manager: JobManager;
  beforeAll(() => {
    dir = tempDir('training-jobs');
  });
  afterEach(async () => manager?.close());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a job to SUCCEEDED, records its events in order and persists them', async () => {
    const stateDir = join(dir, 'lifecycle');
    manager = openManager(stateDir);
    const out = join(dir, 'lifecycle-out');
    const { job, created } = startFake(manager, 'job-1', 'run-warn', out, 3);
    expect(created).toBe(true);
    expect([QUEUED, RUNNING]).toContain(job.state); // it starts at once: nothing else runs
    const events = await collect(manager, 'job-1');
    expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i + 1));
    expect(states(events)).toEqual([QUEUED, RUNNING, SUCCEEDED]);
    expect(checkpointEpochs(events)).toEqual([1, 2, 3]);
    expect(events.filter((e) => e.event?.$case === 'warning').map((e) => (e.event as { warning: string }).warning)).toEqual([
      'epoch 1: one image skipped',
      'epoch 2: one image skipped',
      'epoch 3: one image skipped',
    ]);
    // Throttled: 4 iterations per epoch at 20 ms, so the first and the last of each epoch only.
    const progress = events.flatMap((e) => (e.event?.$case === 'progress' ? [e.event.progress] : []));
    expect(progress.map((p) => `${p.epoch}.${p.iteration}`)).toEqual(['1.1', '1.4', '2.1', '2.4', '3.1', '3.4']);

    const done = manager.get('job-1');
    expect(done.state).toBe(SUCCEEDED);
    expect(done.checkpoint).toBe(join(out, 'final'));
    expect(done.progress?.epoch).toBe(3);
    expect(done.effectiveModel?.imageSize).toBe(32);
    expect(existsSync(join(out, 'final', 'manifest.json'))).toBe(true);

    // On disk: job.json holds the final state, events.jsonl the same events.
    const jobDir = join(stateDir, 'jobs', 'job-1');
    const record = JSON.parse(readFileSync(join(jobDir, 'job.json'), 'utf8')) as { job: { state: string; checkpoint: string } };
    expect(record.job.state).toBe('JOB_STATE_SUCCEEDED');
    const lines = readFileSync(join(jobDir, 'events.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(events.length);

    // A watch of an ended job replays from the sequence asked and ends.
    const tail = await collect(manager, 'job-1', events.length - 2);
    expect(tail.map((e) => e.sequence)).toEqual([events.length - 1, events.length]);
    expect(await collect(manager, 'job-1', events.length)).toEqual([]);
  });

  it('returns the job for the same request and refuses another request under the same id', async () => {
    manager = openManager(join(dir, 'idempotent'));
    const out = join(dir, 'idempotent-out');
    const first = startFake(manager, 'same', 'run-a', out, 1);
    const again = startFake(manager, 'same', 'run-a', out, 1);
    expect(again.created).toBe(false);
    expect(again.job.jobId).toBe(first.job.jobId);
    expect(() => startFake(manager, 'same', 'run-b', out, 1)).toThrow(expect.objectContaining({ code: grpc.status.ALREADY_EXISTS }));
    await collect(manager, 'same');
    expect(startFake(manager, 'same', 'run-a', out, 1).job.state).toBe(SUCCEEDED);
  });

  it('queues beyond max concurrent jobs and cancels queued and running jobs', async () => {
    manager = openManager(join(dir, 'queue'));
    startFake(manager, 'slow', 'run-200ms', join(dir, 'queue-slow'), 20);
    startFake(manager, 'waiting', 'run-w', join(dir, 'queue-waiting'), 1);
    startFake(manager, 'last', 'run-l', join(dir, 'queue-last'), 1);
    expect(manager.counts()).toEqual({ queued: 2, running: 1 });
    expect(manager.get('waiting').state).toBe(QUEUED);

    expect(manager.cancel('waiting').state).toBe(CANCELLED);
    await waitForEvent(manager, 'slow', (e) => e.event?.$case === 'progress');
    expect(manager.cancel('slow').state).toBe(RUNNING); // asked; it stops at its next iteration
    const slow = await collect(manager, 'slow');
    expect(states(slow)).toEqual([QUEUED, RUNNING, CANCELLED]);
    expect(manager.cancel('slow').state).toBe(CANCELLED); // unchanged once ended

    // The queue moves on: the third job runs and succeeds.
    expect(states(await collect(manager, 'last'))).toEqual([QUEUED, RUNNING, SUCCEEDED]);
    expect(states(await collect(manager, 'waiting'))).toEqual([QUEUED, CANCELLED]);
  });

  it('fails a job whose worker thread dies, with the reason, and one whose step refuses', async () => {
    manager = openManager(join(dir, 'failures'), { maxConcurrentJobs: 2 });
    startFake(manager, 'dies', 'run-crash-epoch-2', join(dir, 'failures-dies'), 3);
    startFake(manager, 'refused', 'run-throw-precondition', join(dir, 'failures-refused'), 3);
    const dies = await collect(manager, 'dies');
    expect(states(dies)).toEqual([QUEUED, RUNNING, FAILED]);
    expect(checkpointEpochs(dies)).toEqual([1]);
    expect(manager.get('dies').error).toMatch(/training worker stopped unexpectedly \(thread exit code 7\)/);
    expect(manager.get('dies').checkpoint).toMatch(/epoch-001$/);
    await collect(manager, 'refused');
    expect(manager.get('refused').error).toBe('a precondition of the step does not hold: pseudo labels missing for image 7');
  });

  it('answers NOT_FOUND for unknown jobs and INVALID_ARGUMENT for a negative after_sequence', () => {
    manager = openManager(join(dir, 'unknown'));
    expect(() => manager.get('nope')).toThrow(expect.objectContaining({ code: grpc.status.NOT_FOUND }));
    expect(() => manager.cancel('nope')).toThrow(expect.objectContaining({ code: grpc.status.NOT_FOUND }));
    expect(() => manager.watch('nope', 0)).toThrow(expect.objectContaining({ code: grpc.status.NOT_FOUND }));
    startFake(manager, 'x', 'run-x', join(dir, 'unknown-x'), 1);
    expect(() => manager.watch('x', -1)).toThrow(expect.objectContaining({ code: grpc.status.INVALID_ARGUMENT }));
  });

  it('resumes jobs left RUNNING and QUEUED by a stopped trainer, from their last checkpoint', async () => {
    const stateDir = join(dir, 'resume');
    manager = openManager(stateDir);
    const out = join(dir, 'resume-out');
    startFake(manager, 'long', 'run-60ms', out, 4);
    startFake(manager, 'behind', 'run-b', join(dir, 'resume-behind'), 1);
    await waitForEvent(manager, 'long', (e) => e.event?.$case === 'checkpoint');
    // A second trainer may not open the same state dir meanwhile.
    expect(() => openManager(stateDir)).toThrow(expect.objectContaining({ code: grpc.status.FAILED_PRECONDITION }));
    const watching = collect(manager, 'long');
    await manager.close();
    await expect(watching).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE, message: expect.stringMatching(/the trainer is shutting down; watch job "long" again after sequence \d+/) });
    expect(JSON.parse(readFileSync(join(stateDir, 'jobs', 'long', 'job.json'), 'utf8')).job.state).toBe('JOB_STATE_RUNNING');

    manager = openManager(stateDir);
    expect(manager.get('long')).toMatchObject({ resumes: 1, state: RUNNING });
    expect(manager.get('behind')).toMatchObject({ resumes: 1, state: QUEUED });
    const events = await collect(manager, 'long');
    expect(states(events)).toEqual([QUEUED, RUNNING, QUEUED, RUNNING, SUCCEEDED]);
    const epochs = checkpointEpochs(events);
    expect(epochs).toEqual([...epochs].sort((a, b) => a - b).filter((e, i, all) => all.indexOf(e) === i));
    expect(epochs.at(-1)).toBe(4);
    const warnings = events.flatMap((e) => (e.event?.$case === 'warning' ? [e.event.warning] : []));
    expect(warnings.some((w) => /trainer restarted with the job RUNNING; it is queued again \(resume 1\)/.test(w))).toBe(true);
    expect(warnings.some((w) => /^resumed from the checkpoint of epoch \d/.test(w))).toBe(true);
    expect(states(await collect(manager, 'behind'))).toEqual([QUEUED, QUEUED, RUNNING, SUCCEEDED]);
  });

  it('gives an ended job the final state event its log lacks after a crash between job.json and events.jsonl', async () => {
    const stateDir = join(dir, 'repair');
    manager = openManager(stateDir);
    startFake(manager, 'done', 'run-1ms', join(dir, 'repair-out'), 1);
    const events = await collect(manager, 'done');
    await manager.close();
    const path = join(stateDir, 'jobs', 'done', 'events.jsonl');
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    writeFileSync(path, `${lines.slice(0, -1).join('\n')}\n`); // the SUCCEEDED event never made it
    manager = openManager(stateDir);
    const repaired = await collect(manager, 'done');
    expect(repaired).toHaveLength(events.length);
    expect(repaired.at(-1)!.event).toEqual({ $case: 'state', state: SUCCEEDED });
  });
});
