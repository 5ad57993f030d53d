// grpc.health.v1.Health: SERVING once started, NOT_SERVING while a shutdown drains.
import type { UntypedClient } from '../src';
import * as grpc from '@grpc/grpc-js';
import { HEALTH_SERVICE_NAME, createClient, healthServiceDefinition, unary } from '../src';
import { ECHO_SERVICE_NAME, type SleepRequest, type SleepResponse } from './fixtures/echo';
import { delay, startEcho, type EchoServer } from './fixtures/harness';

const HealthClient = grpc.makeClientConstructor(healthServiceDefinition as unknown as grpc.ServiceDefinition, HEALTH_SERVICE_NAME);

interface CheckResponse {
  status: string;
}

describe('health', () => {
  let echo: EchoServer;
  let health: UntypedClient;

  const check = (service: string) => unary<{ service: string }, CheckResponse>(health, 'Check', { service });

  beforeAll(async () => {
    echo = await startEcho({ shutdownGraceMs: 5000 });
    health = createClient(HealthClient, { address: echo.server.address, deadlineMs: 5000, retry: { maxAttempts: 1 } });
  });
  afterAll(async () => {
    health.close();
    await echo.close();
  });

  it("answers SERVING for '' and for the service", async () => {
    await expect(check('')).resolves.toEqual({ status: 'SERVING' });
    await expect(check(ECHO_SERVICE_NAME)).resolves.toEqual({ status: 'SERVING' });
    await expect(check('no.such.Service')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });

  it('answers NOT_SERVING while a shutdown drains, and the call in flight still completes', async () => {
    const client = echo.client();
    const slow = unary<SleepRequest, SleepResponse>(client, 'Sleep', { ms: 1000 });
    await echo.probe.until(() => echo.server.inFlight() === 1);
    const stopping = echo.server.shutdown('test drain');

    await delay(100);
    await expect(check('')).resolves.toEqual({ status: 'NOT_SERVING' });
    await expect(check(ECHO_SERVICE_NAME)).resolves.toEqual({ status: 'NOT_SERVING' });
    expect(echo.server.health.status(ECHO_SERVICE_NAME)).toBe('NOT_SERVING');

    await expect(slow).resolves.toEqual({ completed: true });
    await stopping;
  });
});
