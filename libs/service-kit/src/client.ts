// Client side: a factory that gives every call a deadline and retries UNAVAILABLE with exponential
// backoff, plus promise / async-iterable helpers over grpc-js's callback and stream APIs.
import * as grpc from '@grpc/grpc-js';
import { channelCredentials, type ClientTlsFiles } from './credentials';

export interface RetryOptions {
  /** Attempts in all, the first included (default 5); 1 turns retries off. */
  maxAttempts?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  backoffMultiplier?: number;
}

export interface ClientFactoryOptions {
  /** host:port (or any grpc-js target, e.g. dns:///name:port). */
  address: string;
  /** Deadline given to every call that brings none of its own (default 30000). */
  deadlineMs?: number;
  /** PEM file paths; without `tls` the channel is insecure. */
  tls?: ClientTlsFiles;
  retry?: RetryOptions;
  maxReceiveMessageBytes?: number;
  maxSendMessageBytes?: number;
  /** Extra channel options, applied last. */
  channelOptions?: grpc.ChannelOptions;
}

export const DEFAULT_DEADLINE_MS = 30_000;

export type ClientConstructor<C extends grpc.Client> = new (
  address: string,
  credentials: grpc.ChannelCredentials,
  options?: Partial<grpc.ClientOptions>,
) => C;

