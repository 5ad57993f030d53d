// Single flight with several interested callers: the first caller of a key starts the work, later
// ones join it and all get its result; each caller hears the work's notices while it waits. The work
// is aborted only when every caller has given up (with the last caller's reason); that caller's
// promise then settles once the work has stopped.

interface Flight<R, N> {
  promise: Promise<R>;
  controller: AbortController;
  listeners: Set<(notice: N) => void>;
}

export class SharedFlights<R, N> {
  private readonly flights = new Map<string, Flight<R, N>>();

  /** Whether work for `key` is under way. */
  has(key: string): boolean {
    return this.flights.has(key);
  }

  /**
   * Joins (or starts) the work for `key`. `work` gets an AbortSignal and a function that passes a
   * notice to every caller still waiting. `onJoin` is told whether this caller started the work.
   */
  async join(
    key: string,
    work: (signal: AbortSignal, notify: (notice: N) => void) => Promise<R>,
    caller: { signal: AbortSignal; onNotice?(notice: N): void; onJoin?(started: boolean): void },
  ): Promise<R> {
    caller.signal.throwIfAborted();
    let flight = this.flights.get(key);
    caller.onJoin?.(flight === undefined);
    if (!flight) {
      const controller = new AbortController();
      const listeners = new Set<(notice: N) => void>();
      const notify = (notice: N) => {
        for (const listener of listeners) listener(notice);
      };
      const started: Flight<R, N> = { promise: Promise.resolve(undefined as R), controller, listeners };
      started.promise = work(controller.signal, notify).finally(() => {
        if (this.flights.get(key) === started) this.flights.delete(key);
      });
      started.promise.catch(() => undefined);
      this.flights.set(key, started);
      flight = started;
    }
    const current = flight;
    const listener = (notice: N) => caller.onNotice?.(notice);
    current.listeners.add(listener);
    try {
      return await new Promise<R>((resolve, reject) => {
        const onAbort = () => {
          current.listeners.delete(listener);
          if (current.listeners.size > 0) return reject(caller.signal.reason);
          // The last caller left: stop the work and let it clean up (e.g. cancel a remote job) first.
          current.controller.abort(caller.signal.reason);
          current.promise.then(
            () => reject(caller.signal.reason),
            () => reject(caller.signal.reason),
          );
        };
        caller.signal.addEventListener('abort', onAbort, { once: true });
        current.promise.then(resolve, reject).finally(() => caller.signal.removeEventListener('abort', onAbort));
      });
    } finally {
      current.listeners.delete(listener);
    }
  }
}
