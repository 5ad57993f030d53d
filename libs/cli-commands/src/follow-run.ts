// Following a run on the coordinator: WatchRun until the run ends (re-watching from the last
// sequence if the stream drops), then GetRun for the final state; and cancelling one.
import * as grpc from '@grpc/grpc-js';
import type { PipelineServiceClient, Run, RunEvent } from '@fmwiss/contracts';
import { serverStream, unary } from '@fmwiss/service-kit';
import { InterruptedError } from './exit-codes';
import { isTerminal } from './run-progress';

export interface FollowRunOptions {
  /** Aborting stops following (InterruptedError); it does not cancel the run. */
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  /** Events after this sequence are streamed (default 0: all). */
  afterSequence?: number;
  /** Times a dropped stream (UNAVAILABLE, or ended before the run) is re-opened. Default 8. */
  reconnects?: number;
  /** Wait before re-opening, doubled each time (default 500 ms). */
  reconnectDelayMs?: number;
}

const isStatus = (error: unknown, code: grpc.status): boolean => (error as { code?: unknown })?.code === code;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Resolves with the run once it has ended (SUCCEEDED, FAILED or CANCELLED). */
export async function followRun(client: PipelineServiceClient, runId: string, options: FollowRunOptions = {}): Promise<Run> {
  let after = options.afterSequence ?? 0;
  let reconnectsLeft = options.reconnects ?? 8;
  let delay = options.reconnectDelayMs ?? 500;
  for (;;) {
    try {
      const events = serverStream(client, 'watchRun', { runId, afterSequence: after }, { signal: options.signal, deadlineMs: Infinity });
      for await (const event of events) {
        after = Math.max(after, event.sequence);
        options.onEvent?.(event);
      }
      const run = await unary(client, 'getRun', { runId }, { deadlineMs: 30_000, signal: options.signal });
      if (isTerminal(run.state)) return run;
    } catch (error) {
      if (options.signal?.aborted) throw new InterruptedError();
      if (!isStatus(error, grpc.status.UNAVAILABLE) || reconnectsLeft <= 0) throw error;
    }
    if (options.signal?.aborted) throw new InterruptedError();
    if (reconnectsLeft <= 0) throw new Error(`the coordinator's event stream of run ${runId} kept ending before the run did`);
    reconnectsLeft -= 1;
    await sleep(delay, options.signal);
    delay = Math.min(delay * 2, 8000);
  }
}

/** Asks the coordinator to cancel the run and waits (up to `waitMs`) until it has ended; returns its last state. */
export async function cancelRun(client: PipelineServiceClient, runId: string, waitMs = 20_000): Promise<Run | undefined> {
  let run: Run;
  try {
    run = await unary(client, 'cancelRun', { runId }, { deadlineMs: 10_000 });
  } catch {
    return undefined;
  }
  const until = Date.now() + waitMs;
  while (!isTerminal(run.state) && Date.now() < until) {
    await sleep(250);
    try {
      run = await unary(client, 'getRun', { runId }, { deadlineMs: 5000 });
    } catch {
      return run;
    }
  }
  return run;
}

/** A gRPC error as one line: "NOT_FOUND: run x not found" (the status name, then the server's message). */
export function describeGrpcError(error: unknown): string {
  const status = error as { code?: number; details?: string; message?: string };
  if (typeof status?.code === 'number' && status.code in grpc.status) {
    return `${grpc.status[status.code]}: ${status.details || status.message || ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}
