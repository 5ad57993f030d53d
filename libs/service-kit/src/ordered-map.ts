// Working on the items of a request stream a few at a time while answering in request order: what
// a streaming RPC over many images needs so that one slow image does not idle the model.
import type { CallContext } from './call-context';
import { toStatusError, type StatusError } from './errors';
import type { Send } from './handlers';

/**
 * Applies `work` to every item of `source` with at most `concurrency` calls running at once, and
 * yields the results in source order. `work` must not throw for one item if the stream should go on:
 * turn per-item failures into values. A throw (or a failing source) ends the iteration with that
 * error once the results before it have been yielded. Items are read from `source` only while fewer
 * than `concurrency` results wait, so a fast client cannot queue unbounded work. `source` may be an
 * array (or any iterable).
 */
export async function* orderedConcurrentMap<T, R>(
  source: AsyncIterable<T> | Iterable<T>,
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): AsyncGenerator<R> {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
  const iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : toAsync(source)[Symbol.asyncIterator]();
  const pending: Promise<R>[] = [];
  let index = 0;
  let done = false;
  try {
    while (true) {
      while (!done && pending.length < concurrency) {
        const next = await iterator.next();
        if (next.done) done = true;
        else {
          const result = work(next.value, index++);
          result.catch(() => undefined); // awaited in order below; avoid an unhandled rejection meanwhile
          pending.push(result);
        }
      }
      const head = pending.shift();
      if (head === undefined) return;
      yield await head;
    }
  } finally {
    // Early exit (break, error): stop reading the source and let started calls settle.
    if (!done) await iterator.return?.();
    await Promise.allSettled(pending);
  }
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}

/**
 * The body of a streaming RPC whose items fail alone: each request goes through `work` (at most
 * `concurrency` at once), responses are sent in request order, and a request whose work throws is
 * answered by `failed(request, status)` (the status as a client would see it; logged as a warning)
 * while the stream goes on.
 */
export async function answerEachInOrder<Req, Res>(options: {
  requests: AsyncIterable<Req>;
  ctx: CallContext;
  send: Send<Res>;
  concurrency: number;
  work: (request: Req) => Promise<Res>;
  failed: (request: Req, status: StatusError) => Res;
  /** Extra fields of the warning logged for a failed item (e.g. `{ imageId }`). */
  logFields?: (request: Req) => Record<string, unknown>;
}): Promise<void> {
  const { ctx } = options;
  const responses = orderedConcurrentMap(options.requests, options.concurrency, async (request) => {
    try {
      return await options.work(request);
    } catch (error) {
      const status = toStatusError(error, ctx.requestId);
      ctx.logger.warn({ ...options.logFields?.(request), code: status.code, details: status.details, err: error }, 'stream item failed');
      return options.failed(request, status);
    }
  });
  for await (const response of responses) await options.send(response);
}
