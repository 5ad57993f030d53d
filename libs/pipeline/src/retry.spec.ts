import * as grpc from '@grpc/grpc-js';
import { backoffMs, isTransient, ServiceCallError, withRetries } from './retry';

const status = (code: grpc.status, details: string) => Object.assign(new Error(`${code} ${grpc.status[code]}: ${details}`), { code, details });
const target = { service: 'clip-mask', address: '127.0.0.1:1' };
const policy = { attempts: 4, initialMs: 1, maxMs: 3 };

describe('withRetries', () => {
  it('retries transient failures with doubling backoff, reporting each retry, until the call succeeds', async () => {
    const messages: string[] = [];
    let calls = 0;
    const result = await withRetries(target, 'GetInfo', policy, async (attempt) => {
      calls++;
      if (attempt < 3) throw status(grpc.status.UNAVAILABLE, 'No connection established');
      return 'ok';
    }, { onRetry: (message) => messages.push(message) });
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(messages).toEqual([
      'clip-mask at 127.0.0.1:1: GetInfo failed with UNAVAILABLE: No connection established; retrying in 1 ms (attempt 2 of 4)',
      'clip-mask at 127.0.0.1:1: GetInfo failed with UNAVAILABLE: No connection established; retrying in 2 ms (attempt 3 of 4)',
    ]);
  });

  it('fails naming the service, its address and the last error once the attempts are spent', async () => {
    const error = await withRetries(target, 'GetInfo', policy, async () => {
      throw status(grpc.status.DEADLINE_EXCEEDED, 'Deadline exceeded');
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceCallError);
    expect(error).toMatchObject({ exhausted: true, attempts: 4, code: grpc.status.DEADLINE_EXCEEDED, service: 'clip-mask' });
    expect((error as Error).message).toBe('clip-mask at 127.0.0.1:1 is unreachable: GetInfo failed 4 time(s), last with DEADLINE_EXCEEDED: Deadline exceeded');
  });

  it('does not retry an error that is no transient failure', async () => {
    let calls = 0;
    const error = await withRetries(target, 'ComputeInitialMasks of image a', policy, async () => {
      calls++;
      throw status(grpc.status.INVALID_ARGUMENT, 'image "a" is no PNG');
    }).catch((e: unknown) => e as ServiceCallError);
    expect(calls).toBe(1);
    expect(error.message).toBe('clip-mask at 127.0.0.1:1: ComputeInitialMasks of image a failed with INVALID_ARGUMENT: image "a" is no PNG');
  });

  it('stops with the abort reason while it waits', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled');
    const pending = withRetries(target, 'GetInfo', { attempts: 5, initialMs: 10_000, maxMs: 10_000 }, async () => {
      throw status(grpc.status.UNAVAILABLE, 'down');
    }, { signal: controller.signal, onRetry: () => controller.abort(reason) });
    await expect(pending).rejects.toBe(reason);
  });
});

describe('isTransient', () => {
  it.each([
    [grpc.status.UNAVAILABLE, '', true],
    [grpc.status.DEADLINE_EXCEEDED, '', true],
    [grpc.status.CANCELLED, 'Cancelled on server', true],
    [grpc.status.INTERNAL, 'Received RST_STREAM with code 2', true],
    [grpc.status.INTERNAL, 'model exploded', false],
    [grpc.status.INVALID_ARGUMENT, '', false],
    [grpc.status.NOT_FOUND, '', false],
  ])('code %i (%s): %s', (code, details, expected) => {
    expect(isTransient(status(code, details))).toBe(expected);
  });

  it('never retries our own cancellation', () => {
    const controller = new AbortController();
    controller.abort();
    expect(isTransient(status(grpc.status.CANCELLED, 'Cancelled on client'), controller.signal)).toBe(false);
  });

  it('backs off exponentially up to the maximum', () => {
    expect([1, 2, 3, 4, 5, 6].map((retry) => backoffMs({ attempts: 9, initialMs: 500, maxMs: 8000 }, retry))).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
  });
});
