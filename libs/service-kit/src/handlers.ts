// Turns a service's async handlers into grpc-js handlers: one call context per call, thrown
// errors mapped to precise status codes, cancellation honoured, one log line per call.
import type { Readable, Writable } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { openCall, type CallContext, type OpenedCall } from './call-context';
import { CancelledError, toStatusError } from './errors';

/** Sends one response on a streaming call; waits while the transport is full; rejects with CancelledError once the call is over. */
export type Send<Res> = (response: Res) => Promise<void>;

export type UnaryHandler<Req, Res> = (request: Req, ctx: CallContext) => Promise<Res>;
export type ServerStreamingHandler<Req, Res> = (request: Req, ctx: CallContext, send: Send<Res>) => Promise<void>;
export type ClientStreamingHandler<Req, Res> = (requests: AsyncIterable<Req>, ctx: CallContext) => Promise<Res>;
export type BidiStreamingHandler<Req, Res> = (requests: AsyncIterable<Req>, ctx: CallContext, send: Send<Res>) => Promise<void>;

/** The handler for a method whose definition does not say its shape at the type level (e.g. proto-loader output). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type UntypedMethodHandler = (request: any, ctx: CallContext, send: Send<any>) => Promise<any>;

type RequestOf<M> = M extends { requestDeserialize: (bytes: Buffer) => infer Req } ? Req : never;
type ResponseOf<M> = M extends { responseSerialize: (value: infer Res) => Buffer } ? Res : never;

/** The handler type of one method, chosen from its requestStream/responseStream literals. */
export type MethodHandler<M> = M extends { requestStream: true; responseStream: true }
  ? BidiStreamingHandler<RequestOf<M>, ResponseOf<M>>
  : M extends { requestStream: true; responseStream: false }
    ? ClientStreamingHandler<RequestOf<M>, ResponseOf<M>>
    : M extends { requestStream: false; responseStream: true }
      ? ServerStreamingHandler<RequestOf<M>, ResponseOf<M>>
      : M extends { requestStream: false; responseStream: false }
        ? UnaryHandler<RequestOf<M>, ResponseOf<M>>
        : UntypedMethodHandler;

/** One async handler per method of the service definition `D` (e.g. a ts-proto `...Service` constant). */
export type ServiceHandlers<D> = { [K in keyof D]: MethodHandler<D[K]> };

export interface ImplementServiceOptions {
  /** Parent of every call's logger. */
  logger: Logger;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyMethodDefinition = grpc.MethodDefinition<any, any>;
type ServerStream = Writable & { readonly cancelled: boolean };
type ReadableCall = Readable & { readonly cancelled: boolean };

/**
 * Wraps `handlers` into an implementation grpc-js can serve for `definition`. Every call gets a
 * CallContext, answers with `toStatusError` on a throw, logs one line when it ends (method, code,
 * duration, request id), and never writes to a call the client has cancelled. Admission and the
 * in-flight count live in the server (see in-flight.ts), so they cover every registered service.
 */
export function implementService<D extends grpc.ServiceDefinition>(
  definition: D,
  handlers: ServiceHandlers<D>,
  options: ImplementServiceOptions,
): grpc.UntypedServiceImplementation {
  const implementation: grpc.UntypedServiceImplementation = {};
  const table = handlers as unknown as Record<string, UntypedMethodHandler | undefined>;
  for (const [key, method] of Object.entries(definition) as [string, AnyMethodDefinition][]) {
    const handler = table[key];
    if (typeof handler !== 'function') throw new Error(`implementService: no handler for ${method.path}`);
    implementation[key] = wrapMethod(method, handler, options.logger);
  }
  return implementation;
}

function wrapMethod(method: AnyMethodDefinition, handler: UntypedMethodHandler, logger: Logger): grpc.UntypedHandleCall {
  const name = method.path.replace(/^\//, '');
  if (method.requestStream && method.responseStream) {
    return (call: grpc.ServerDuplexStream<unknown, unknown>) => {
      const opened = openCall(call, name, logger);
      const requests = readRequests(call, opened);
      answerStream(call, opened, () => handler(requests, opened.ctx, sendOn(call, opened)));
    };
  }
  if (method.requestStream) {
    return (call: grpc.ServerReadableStream<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const opened = openCall(call, name, logger);
      const requests = readRequests(call, opened);
      answerUnary(callback, opened, () => handler(requests, opened.ctx, refuseSend));
    };
  }
  if (method.responseStream) {
    return (call: grpc.ServerWritableStream<unknown, unknown>) => {
      const opened = openCall(call, name, logger);
      answerStream(call, opened, () => handler(call.request, opened.ctx, sendOn(call, opened)));
    };
  }
  return (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
    const opened = openCall(call, name, logger);
    answerUnary(callback, opened, () => handler(call.request, opened.ctx, refuseSend));
  };
}

/** Runs `fn`, turning a synchronous throw into a rejection. */
function run<T>(fn: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve) => resolve(fn()));
}

