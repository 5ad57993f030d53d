// One client of another service, with the coordinator's retry policy. After a transient failure the
// channel is replaced by a fresh one (its own reconnect backoff could otherwise outlast a service that
// came back), and the old one is closed once the calls still using it have ended.
import type * as grpc from '@grpc/grpc-js';
import { createClient, type ClientConstructor } from '@fmwiss/service-kit';
import { isTransient, withRetries, type RetryHooks, type RetryPolicy, type ServiceTarget } from './retry';

export interface ServiceConnectionOptions {
  policy: RetryPolicy;
  /** Deadline of each unary call, in ms. */
  deadlineMs: number;
  maxMessageBytes?: number;
}

interface Channel<C> {
  client: C;
  inFlight: number;
  retired: boolean;
}

/** A leased client: give it back with `release`, saying whether the call failed transiently. */
export interface Lease<C> {
  client: C;
  release(transientFailure: boolean): void;
}

export class ServiceConnection<C extends grpc.Client> {
  private channel: Channel<C> | undefined;
  private closed = false;

  constructor(
    readonly target: ServiceTarget,
    private readonly ClientCtor: ClientConstructor<C>,
    readonly options: ServiceConnectionOptions,
  ) {}

  get policy(): RetryPolicy {
    return this.options.policy;
  }

  /** The current client, counted as in use until released. */
  lease(): Lease<C> {
    if (this.closed) throw new Error(`connection to ${this.target.service} at ${this.target.address} is closed`);
    const channel = (this.channel ??= this.open());
    channel.inFlight++;
    let released = false;
    return {
      client: channel.client,
      release: (transientFailure) => {
        if (released) return;
        released = true;
        channel.inFlight--;
        if (transientFailure && this.channel === channel) this.retire(channel);
        if (channel.retired && channel.inFlight === 0) channel.client.close();
      },
    };
  }

  /**
   * Runs `fn` with a client, retrying transient failures (see withRetries); `operation` names the
   * call in messages ("ComputeInitialMasks of image 2007_000032").
   */
  call<T>(operation: string, fn: (client: C, attempt: number) => Promise<T>, hooks: RetryHooks = {}): Promise<T> {
    return withRetries(
      this.target,
      operation,
      this.options.policy,
      async (attempt) => {
        const lease = this.lease();
        try {
          const result = await fn(lease.client, attempt);
          lease.release(false);
          return result;
        } catch (error) {
          lease.release(isTransient(error, hooks.signal));
          throw error;
        }
      },
      hooks,
    );
  }

  close(): void {
    this.closed = true;
    if (this.channel) this.retire(this.channel);
    this.channel = undefined;
  }

  private open(): Channel<C> {
    const client = createClient(this.ClientCtor, {
      address: this.target.address,
      deadlineMs: this.options.deadlineMs,
      retry: { maxAttempts: 1 }, // the coordinator retries itself, visibly
      ...(this.options.maxMessageBytes !== undefined && {
        maxReceiveMessageBytes: this.options.maxMessageBytes,
        maxSendMessageBytes: this.options.maxMessageBytes,
      }),
      channelOptions: {
        'grpc.initial_reconnect_backoff_ms': this.options.policy.initialMs,
        'grpc.max_reconnect_backoff_ms': this.options.policy.maxMs,
      },
    });
    return { client, inFlight: 0, retired: false };
  }

  private retire(channel: Channel<C>): void {
    channel.retired = true;
    if (this.channel === channel) this.channel = undefined;
    if (channel.inFlight === 0) channel.client.close();
  }
}