/** Gives a call without a deadline one `deadlineMs` from now; a caller's deadline (even Infinity) is kept. */
export function deadlineInterceptor(deadlineMs: number): grpc.Interceptor {
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options.deadline === undefined ? { ...options, deadline: Date.now() + deadlineMs } : options));
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(3)}s`;

/**
 * Channel options for retrying UNAVAILABLE: a service-config retryPolicy for every method. grpc-js
 * applies it to failed picks too (connection refused while the server is not up yet), but a pick
 * only succeeds once the channel has reconnected, so the reconnect backoff is set to the same
 * schedule (its default starts at 1 s).
 */
export function retryChannelOptions(retry: RetryOptions = {}): grpc.ChannelOptions {
  const maxAttempts = retry.maxAttempts ?? 5;
  const initialBackoffMs = retry.initialBackoffMs ?? 100;
  const maxBackoffMs = retry.maxBackoffMs ?? 5000;
  const backoffMultiplier = retry.backoffMultiplier ?? 2;
  if (maxAttempts < 2) return { 'grpc.enable_retries': 0 };
  const serviceConfig = {
    methodConfig: [
      {
        name: [{}],
        retryPolicy: {
          maxAttempts,
          initialBackoff: seconds(initialBackoffMs),
          maxBackoff: seconds(maxBackoffMs),
          backoffMultiplier,
          retryableStatusCodes: ['UNAVAILABLE'],
        },
      },
    ],
  };
  return {
    'grpc.service_config': JSON.stringify(serviceConfig),
    'grpc-node.retry_max_attempts_limit': Math.max(5, maxAttempts),
    'grpc.initial_reconnect_backoff_ms': initialBackoffMs,
    'grpc.max_reconnect_backoff_ms': maxBackoffMs,
  };
}

/** The HTTP/2 receive window a client opens, in bytes (override with channelOptions). */
export const CLIENT_FLOW_CONTROL_WINDOW = 16 * 1024 * 1024;

/** Makes a client (a grpc-js or ts-proto generated constructor) with deadlines, retries, limits and credentials. */
export function createClient<C extends grpc.Client>(ClientCtor: ClientConstructor<C>, options: ClientFactoryOptions): C {
  const channelOptions: Partial<grpc.ClientOptions> = {
    ...retryChannelOptions(options.retry),
    // HTTP/2's default 64 KiB receive window costs a round trip per 64 KiB of a response; masks and
    // tensors are larger than that, so the client opens a wider window (grpc-js option).
    'grpc-node.flow_control_window': CLIENT_FLOW_CONTROL_WINDOW,
    ...(options.maxReceiveMessageBytes !== undefined && { 'grpc.max_receive_message_length': options.maxReceiveMessageBytes }),
    ...(options.maxSendMessageBytes !== undefined && { 'grpc.max_send_message_length': options.maxSendMessageBytes }),
    ...options.channelOptions,
    interceptors: [deadlineInterceptor(options.deadlineMs ?? DEFAULT_DEADLINE_MS)],
  };
  return new ClientCtor(options.address, channelCredentials(options.tls), channelOptions);
}

/** Resolves once the client's channel is connected; rejects after `deadlineMs`. */
export function waitForReady(client: grpc.Client, deadlineMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    grpc.waitForClientReady(client, Date.now() + deadlineMs, (err) => (err ? reject(err) : resolve()));
  });
}

export interface CallHelperOptions {
  /** This call's deadline, from now (else the client's default applies). */
  deadlineMs?: number;
  metadata?: grpc.Metadata;
  /** Aborting cancels the call (it then fails with CANCELLED). */
  signal?: AbortSignal;
  /** Receives the server's initial metadata (e.g. x-request-id). */
  onMetadata?: (metadata: grpc.Metadata) => void;
}

/*
 * Typed access to the methods of a generated (ts-proto, grpc-js) client. Each client method is
 * overloaded; type inference reads its last overload, which for every call shape ends in the call
 * object: ClientUnaryCall, ClientReadableStream<Res>, ClientWritableStream<Req>, ClientDuplexStream.
 */
type AnyFn = (...args: never[]) => unknown;
/**
 * A client without generated method types, such as proto-loader's. Generated client interfaces have
 * no index signature, so they never match this and always get the typed overloads.
 */
export type UntypedClient = grpc.Client & { [methodName: string]: unknown };
type Last<F> = F extends AnyFn ? F : never;
type UnaryParts<F> =
  Last<F> extends (request: infer Req, metadata: grpc.Metadata, options: Partial<grpc.CallOptions>, callback: (error: grpc.ServiceError | null, response: infer Res) => void) => grpc.ClientUnaryCall
    ? Parameters<Last<F>>['length'] extends 4
      ? { request: Req; response: Res }
      : never
    : never;
type ServerStreamParts<F> =
  Last<F> extends (request: infer Req, ...rest: never[]) => grpc.ClientReadableStream<infer Res> ? { request: Req; response: Res } : never;
type BidiParts<F> = Last<F> extends (...args: never[]) => grpc.ClientDuplexStream<infer Req, infer Res> ? { request: Req; response: Res } : never;

/** Names of the unary methods of client C. */
export type UnaryMethodName<C> = { [K in keyof C & string]: [UnaryParts<C[K]>] extends [never] ? never : K }[keyof C & string];
/** Names of the server-streaming methods of client C. */
export type ServerStreamMethodName<C> = {
  [K in keyof C & string]: [ServerStreamParts<C[K]>] extends [never] ? never : K;
}[keyof C & string];
/** Names of the bidirectional-streaming methods of client C. */
export type BidiMethodName<C> = { [K in keyof C & string]: [BidiParts<C[K]>] extends [never] ? never : K }[keyof C & string];
export type UnaryRequest<C, K extends keyof C> = UnaryParts<C[K]>['request'];
export type UnaryResponse<C, K extends keyof C> = UnaryParts<C[K]>['response'];
export type ServerStreamRequest<C, K extends keyof C> = ServerStreamParts<C[K]>['request'];
export type ServerStreamResponse<C, K extends keyof C> = ServerStreamParts<C[K]>['response'];
export type BidiRequest<C, K extends keyof C> = BidiParts<C[K]>['request'];
export type BidiResponse<C, K extends keyof C> = BidiParts<C[K]>['response'];

type Callback<Res> = (err: grpc.ServiceError | null, response?: Res) => void;
interface CallLike {
  cancel(): void;
  on(event: 'metadata', listener: (metadata: grpc.Metadata) => void): unknown;
}
type MethodFn = (...args: unknown[]) => CallLike;

function methodOf(client: grpc.Client, methodName: string): MethodFn {
  const method = (client as unknown as Record<string, unknown>)[methodName];
  if (typeof method !== 'function') throw new TypeError(`client has no method ${methodName}`);
  return (...args) => (method as MethodFn).apply(client, args);
}

function callOptionsOf(options: CallHelperOptions): grpc.CallOptions {
  return options.deadlineMs === undefined ? {} : { deadline: Date.now() + options.deadlineMs };
}

/** Wires `signal` and `onMetadata` to a call; returns the function that unhooks the signal. */
function watchCall(call: CallLike, options: CallHelperOptions): () => void {
  if (options.onMetadata) call.on('metadata', options.onMetadata);
  const { signal } = options;
  if (!signal) return () => undefined;
  const cancel = () => call.cancel();
  if (signal.aborted) cancel();
  else signal.addEventListener('abort', cancel, { once: true });
  return () => signal.removeEventListener('abort', cancel);
}

/** Starts a call that answers through a callback (unary, client streaming) and awaits that answer. */
function awaitCallback<Res>(
  options: CallHelperOptions,
  start: (callback: Callback<Res>, reject: (reason: unknown) => void) => CallLike,
): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    let unwatch = () => undefined as void;
    const callback: Callback<Res> = (err, response) => {
      unwatch();
      if (err) reject(err);
      else resolve(response as Res);
    };
    unwatch = watchCall(start(callback, reject), options);
  });
}

/**
 * Calls a unary method. With a generated client the types follow from the method name:
 * `await unary(client, 'getStats', { runId })`; with an untyped client give them:
 * `await unary<Req, Res>(client, 'getThing', request)`.
 */
export function unary<C extends grpc.Client, K extends UnaryMethodName<C>>(
  client: C,
  methodName: K,
  request: UnaryRequest<C, K>,
  options?: CallHelperOptions,
): Promise<UnaryResponse<C, K>>;
/** For clients without generated types (proto-loader): give Req and Res. */
export function unary<Req, Res>(client: UntypedClient, methodName: string, request: Req, options?: CallHelperOptions): Promise<Res>;
export function unary<Req, Res>(client: grpc.Client, methodName: string, request: Req, options: CallHelperOptions = {}): Promise<Res> {
  const method = methodOf(client, methodName);
  return awaitCallback<Res>(options, (callback) => method(request, options.metadata ?? new grpc.Metadata(), callOptionsOf(options), callback));
}

type ReadableCall<Res> = CallLike & AsyncIterable<Res> & NodeJS.EventEmitter & { destroyed: boolean };
type WritableCall<Req> = CallLike & NodeJS.EventEmitter & { write(message: Req): boolean; end(): void; writableEnded: boolean; destroyed: boolean };

/** Yields a stream's responses; if the consumer stops early, the call is cancelled. */
async function* readResponses<Res>(call: ReadableCall<Res>, unwatch: () => void): AsyncGenerator<Res, void, undefined> {
  let complete = false;
  try {
    for await (const response of call) yield response;
    complete = true;
  } finally {
    unwatch();
    if (!complete) {
      // grpc-js reports our own cancellation as an 'error' event; nobody reads it any more.
      call.on('error', () => undefined);
      call.cancel();
    }
  }
}

/** Writes `requests` with backpressure, then half-closes; cancels the call if `requests` throws. */
async function writeRequests<Req>(call: WritableCall<Req>, requests: AsyncIterable<Req> | Iterable<Req>): Promise<void> {
  try {
    for await (const request of requests) {
      if (call.writableEnded || call.destroyed) return;
      if (!call.write(request)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            call.off('drain', done);
            call.off('close', done);
            resolve();
          };
          call.on('drain', done);
          call.on('close', done);
        });
      }
    }
    if (!call.destroyed) call.end();
  } catch (err) {
    call.on('error', () => undefined);
    call.cancel();
    throw err;
  }
}

/** Calls a server-streaming method: `for await (const res of serverStream(client, 'watch', req)) ...`. */
export function serverStream<C extends grpc.Client, K extends ServerStreamMethodName<C>>(
  client: C,
  methodName: K,
  request: ServerStreamRequest<C, K>,
  options?: CallHelperOptions,
): AsyncIterable<ServerStreamResponse<C, K>>;
export function serverStream<Req, Res>(
  client: UntypedClient,
  methodName: string,
  request: Req,
  options?: CallHelperOptions,
): AsyncIterable<Res>;
export function serverStream<Req, Res>(
  client: grpc.Client,
  methodName: string,
  request: Req,
  options: CallHelperOptions = {},
): AsyncIterable<Res> {
  const method = methodOf(client, methodName);
  return {
    [Symbol.asyncIterator]: () => {
      const call = method(request, options.metadata ?? new grpc.Metadata(), callOptionsOf(options)) as ReadableCall<Res>;
      return readResponses(call, watchCall(call, options));
    },
  };
}

/** Calls a client-streaming method with the given requests; resolves with the single response. */
export function clientStream<Req, Res>(
  client: grpc.Client,
  methodName: string,
  requests: AsyncIterable<Req> | Iterable<Req>,
  options: CallHelperOptions = {},
): Promise<Res> {
  const method = methodOf(client, methodName);
  return awaitCallback<Res>(options, (callback, reject) => {
    const call = method(options.metadata ?? new grpc.Metadata(), callOptionsOf(options), callback) as WritableCall<Req>;
    writeRequests(call, requests).catch(reject);
    return call;
  });
}

/** Calls a bidi method: sends `requests` (with backpressure) while yielding the responses. */
export function bidiStream<C extends grpc.Client, K extends BidiMethodName<C>>(
  client: C,
  methodName: K,
  requests: AsyncIterable<BidiRequest<C, K>> | Iterable<BidiRequest<C, K>>,
  options?: CallHelperOptions,
): AsyncIterable<BidiResponse<C, K>>;
export function bidiStream<Req, Res>(
  client: UntypedClient,
  methodName: string,
  requests: AsyncIterable<Req> | Iterable<Req>,
  options?: CallHelperOptions,
): AsyncIterable<Res>;
export function bidiStream<Req, Res>(
  client: grpc.Client,
  methodName: string,
  requests: AsyncIterable<Req> | Iterable<Req>,
  options: CallHelperOptions = {},
): AsyncIterable<Res> {
  const method = methodOf(client, methodName);
  return {
    [Symbol.asyncIterator]: () => {
      const call = method(options.metadata ?? new grpc.Metadata(), callOptionsOf(options)) as ReadableCall<Res> & WritableCall<Req>;
      let writeError: unknown;
      writeRequests(call, requests).catch((err: unknown) => (writeError = err));
      const responses = readResponses(call, watchCall(call, options));
      return (async function* () {
        try {
          yield* responses;
        } catch (err) {
          throw writeError ?? err;
        }
      })();
    },
  };
}

/**
 * The gRPC status error a call rejects with (its `code` and `details`), for callers that expect a
 * refusal; throws when the call succeeds instead.
 */
export async function statusOf(promise: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as grpc.ServiceError;
  }
  throw new Error('expected the call to fail');
}
