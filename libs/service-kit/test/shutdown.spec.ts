// Graceful shutdown with calls in flight, and the SIGTERM/SIGINT wiring.
import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { CancelledError, SHUTTING_DOWN_MESSAGE, installShutdownSignals, unary, type SignalTarget } from '../src';
import type { EchoRequest, EchoResponse, SleepRequest, SleepResponse } from './fixtures/echo';
import { delay, silentLogger, startEcho } from './fixtures/harness';

const hello: EchoRequest = { message: 'hello', payload: Buffer.alloc(0), fail: '' };

describe('graceful shutdown', () => {
  it('lets calls in flight finish, refuses new calls with UNAVAILABLE, then resolves', async () => {
    const echo = await startEcho({ shutdownGraceMs: 5000 });
    const client = echo.client({ retry: { maxAttempts: 1 } });
    try {
      const inFlight = [400, 700].map((ms) => unary<SleepRequest, SleepResponse>(client, 'Sleep', { ms }));
      await echo.probe.until(() => echo.server.inFlight() === 2);

      const stopping = echo.server.shutdown('test');
      expect(echo.server.shutdown('again')).toBe(stopping);
      await delay(50);
      await expect(unary<EchoRequest, EchoResponse>(client, 'Unary', hello)).rejects.toMatchObject({
        code: grpc.status.UNAVAILABLE,
        details: SHUTTING_DOWN_MESSAGE,
      });
      await expect(Promise.all(inFlight)).resolves.toEqual([{ completed: true }, { completed: true }]);
      await stopping;
      await echo.server.closed;
      expect(echo.server.inFlight()).toBe(0);
    } finally {
      await echo.close();
    }
  });

  it('keeps accepting calls during drainDelayMs while health says NOT_SERVING', async () => {
    const echo = await startEcho({ drainDelayMs: 400 });
    const client = echo.client({ retry: { maxAttempts: 1 } });
    try {
      const stopping = echo.server.shutdown('test');
      await delay(50);
      expect(echo.server.health.status('')).toBe('NOT_SERVING');
      await expect(unary<EchoRequest, EchoResponse>(client, 'Unary', hello)).resolves.toMatchObject({ message: 'hello' });
      await delay(500);
      await expect(unary<EchoRequest, EchoResponse>(client, 'Unary', hello)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
      await stopping;
    } finally {
      await echo.close();
    }
  });

  it('cancels a call still running when the grace period ends (forceShutdown)', async () => {
    const echo = await startEcho({ shutdownGraceMs: 300 });
    const client = echo.client({ retry: { maxAttempts: 1 } });
    try {
      const long = unary<SleepRequest, SleepResponse>(client, 'Sleep', { ms: 30_000 }).catch((err: grpc.ServiceError) => err);
      await echo.probe.until(() => echo.server.inFlight() === 1);
      const started = Date.now();
      await echo.server.shutdown('test');
      expect(Date.now() - started).toBeLessThan(5000);
      const err = await long;
      expect([grpc.status.CANCELLED, grpc.status.UNAVAILABLE]).toContain((err as grpc.ServiceError).code);
      await echo.probe.until(() => echo.probe.aborted.length === 1);
      expect(echo.probe.aborted[0]).toBeInstanceOf(CancelledError);
      expect(echo.probe.completed).toHaveLength(0);
    } finally {
      await echo.close();
    }
  });
});

describe('installShutdownSignals', () => {
  class FakeProcess extends EventEmitter implements SignalTarget {
    readonly exits: Array<number | undefined> = [];
    exit(code?: number): void {
      this.exits.push(code);
    }
  }

  it('shuts down once on SIGTERM, then exits 0; a second signal exits 1 at once; uninstall removes the handlers', async () => {
    const target = new FakeProcess();
    let release!: () => void;
    const reasons: string[] = [];
    const server = {
      shutdown: (reason?: string) => {
        reasons.push(reason ?? '');
        return new Promise<void>((resolve) => (release = resolve));
      },
    };
    const uninstall = installShutdownSignals(server, silentLogger, target);
    target.emit('SIGTERM', 'SIGTERM');
    expect(reasons).toEqual(['signal SIGTERM']);
    target.emit('SIGINT', 'SIGINT');
    expect(target.exits).toEqual([1]);
    expect(reasons).toHaveLength(1);
    release();
    await delay(0);
    expect(target.exits).toEqual([1, 0]);
    uninstall();
    expect(target.listenerCount('SIGTERM')).toBe(0);
    expect(target.listenerCount('SIGINT')).toBe(0);
  });
});
