import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JobState, type StartTrainingRequest, type TrainingEvent } from '@fmwiss/contracts';
import { serverStream, startChildService, unary } from '@fmwiss/service-kit';
import { baseRequest, checkpointsOf, RED_GREEN, statesOf, trainerClient, watchAll } from './harness';
import { TINY_MODEL, writeTinyVoc } from './tiny-voc';

const ENTRY = join(__dirname, '../src/main.ts');
const EPOCHS = 5;

/**
 * kill -9 of a trainer process while it trains a real step (step-training, wasm, a tiny model on a
 * tiny dataset): a new trainer on the same state dir resumes the job (resumes = 1) from its last
 * epoch checkpoint, redoes no epoch whose checkpoint was recorded, ends SUCCEEDED, and its final
 * weights equal those of the same step trained without interruption.
 */
describe('trainer after kill -9 during a training job', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'trainer-kill9-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('resumes the job from its last checkpoint and loses at most one epoch', async () => {
    const voc = await writeTinyVoc(dir, Array.from({ length: 24 }, (_, i) => (i % 3 === 0 ? [1, 2] : i % 3 === 1 ? [1] : [2])));
    const stateDir = join(dir, 'state');
    const args = ['--port', '0', '--state-dir', stateDir, '--backend', 'wasm', '--progress-interval-ms', '0'];
    const request = (jobId: string, outputDir: string): StartTrainingRequest =>
      baseRequest(voc.root, outputDir, {
        jobId,
        runId: 'kill9',
        newClasses: RED_GREEN,
        hyperparameters: { epochs: EPOCHS, batchSize: 2, learningRate: 0.05, scaleMin: 0.9, scaleMax: 1.1, seed: 3, copyPaste: undefined },
        model: TINY_MODEL,
      });

    const first = await startChildService({ entry: ENTRY, args, startTimeoutMs: 60_000 });
    const client = trainerClient(first.port);
    const out = join(dir, 'out');
    await unary(client, 'startTraining', request('job', out));
    const before: TrainingEvent[] = [];
    const streamEnded = (async () => {
      try {
        for await (const event of serverStream(client, 'watchTraining', { jobId: 'job', afterSequence: 0 }, { deadlineMs: 120_000 })) {
          before.push(event);
          if (event.event?.$case === 'checkpoint') first.process.kill('SIGKILL');
        }
        return 'end';
      } catch (error) {
        return `error: ${(error as Error).message}`;
      }
    })();
    expect(await first.exited).toBeNull(); // killed by the signal
    expect(await streamEnded).toMatch(/^error: /);
    client.close();
    const recordedBefore = checkpointsOf(before);
    expect(recordedBefore.length).toBeGreaterThanOrEqual(1);
    expect(statesOf(before)).toEqual([JobState.JOB_STATE_QUEUED, JobState.JOB_STATE_RUNNING]);

    const second = await startChildService({ entry: ENTRY, args, startTimeoutMs: 60_000 });
    const client2 = trainerClient(second.port);
    try {
      // An uninterrupted run of the same step, queued behind the resumed one.
      await unary(client2, 'startTraining', request('reference', join(dir, 'reference')));
      const events = await watchAll(client2, 'job');
      const job = await unary(client2, 'getTraining', { jobId: 'job' });
      expect(job).toMatchObject({ state: JobState.JOB_STATE_SUCCEEDED, resumes: 1, checkpoint: join(out, 'final') });

      // The replay holds the first trainer's events, then the restart, then the resumed run.
      const restart = events.findIndex((e) => e.event?.$case === 'warning' && /trainer restarted with the job RUNNING/.test(e.event.warning));
      expect(restart).toBeGreaterThan(0);
      const lastBefore = Math.max(...checkpointsOf(events.slice(0, restart)));
      expect(lastBefore).toBeGreaterThanOrEqual(Math.max(...recordedBefore));
      const after = events.slice(restart);
      expect(statesOf(after)).toEqual([JobState.JOB_STATE_QUEUED, JobState.JOB_STATE_RUNNING, JobState.JOB_STATE_SUCCEEDED]);
      const epochsAfter = checkpointsOf(after);
      // No epoch whose checkpoint was recorded is trained again; the epoch cut by the kill may be.
      expect(Math.min(...epochsAfter)).toBeGreaterThanOrEqual(lastBefore + 1);
      expect(Math.max(...epochsAfter)).toBe(EPOCHS);
      const progressAfter = after.flatMap((e) => (e.event?.$case === 'progress' && e.event.progress.phase !== 1 ? [e.event.progress.epoch] : []));
      expect(Math.min(...progressAfter)).toBeGreaterThanOrEqual(lastBefore + 1);
      const resumed = after.flatMap((e) => (e.event?.$case === 'warning' ? [/^resumed from the checkpoint of epoch (\d+)/.exec(e.event.warning)] : [])).find(Boolean);
      const resumedFrom = Number(resumed![1]);
      expect(resumedFrom).toBeGreaterThanOrEqual(lastBefore);
      expect(resumedFrom).toBeLessThanOrEqual(lastBefore + 1);
      expect(readdirSync(out)).toEqual(expect.arrayContaining([`epoch-${String(EPOCHS).padStart(3, '0')}`, 'final']));

      // Same weights as the uninterrupted run (the data order of epoch e depends on (seed, e) alone).
      expect(statesOf(await watchAll(client2, 'reference')).at(-1)).toBe(JobState.JOB_STATE_SUCCEEDED);
      const weights = (folder: string) => (JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as { files: Record<string, { sha256: string }> }).files;
      expect(weights(join(out, 'final'))['weights.bin']).toEqual(weights(join(dir, 'reference', 'final'))['weights.bin']);
    } finally {
      client2.close();
      second.process.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
  });
});
