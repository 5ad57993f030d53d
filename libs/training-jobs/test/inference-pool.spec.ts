import * as grpc from '@grpc/grpc-js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferencePool } from '../src/lib/inference/inference-pool';

const FAKE = join(__dirname, 'fixtures/fake-inference-worker.ts');

describe('InferencePool (fake inference worker)', () => {
  let dir: string;
  let checkpoint: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'inference-pool-'));
    checkpoint = join(dir, 'final');
    mkdirSync(checkpoint);
    writeFileSync(join(checkpoint, 'manifest.json'), JSON.stringify({ metadata: { classes: [{ id: 5, name: 'bottle' }] } }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const task = (batchSize?: number) => ({
    checkpoint,
    data: { format: 'voc' as const, root: dir, split: 'val' },
    baseClassIds: [5],
    newClassIds: [],
    includeConfusion: false,
    ...(batchSize ? { batchSize } : {}),
  });

  it('runs calls one at a time per worker, refuses beyond its queue, and drops cancelled calls', async () => {
    const pool = new InferencePool({ workers: 1, modelCacheSize: 1, backend: 'cpu', maxQueue: 1, workerModule: FAKE });
    try {
      const progress: number[] = [];
      const slow = pool.evaluate(task(1), (done) => progress.push(done)); // about 1 s in the fake
      const controller = new AbortController();
      const queued = pool.evaluate(task(), () => undefined, controller.signal);
      await expect(pool.evaluate(task(), () => undefined)).rejects.toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED });
      expect(pool.counts()).toEqual({ queued: 1, running: 1, workers: 1 });
      controller.abort();
      await expect(queued).rejects.toMatchObject({ code: grpc.status.CANCELLED });
      expect(pool.counts().queued).toBe(0);
      const summary = await slow;
      expect(summary.classes.map((c) => c.classId)).toEqual([0, 5]);
      expect(progress).toEqual([2, 4, 6, 8, 10]);

      // A running call that is cancelled is told to stop in its worker; the next call still runs.
      const stop = new AbortController();
      const seen: number[] = [];
      const running = pool.evaluate(task(1), (done) => (seen.push(done), stop.abort()), stop.signal);
      await expect(running).rejects.toMatchObject({ code: grpc.status.CANCELLED });
      const next = await pool.evaluate(task(), () => undefined);
      expect(next.images).toBe(10);
      expect(seen).toEqual([2]); // the worker stopped at its next step
    } finally {
      await pool.close();
    }
    await expect(pool.evaluate(task(), () => undefined)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
  });
});
