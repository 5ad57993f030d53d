import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { runChunk, type ChunkJob, type ChunkResult } from './chunk';

type WorkerReply = { ok: true; result: ChunkResult } | { ok: false; error: string };

/**
 * Starts a worker running worker.ts (or worker.js once compiled). TypeScript sources run through tsx's
 * CommonJS hook, loaded inside the worker, which works the same under the tsx CLI and under jest.
 */
export function startWorker(): Worker {
  const ts = join(__dirname, 'worker.ts');
  if (existsSync(ts)) {
    const hook = require.resolve('tsx/cjs');
    return new Worker(`require(${JSON.stringify(hook)}); require(${JSON.stringify(ts)});`, { eval: true, execArgv: [] });
  }
  return new Worker(join(__dirname, 'worker.js'));
}

/**
 * Runs every job and returns the results in job order. `workers` = 0 runs them in this thread (the
 * same code path a worker runs, without threads); otherwise up to `workers` threads take jobs as they
 * free up. `onDone(job)` is called as each job finishes (progress).
 */
export async function runJobs(jobs: readonly ChunkJob[], workers: number, onDone: (job: ChunkJob) => void = () => {}): Promise<ChunkResult[]> {
  const results = new Array<ChunkResult>(jobs.length);
  if (workers <= 0) {
    for (let i = 0; i < jobs.length; i++) {
      results[i] = await runChunk(jobs[i]!);
      onDone(jobs[i]!);
    }
    return results;
  }
  let next = 0;
  const threads = Array.from({ length: Math.min(workers, jobs.length) }, () => startWorker());
  try {
    await Promise.all(
      threads.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            let current = -1;
            let finished = false;
            const take = (): void => {
              if (next >= jobs.length) {
                finished = true;
                resolve();
                return;
              }
              current = next++;
              worker.postMessage(jobs[current]);
            };
            worker.on('message', (reply: WorkerReply) => {
              if (!reply.ok) {
                reject(new Error(reply.error));
                return;
              }
              results[current] = reply.result;
              onDone(jobs[current]!);
              take();
            });
            worker.on('error', reject);
            worker.on('exit', (code) => {
              if (!finished) reject(new Error(`a worker thread stopped early (exit code ${code})`));
            });
            take();
          }),
      ),
    );
  } finally {
    await Promise.all(threads.map((t) => t.terminate()));
  }
  return results;
}
