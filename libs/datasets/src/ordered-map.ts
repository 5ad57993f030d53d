/**
 * Maps `items` through the async `fn`, yielding results in input order with at most `concurrency`
 * calls running or finished-but-not-yet-yielded at any time. With the item the consumer still holds,
 * at most `concurrency + 1` results are alive, so a dataset is streamed, never loaded whole.
 * A rejected call is thrown at its place in the order; calls already started after it are awaited
 * silently (their results dropped) so no rejection goes unhandled.
 */
export async function* mapOrdered<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<R, void, undefined> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  const pending: Promise<R>[] = [];
  let next = 0;
  try {
    while (next < items.length || pending.length > 0) {
      while (pending.length < concurrency && next < items.length) {
        const started = fn(items[next++]);
        started.catch(() => undefined); // observed; rethrown in order below
        pending.push(started);
      }
      const head = pending.shift() as Promise<R>;
      yield await head;
    }
  } finally {
    // Early exit (break, error): let the prefetched calls settle before returning.
    await Promise.allSettled(pending);
  }
}
