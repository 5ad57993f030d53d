import { parentPort } from 'node:worker_threads';
import { runChunk, type ChunkJob } from './chunk';

/**
 * Worker-thread entry: receives ChunkJobs one at a time and answers each with
 * `{ ok: true, result }` or `{ ok: false, error }` (a message).
 */
if (!parentPort) throw new Error('worker.ts must run in a worker thread');
const port = parentPort;
port.on('message', (job: ChunkJob) => {
  runChunk(job).then(
    (result) => port.postMessage({ ok: true, result }),
    (error: unknown) => port.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});
