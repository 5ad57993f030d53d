// The client factory: UNAVAILABLE retried while the server is not up yet, message size limits.
import * as grpc from '@grpc/grpc-js';
import { createClient, unary, waitForReady } from '../src';
import { EchoClient, type EchoRequest, type EchoResponse } from './fixtures/echo';
import { freePort, startEcho, type EchoServer } from './fixtures/harness';

function echoRequest(payloadBytes: number): EchoRequest {
  return { message: 'sized', payload: Buffer.alloc(payloadBytes, 7), fail: '' };
}

describe('createClient', () => {
  const servers: EchoServer[] = [];
  const clients: grpc.Client[] = [];
  afterAll(async () => {
    for (const client of clients) client.close();
    for (const server of servers) await server.close();
  });

  it('retries UNAVAILABLE (connection refused) until a server that starts ~300 ms later answers', async () => {
    const port = await freePort();
    const client = createClient(EchoClient, { address: `127.0.0.1:${port}`, deadlineMs: 10_000 });
    clients.push(client);
    const started = Date.now();
    const call = unary<EchoRequest, EchoResponse>(client, 'Unary', echoRequest(0));
    setTimeout(() => {
      startEcho({ port }).then((echo) => servers.push(echo));
    }, 300);
    await expect(call).resolves.toMatchObject({ message: 'sized' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('fails fast with UNAVAILABLE when retries are off and nothing listens', async () => {
    const port = await freePort();
    const client = createClient(EchoClient, { address: `127.0.0.1:${port}`, retry: { maxAttempts: 1 } });
    clients.push(client);
    await expect(unary<EchoRequest, EchoResponse>(client, 'Unary', echoRequest(0))).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
  });

  it('waitForReady resolves once connected and rejects after its deadline when nothing listens', async () => {
    const echo = await startEcho();
    servers.push(echo);
    const client = echo.client();
    await expect(waitForReady(client, 5000)).resolves.toBeUndefined();
    const dead = createClient(EchoClient, { address: `127.0.0.1:${await freePort()}` });
    clients.push(dead);
    await expect(waitForReady(dead, 200)).rejects.toThrow();
  });

  describe('message size limits', () => {
    let echo: EchoServer;
    beforeAll(async () => {
      echo = await startEcho({ maxReceiveMessageBytes: 8192, maxSendMessageBytes: 4096 });
      servers.push(echo);
    });

    it('the server refuses a request over maxReceiveMessageBytes with RESOURCE_EXHAUSTED', async () => {
      const client = echo.client({ retry: { maxAttempts: 1 } });
      await expect(unary<EchoRequest, EchoResponse>(client, 'Unary', echoRequest(1000))).resolves.toMatchObject({ message: 'sized' });
      await expect(unary<EchoRequest, EchoResponse>(client, 'Unary', echoRequest(9000))).rejects.toMatchObject({
        code: grpc.status.RESOURCE_EXHAUSTED,
      });
    });

    it('the server refuses to send a response over maxSendMessageBytes with RESOURCE_EXHAUSTED', async () => {
      const client = echo.client({ retry: { maxAttempts: 1 } });
      await expect(unary<EchoRequest, EchoResponse>(client, 'Unary', echoRequest(6000))).rejects.toMatchObject({
        code: grpc.status.RESOURCE_EXHAUSTED,
      });
    });

    it('the client refuses a response over its maxReceiveMessageBytes with RESOURCE_EXHAUSTED', async () => {
      const client = echo.client({ retry: { maxAttempts: 1 }, maxReceiveMessageBytes: 2048 });
      await expect(unary<EchoRequest, EchoResponse>(client, 'Unary', echoRequest(3000))).rejects.toMatchObject({
        code: grpc.status.RESOURCE_EXHAUSTED,
      });
    });

    it('the client refuses to send a request over its maxSendMessageBytes', async () => {
      const client = echo.client({ retry: { maxAttempts: 1 }, maxSendMessageBytes: 1024 });
      await expect(unary<EchoRequest, EchoResponse>(client, 'Unary', echoRequest(2000))).rejects.toMatchObject({
        code: grpc.status.RESOURCE_EXHAUSTED,
      });
    });
  });
});