async function refuseSend(): Promise<void> {
  throw new Error('send() is only available on server-streaming and bidi methods');
}

function answerUnary(callback: grpc.sendUnaryData<unknown>, opened: OpenedCall, invoke: () => Promise<unknown>): void {
  const started = process.hrtime.bigint();
  run(invoke).then(
    (response) => {
      if (opened.cancelled()) return logEnd(opened, started, opened.cancelCode());
      opened.settle();
      callback(null, response);
      logEnd(opened, started, grpc.status.OK);
    },
    (err: unknown) => {
      if (opened.cancelled()) return logEnd(opened, started, opened.cancelCode(), err);
      opened.settle();
      const status = toStatusError(err, opened.ctx.requestId);
      callback(status);
      logEnd(opened, started, status.code, err, status.details);
    },
  );
}

function answerStream(call: ServerStream, opened: OpenedCall, invoke: () => Promise<unknown>): void {
  const started = process.hrtime.bigint();
  run(invoke).then(
    () => {
      if (opened.cancelled() || call.destroyed) return logEnd(opened, started, opened.cancelCode());
      opened.settle();
      call.end();
      logEnd(opened, started, grpc.status.OK);
    },
    (err: unknown) => {
      if (opened.cancelled() || call.destroyed) return logEnd(opened, started, opened.cancelCode(), err);
      opened.settle();
      const status = toStatusError(err, opened.ctx.requestId);
      // grpc-js's documented way to end a stream with an error status (sent after pending writes).
      call.emit('error', status);
      logEnd(opened, started, status.code, err, status.details);
    },
  );
}

/** `send` for a streaming call: honours backpressure and refuses to write once the call is over. */
function sendOn(call: ServerStream, opened: OpenedCall): Send<unknown> {
  return async (response) => {
    if (opened.cancelled() || call.cancelled || call.destroyed) throw new CancelledError('call was cancelled; response not sent');
    if (call.writableEnded) throw new CancelledError('call already finished; response not sent');
    if (call.write(response)) return;
    await new Promise<void>((resolve, reject) => {
      const { signal } = opened.ctx;
      const cleanup = () => {
        call.off('drain', onDrain);
        call.off('close', onGone);
        signal.removeEventListener('abort', onGone);
      };
      const onDrain = () => {
        cleanup();
        resolve();
      };
      const onGone = () => {
        cleanup();
        reject(new CancelledError('call was cancelled while waiting to send'));
      };
      call.on('drain', onDrain);
      call.on('close', onGone);
      signal.addEventListener('abort', onGone);
      if (signal.aborted || call.destroyed) onGone();
    });
  };
}

/**
 * The request stream as an AsyncIterable that throws the cancellation reason if the client goes away.
 * Note: a grpc-js client that cancels mid-stream sends END_STREAM before RST_STREAM (Node's http2
 * ends the writable side first), so the server may see a normal end of requests just before the
 * cancellation; grpc-js then drops the answer. Uploads that must be all-or-nothing need an explicit
 * commit in the protocol.
 */
async function* readRequests(call: ReadableCall, opened: OpenedCall): AsyncGenerator<unknown, void, undefined> {
  try {
    // destroyOnReturn: false, so a handler that stops reading early can still send on a bidi call.
    for await (const request of call.iterator({ destroyOnReturn: false })) yield request;
  } catch (err) {
    if (opened.cancelled()) throw opened.ctx.signal.reason;
    throw err;
  }
  if (opened.cancelled()) throw opened.ctx.signal.reason;
}

function logEnd(opened: OpenedCall, started: bigint, code: grpc.status, err?: unknown, details?: string): void {
  const durationMs = Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100;
  const fields = { code: grpc.status[code] ?? code, durationMs };
  const { logger } = opened.ctx;
  if (code === grpc.status.OK) logger.info(fields, 'call finished');
  else if (code === grpc.status.INTERNAL && err !== undefined) logger.error({ ...fields, details, err }, 'call failed');
  else logger.warn({ ...fields, details }, 'call failed');
}
