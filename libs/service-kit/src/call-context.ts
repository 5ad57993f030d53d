// The per-call context a handler receives: request id, logger, metadata, deadline and an
// AbortSignal that fires when the client cancels or the deadline passes.
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { CancelledError, DeadlineExceededError } from './errors';

export const REQUEST_ID_HEADER = 'x-request-id';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface CallContext {
  /** From the caller's `x-request-id` if sane, else a random UUID; echoed in response metadata. */
  readonly requestId: string;
  /** Full method name, e.g. `fmwiss.v1.MemoryBankService/AddExemplars`. */
  readonly method: string;
  /** Child logger carrying requestId and method. */
  readonly logger: Logger;
  readonly metadata: grpc.Metadata;
  readonly deadline: Date | undefined;
  /** Aborted when the client cancels, the deadline passes or the server force-stops; `reason` is a CancelledError or DeadlineExceededError. */
  readonly signal: AbortSignal;
  readonly peer: string;
}

/** The parts of a grpc-js server call a context is built from (all four call shapes have them). */
export interface ServerCallLike {
  readonly metadata: grpc.Metadata;
  readonly cancelled: boolean;
  getDeadline(): grpc.Deadline;
  getPeer(): string;
  sendMetadata(metadata: grpc.Metadata): void;
  on(event: 'cancelled', listener: () => void): unknown;
  off(event: 'cancelled', listener: () => void): unknown;
}

/** The request id to use for a call: the caller's if it is sane, else a fresh UUID. */
export function requestIdFrom(metadata: grpc.Metadata): string {
  const [value] = metadata.get(REQUEST_ID_HEADER);
  return typeof value === 'string' && SANE_REQUEST_ID.test(value) ? value : randomUUID();
}

function deadlineOf(call: ServerCallLike): Date | undefined {
  const deadline = call.getDeadline();
  if (deadline instanceof Date) return deadline;
  return Number.isFinite(deadline) ? new Date(deadline) : undefined;
}

/** grpc-js fires its deadline timer at the deadline, give or take a timer tick. */
const DEADLINE_SLACK_MS = 5;

export interface OpenedCall {
  readonly ctx: CallContext;
  /** True once the call ended from the client's point of view before the handler answered. */
  cancelled(): boolean;
  /** The status the client saw for a cancelled call: DEADLINE_EXCEEDED or CANCELLED. */
  cancelCode(): grpc.status;
  /** Stops watching for cancellation: call when the handler's answer has been handed to grpc-js. */
  settle(): void;
}

/**
 * Builds the context of one call and sends the initial metadata (with `x-request-id`).
 * grpc-js emits 'cancelled' after every call ends (even a successful one), so callers `settle()`
 * before answering and only a 'cancelled' that comes first counts as a cancellation.
 */
export function openCall(call: ServerCallLike, method: string, logger: Logger): OpenedCall {
  const requestId = requestIdFrom(call.metadata);
  const deadline = deadlineOf(call);
  const controller = new AbortController();
  let settled = false;
  let cancelCode: grpc.status = grpc.status.CANCELLED;

  const onCancelled = () => {
    if (settled || controller.signal.aborted) return;
    const pastDeadline = deadline !== undefined && Date.now() >= deadline.getTime() - DEADLINE_SLACK_MS;
    cancelCode = pastDeadline ? grpc.status.DEADLINE_EXCEEDED : grpc.status.CANCELLED;
    controller.abort(
      pastDeadline ? new DeadlineExceededError('deadline exceeded') : new CancelledError('call cancelled by the client'),
    );
  };
  call.on('cancelled', onCancelled);
  if (call.cancelled) onCancelled();

  const responseMetadata = new grpc.Metadata();
  responseMetadata.set(REQUEST_ID_HEADER, requestId);
  call.sendMetadata(responseMetadata);

  const ctx: CallContext = {
    requestId,
    method,
    logger: logger.child({ requestId, method }),
    metadata: call.metadata,
    deadline,
    signal: controller.signal,
    peer: call.getPeer(),
  };
  return {
    ctx,
    cancelled: () => controller.signal.aborted,
    cancelCode: () => cancelCode,
    settle: () => {
      settled = true;
      call.off('cancelled', onCancelled);
    },
  };
}
