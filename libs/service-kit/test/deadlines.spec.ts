// Deadlines: the server aborts a handler's signal when the client's deadline passes, and clients
// made by createClient give every call a default deadline (a caller's own deadline wins).
import * as grpc from '@grpc/grpc-js';
import { DeadlineExceededError, unary } from '../src';
import type { SleepRequest, SleepResponse } from './fixtures/echo';
import { startEcho, type EchoServer } from './fixtures/harness';

describe('deadlines', () => {
  let echo: EchoServer;

  beforeAll(async () => {
    echo = await startEcho();
  });
  afterAll(() => echo.close());

  it('a slow handler past the client deadline: DEADLINE_EXCEEDED, and ctx.signal aborts with DeadlineExceededError', async () => {
    const client = echo.client({ retry: { maxAttempts: 1 } });
    const before = echo.probe.aborted.length;
    const started = Date.now();
    await expect(unary<SleepRequest, SleepResponse>(client, 'Sleep', { ms: 10_000 }, { deadlineMs: 200 })).rejects.toMatchObject({
      code: grpc.status.DEADLINE_EXCEEDED,
    });
    expect(Date.now() - started).toBeLessThan(5000);
    await echo.probe.until(() => echo.probe.aborted.length > before);
    expect(echo.probe.aborted[before]).toBeInstanceOf(DeadlineExceededError);
    await echo.probe.until(() => echo.server.inFlight() === 0);
  });

  it("applies the client factory's default deadline when the call sets none", async () => {
    const client = echo.client({ deadlineMs: 250, retry: { maxAttempts: 1 } });
    const started = Date.now();
    await expect(unary<SleepRequest, SleepResponse>(client, 'Sleep', { ms: 10_000 })).rejects.toMatchObject({
      code: grpc.status.DEADLINE_EXCEEDED,
    });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("keeps a caller's own deadline over the default", async () => {
    const client = echo.client({ deadlineMs: 100 });
    await expect(unary<SleepRequest, SleepResponse>(client, 'Sleep', { ms: 400 }, { deadlineMs: 5000 })).resolves.toEqual({ completed: true });
  });
});
