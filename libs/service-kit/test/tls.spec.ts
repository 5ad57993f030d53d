// TLS and mutual TLS from config file paths, with certificates made by openssl for the test.
import * as grpc from '@grpc/grpc-js';
import { serverCredentials, startServer, unary } from '../src';
import type { EchoRequest, EchoResponse } from './fixtures/echo';
import { silentLogger, startEcho, testConfig, type EchoServer } from './fixtures/harness';
import { hasOpenssl, makeTestPki, type TestPki } from './fixtures/tls';

const hello: EchoRequest = { message: 'over tls', payload: Buffer.alloc(0), fail: '' };
const describeWithOpenssl = hasOpenssl() ? describe : describe.skip;

describeWithOpenssl('TLS', () => {
  let pki: TestPki;
  const servers: EchoServer[] = [];

  beforeAll(() => {
    pki = makeTestPki();
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
    pki.remove();
  });

  async function start(mutual: boolean): Promise<EchoServer> {
    const echo = await startEcho({ tlsCert: pki.serverCert, tlsKey: pki.serverKey, ...(mutual && { tlsClientCa: pki.caCert }) });
    servers.push(echo);
    return echo;
  }

  it('serves a TLS client that trusts the CA, and refuses a plaintext client', async () => {
    const echo = await start(false);
    const client = echo.client({ tls: { ca: pki.caCert } });
    await expect(unary<EchoRequest, EchoResponse>(client, 'Unary', hello)).resolves.toMatchObject({ message: 'over tls' });
    const plaintext = echo.client({ retry: { maxAttempts: 1 }, deadlineMs: 2000 });
    await expect(unary<EchoRequest, EchoResponse>(plaintext, 'Unary', hello)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
  });

  it('with a client CA (mutual TLS) refuses a client without a certificate and serves one with it', async () => {
    const echo = await start(true);
    const anonymous = echo.client({ tls: { ca: pki.caCert }, retry: { maxAttempts: 1 }, deadlineMs: 2000 });
    await expect(unary<EchoRequest, EchoResponse>(anonymous, 'Unary', hello)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    const authenticated = echo.client({ tls: { ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey } });
    await expect(unary<EchoRequest, EchoResponse>(authenticated, 'Unary', hello)).resolves.toMatchObject({ message: 'over tls' });
  });

  it('names an unreadable file in the error', async () => {
    await expect(
      startServer({ name: 'bad-tls', logger: silentLogger, services: [], config: testConfig({ tlsCert: '/nonexistent/server.crt', tlsKey: pki.serverKey }) }),
    ).rejects.toThrow(/TLS certificate file "\/nonexistent\/server\.crt"/);
    expect(() => serverCredentials({ tlsCert: pki.serverCert, tlsKey: pki.serverKey, tlsClientCa: '/nonexistent/ca.crt' })).toThrow(
      /TLS client CA file "\/nonexistent\/ca\.crt"/,
    );
  });
});
