// Typed application errors, each carrying the precise gRPC status code a client should see,
// and the one function that turns anything a handler throws into a gRPC status.
import * as grpc from '@grpc/grpc-js';

export interface AppErrorOptions {
  cause?: unknown;
}

/** An error a handler throws on purpose: its code and message reach the client unchanged. */
export class AppError extends Error {
  readonly code: grpc.status;

  constructor(code: grpc.status, message: string, options?: AppErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad input from the caller (a malformed field, an out-of-domain value). */
export class InvalidArgumentError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super(grpc.status.INVALID_ARGUMENT, message, options);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super(grpc.status.NOT_FOUND, message, options);
  }
}

export class AlreadyExistsError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super(grpc.status.ALREADY_EXISTS, message, options);
  }
}

/** The system is not in the state the call needs (e.g. a model not loaded yet). */
export class FailedPreconditionError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super(grpc.status.FAILED_PRECONDITION, message, options);
  }
}

/** A queue, quota or memory budget is full; the caller may retry later. */
export class ResourceExhaustedError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super(grpc.status.RESOURCE_EXHAUSTED, message, options);
  }
}

export class OutOfRangeError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super(grpc.status.OUT_OF_RANGE, message, options);
  }
}

/** Transient: the caller may retry (clients made by createClient do). */
export class UnavailableError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super(grpc.status.UNAVAILABLE, message, options);
  }
}

export class AbortedError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super(grpc.status.ABORTED, message, options);
  }
}

export class DeadlineExceededError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super(grpc.status.DEADLINE_EXCEEDED, message, options);
  }
}

export class PermissionDeniedError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super(grpc.status.PERMISSION_DENIED, message, options);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super(grpc.status.UNAUTHENTICATED, message, options);
  }
}

export class UnimplementedError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super(grpc.status.UNIMPLEMENTED, message, options);
  }
}

/** An invariant broke. The message reaches the client, so keep secrets out of it. */
export class InternalError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super(grpc.status.INTERNAL, message, options);
  }
}

/** The call was cancelled (by the client, or because the server is stopping). */
export class CancelledError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super(grpc.status.CANCELLED, message, options);
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** What a server sends back for a failed call. */
export interface StatusError {
  code: grpc.status;
  details: string;
}

/** A grpc-js ServiceError (or anything shaped like one), e.g. the failure of a downstream call. */
function isStatusLike(err: unknown): err is { code: number; details?: unknown; message?: unknown } {
  if (typeof err !== 'object' || err === null || !('code' in err)) return false;
  const code = (err as { code: unknown }).code;
  return typeof code === 'number' && Number.isInteger(code) && code > grpc.status.OK && code <= grpc.status.UNAUTHENTICATED;
}

/**
 * Maps a thrown value to the status sent to the client:
 * - an AppError keeps its code and message;
 * - a ServiceError-like value with a numeric code (a downstream call failed) keeps code and details;
 * - anything else becomes INTERNAL with a message pointing at the server log (never UNKNOWN, never a stack).
 */
export function toStatusError(err: unknown, requestId: string): StatusError {
  if (isAppError(err)) return { code: err.code, details: err.message };
  if (isStatusLike(err)) {
    const details = typeof err.details === 'string' ? err.details : typeof err.message === 'string' ? err.message : '';
    return { code: err.code, details };
  }
  return { code: grpc.status.INTERNAL, details: `internal error (request id ${requestId}); see the server log` };
}
