import * as grpc from '@grpc/grpc-js';

export interface RetrySchedule {
  /** Attempts in all, the first included. */
  attempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

/** The wait before retry number `retry` (1-based): initial * 2^(retry-1), capped. */
export function backoffMs(schedule: RetrySchedule, retry: number): number {
  return Math.min(schedule.maxBackoffMs, schedule.initialBackoffMs * 2 ** (retry - 1));
}

export function isUnavailable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === grpc.status.UNAVAILABLE;
}

export function statusText(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { code, details, message } = error as { code?: unknown; details?: unknown; message?: unknown };
    const name = typeof code === 'number' ? grpc.status[code] : undefined;
    const text = typeof details === 'string' && details ? details : typeof message === 'string' ? message : String(error);
    return name ? `${name}: ${text}` : text;
  }
  return String(error);
}

const abortable = (ms: number, signal: AbortSignal | undefined): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export interface RetryOptions {
  schedule: RetrySchedule;
  /** Told before every retry (e.g. a TrainingEvent.warning). */
  onRetry?(message: string): void;
  signal?: AbortSignal;
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

/**
 * Runs `attempt` until it succeeds, fails with something other than UNAVAILABLE, or the attempts
 * are spent; waits with exponential backoff between attempts. `what` names the call in messages.
 * The last error is rethrown with a message saying how often it was tried.
 */
export async function withRetries<T>(what: string, attempt: (attemptNumber: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { schedule } = options;
  const sleep = options.sleep ?? abortable;
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      if (!isUnavailable(error) || options.signal?.aborted) throw error;
      if (attemptNumber >= schedule.attempts) {
        const wrapped = new Error(`${what} failed after ${attemptNumber} attempt(s): ${statusText(error)}`, { cause: error });
        wrapped.name = 'MemoryBankUnavailableError';
        throw wrapped;
      }
      const wait = backoffMs(schedule, attemptNumber);
      options.onRetry?.(`${what}: ${statusText(error)}; retry ${attemptNumber} of ${schedule.attempts - 1} in ${wait} ms`);
      await sleep(wait, options.signal);
    }
  }
}
