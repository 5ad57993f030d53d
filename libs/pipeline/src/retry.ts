// Calls to other services with retries: a transient failure (UNAVAILABLE, DEADLINE_EXCEEDED, a call
// dropped by the server) is tried again after an exponential backoff, each retry reported; after the
// last attempt, or on any other failure, a ServiceCallError names the service, its address, the
// operation and the last error.
import * as grpc from '@grpc/grpc-js';

export interface RetryPolicy {
  /** Attempts in all, the first included (>= 1). */
  attempts: number;
  /** Wait before the first retry, in ms; doubled each retry up to maxMs. */
  initialMs: number;
  maxMs: number;
}

/** Which service a call goes to, for messages. */
export interface ServiceTarget {
  /** "clip-mask", "seed-refiner", "memory-bank" or "trainer". */
  service: string;
  address: string;
}

/** A call to another service failed for good. */
export class ServiceCallError extends Error {
  readonly service: string;
  readonly address: string;
  readonly operation: string;
  /** The gRPC status code of the last error, when it had one. */
  readonly code: grpc.status | undefined;
  readonly attempts: number;
  /** True when the attempts were spent on transient failures (the service was unreachable). */
  readonly exhausted: boolean;

  constructor(target: ServiceTarget, operation: string, lastError: unknown, attempts: number, exhausted: boolean) {
    const what = describeError(lastError);
    const message = exhausted
      ? `${target.service} at ${target.address} is unreachable: ${operation} failed ${attempts} time(s), last with ${what}`
      : `${target.service} at ${target.address}: ${operation} failed with ${what}`;
    super(message, { cause: lastError });
    this.name = 'ServiceCallError';
    this.service = target.service;
    this.address = target.address;
    this.operation = operation;
    this.code = statusCodeOf(lastError);
    this.attempts = attempts;
    this.exhausted = exhausted;
  }
}

/** The gRPC status code of an error, if it carries one. */
export function statusCodeOf(error: unknown): grpc.status | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'number' && Number.isInteger(code) && code >= 0 && code <= 16 ? code : undefined;
}

/** "UNAVAILABLE: No connection established" for a status error, else the message. */
export function describeError(error: unknown): string {
  const code = statusCodeOf(error);
  if (code !== undefined) {
    const details = (error as { details?: unknown }).details;
    const text = typeof details === 'string' && details !== '' ? details : error instanceof Error ? error.message : '';
    return `${grpc.status[code]}: ${text}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * Whether a failure is transient: UNAVAILABLE (server down, restarting, refusing calls while it
 * stops), DEADLINE_EXCEEDED, or CANCELLED / INTERNAL that we did not cause (a stream dropped when the
 * server went away; `ownSignal` tells our own cancellation apart).
 */
export function isTransient(error: unknown, ownSignal?: AbortSignal): boolean {
  if (ownSignal?.aborted) return false;
  const code = statusCodeOf(error);
  if (code === grpc.status.UNAVAILABLE || code === grpc.status.DEADLINE_EXCEEDED || code === grpc.status.CANCELLED) return true;
  if (code === grpc.status.INTERNAL) {
    const details = String((error as { details?: unknown }).details ?? '');
    return /RST_STREAM|Connection dropped|stream closed|ECONNRESET|socket hang up/i.test(details);
  }
  return false;
}

/** The backoff before retry number `retry` (1-based): initial * 2^(retry-1), at most maxMs. */
export function backoffMs(policy: RetryPolicy, retry: number): number {
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, retry - 1));
}

/** Resolves after `ms`, or rejects with the signal's reason once it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryHooks {
  /** Aborting stops waiting and retrying; the abort reason is thrown. */
  signal?: AbortSignal;
  /** Told before each retry, with a sentence a person can read. */
  onRetry?(message: string, error: unknown): void;
  /** Decides what is transient (default isTransient). */
  transient?(error: unknown): boolean;
}

/**
 * Runs `call(attempt)` (attempt 1, 2, ...) until it succeeds, retrying transient failures with
 * exponential backoff; throws ServiceCallError when the attempts are spent or a failure is not
 * transient, and the signal's reason when aborted.
 */
export async function withRetries<T>(
  target: ServiceTarget,
  operation: string,
  policy: RetryPolicy,
  call: (attempt: number) => Promise<T>,
  hooks: RetryHooks = {},
): Promise<T> {
  const { signal } = hooks;
  const transient = hooks.transient ?? ((error: unknown) => isTransient(error, signal));
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw signal.reason;
    try {
      return await call(attempt);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (!transient(error)) throw new ServiceCallError(target, operation, error, attempt, false);
      if (attempt >= policy.attempts) throw new ServiceCallError(target, operation, error, attempt, true);
      const wait = backoffMs(policy, attempt);
      hooks.onRetry?.(
        `${target.service} at ${target.address}: ${operation} failed with ${describeError(error)}; ` +
          `retrying in ${wait} ms (attempt ${attempt + 1} of ${policy.attempts})`,
        error,
      );
      await sleep(wait, signal);
    }
  }
}
