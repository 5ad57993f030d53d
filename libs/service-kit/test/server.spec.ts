// startServer details that need no client: addresses, ports, logs.
import { joinHostPort, createLogger, routeGrpcLogs, startServer } from '../src';
import { echoDefinition } from './fixtures/echo';
import { captureLogger, silentLogger, startEcho, testConfig } from './fixtures/harness';

describe('startServer', () => {
  it('brackets IPv6 hosts in addresses', () => {
    expect(joinHostPort('::1', 50051)).toBe('[::1]:50051');
    expect(joinHostPort('[::1]', 1)).toBe('[::1]:1');
    expect(joinHostPort('127.0.0.1', 0)).toBe('127.0.0.1:0');
    expect(joinHostPort('localhost', 8)).toBe('localhost:8');
  });

  it('binds an ephemeral port for port 0, reports it, logs the config at start and each shutdown phase', async () => {
    const { logger, lines } = captureLogger();
    const echo = await startEcho({}, logger);
    expect(echo.server.port).toBeGreaterThan(0);
    expect(echo.server.address).toBe(`127.0.0.1:${echo.server.port}`);
    const listening = lines.find((line) => line['msg'] === 'server listening');
    expect(listening).toMatchObject({ name: 'echo-test', address: echo.server.address, services: ['kit.test.v1.Echo'], tls: 'off' });
    expect(listening?.['config']).toMatchObject({ host: '127.0.0.1', port: 0, logLevel: 'info' });
    await echo.close();
    const phases = lines.map((line) => String(line['msg'])).filter((msg) => msg.startsWith('shutdown:'));
    expect(phases).toEqual([
      'shutdown: health set to NOT_SERVING',
      'shutdown: refusing new calls, waiting for calls in flight',
      'shutdown: no calls in flight, closing',
      'shutdown: server closed',
    ]);
  });

  it('fails clearly when the port is taken (grpc-js diagnostics routed to pino)', async () => {
    const { logger, lines } = captureLogger();
    routeGrpcLogs(logger);
    const first = await startEcho();
    try {
      await expect(startEcho({ port: first.server.port })).rejects.toThrow(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${first.server.port}`));
      expect(lines.some((line) => line['grpcLog'] === true)).toBe(true);
    } finally {
      await first.close();
    }
  });

  it('refuses a serviceName that does not match the definition', async () => {
    await expect(
      startServer({
        name: 'typo',
        config: testConfig(),
        logger: silentLogger,
        services: [{ definition: echoDefinition, implementation: {}, serviceName: 'kit.test.v1.Ecko' }],
      }),
    ).rejects.toThrow('startServer: method /kit.test.v1.Echo/Unary does not belong to service "kit.test.v1.Ecko"');
  });

  it('createLogger writes JSON lines with service and pid', () => {
    const lines: string[] = [];
    const logger = createLogger({ name: 'svc', destination: { write: (line: string) => lines.push(line) } });
    logger.info({ a: 1 }, 'hello');
    logger.debug('hidden at info');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ service: 'svc', pid: process.pid, a: 1, msg: 'hello', level: 30 });
  });
});
