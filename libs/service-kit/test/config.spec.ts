// loadConfig: flags > env > defaults, coercion, unknown flags, every problem listed, --help.
import { z } from 'zod';
import { ConfigError, ConfigHelpRequested, describeConfig, loadConfig, serverConfigSchema, serverConfigSchemaWithPort } from '../src';

const PREFIX = 'FMWISS_TEST_';
const schema = serverConfigSchemaWithPort(50070).extend({
  dataDir: z.string().min(1).describe('Where exemplars are stored.'),
  maxItems: z.int().min(1).default(100).describe('Most items kept.'),
  verbose: z.boolean().default(false).describe('Log more.'),
  ratio: z.number().optional().describe('A fraction.'),
});

function load(argv: string[], env: Record<string, string> = {}) {
  return loadConfig(schema, { argv, env, envPrefix: PREFIX, programName: 'test-service' });
}

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('uses schema defaults when nothing is given', () => {
    const config = load(['--data-dir', '/data']);
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 50070,
      maxReceiveMessageBytes: 64 * 1024 * 1024,
      maxSendMessageBytes: 64 * 1024 * 1024,
      shutdownGraceMs: 10_000,
      drainDelayMs: 0,
      logLevel: 'info',
      maxItems: 100,
      verbose: false,
      dataDir: '/data',
    });
    expect(config.tlsCert).toBeUndefined();
  });

  it('takes flags over env over defaults, in both flag spellings', () => {
    const env = { FMWISS_TEST_PORT: '6000', FMWISS_TEST_MAX_ITEMS: '7', FMWISS_TEST_DATA_DIR: '/env', FMWISS_TEST_HOST: '0.0.0.0' };
    const config = load(['--port=7000', '--data-dir', '/flag'], env);
    expect(config).toMatchObject({ port: 7000, maxItems: 7, dataDir: '/flag', host: '0.0.0.0' });
  });

  it('coerces strings for number and boolean fields', () => {
    expect(load(['--data-dir=/d', '--ratio', '0.25', '--verbose'])).toMatchObject({ ratio: 0.25, verbose: true });
    expect(load(['--data-dir=/d', '--no-verbose'], { FMWISS_TEST_VERBOSE: 'true' })).toMatchObject({ verbose: false });
    expect(load(['--data-dir=/d', '--verbose=false'])).toMatchObject({ verbose: false });
    expect(load(['--data-dir=/d'], { FMWISS_TEST_VERBOSE: 'yes', FMWISS_TEST_SHUTDOWN_GRACE_MS: '250' })).toMatchObject({
      verbose: true,
      shutdownGraceMs: 250,
    });
  });

  it('treats an empty environment variable as unset', () => {
    expect(load(['--data-dir=/d'], { FMWISS_TEST_PORT: '' }).port).toBe(50070);
  });

  it('rejects unknown flags and stray arguments', () => {
    const problems = problemsOf(() => load(['--data-dir=/d', '--colour', 'red', 'extra']));
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining('unknown flag --colour'), expect.stringContaining('unexpected argument "red"')]));
  });

  it('lists every problem, each naming its flag and env var', () => {
    const problems = problemsOf(() => load(['--port', '70000', '--max-items=abc', '--log-level', 'loud', '--host'], { FMWISS_TEST_VERBOSE: 'perhaps' }));
    expect(problems).toHaveLength(6);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^flag --host needs a value/),
        expect.stringMatching(/^--port \/ FMWISS_TEST_PORT: .*65535.*\(got --port "70000"\)$/),
        expect.stringMatching(/^--max-items \/ FMWISS_TEST_MAX_ITEMS: .*number.*\(got --max-items "abc"\)$/),
        expect.stringMatching(/^--log-level \/ FMWISS_TEST_LOG_LEVEL: /),
        expect.stringMatching(/^--verbose \/ FMWISS_TEST_VERBOSE: .*\(got FMWISS_TEST_VERBOSE="perhaps"\)$/),
        expect.stringMatching(/^--data-dir \/ FMWISS_TEST_DATA_DIR: /),
      ]),
    );
    expect(() => load(['--port', '70000'])).toThrow(/invalid configuration:\n {2}- /);
  });

  it('checks that TLS cert and key come together, and that mutual TLS has both', () => {
    expect(problemsOf(() => load(['--data-dir=/d', '--tls-cert', '/c.pem']))).toEqual([
      expect.stringMatching(/^--tls-key \/ FMWISS_TEST_TLS_KEY: tlsCert and tlsKey must be given together/),
    ]);
    expect(problemsOf(() => load(['--data-dir=/d', '--tls-client-ca', '/ca.pem']))).toEqual([
      expect.stringMatching(/^--tls-client-ca \/ FMWISS_TEST_TLS_CLIENT_CA: mutual TLS needs/),
    ]);
    expect(load(['--data-dir=/d', '--tls-cert=/c', '--tls-key=/k', '--tls-client-ca=/ca'])).toMatchObject({ tlsCert: '/c', tlsKey: '/k', tlsClientCa: '/ca' });
  });

  it('requires a port in serverConfigSchema, which has no default', () => {
    expect(() => loadConfig(serverConfigSchema, { argv: [], env: {}, envPrefix: PREFIX, programName: 'x' })).toThrow(/--port \/ FMWISS_TEST_PORT/);
    expect(loadConfig(serverConfigSchema, { argv: ['--port', '0'], env: {}, envPrefix: PREFIX, programName: 'x' }).port).toBe(0);
  });

  it('prints usage with every option, env var, default and description on --help, then exits 0', () => {
    let written = '';
    const exits: number[] = [];
    expect(() =>
      loadConfig(schema, {
        argv: ['--bogus', '--help'],
        env: {},
        envPrefix: PREFIX,
        programName: 'test-service',
        description: 'A service for tests.',
        write: (text) => (written += text),
        exit: (code) => exits.push(code),
      }),
    ).toThrow(ConfigHelpRequested);
    expect(exits).toEqual([0]);
    expect(written).toContain('Usage: test-service [options]');
    expect(written).toContain('A service for tests.');
    for (const key of Object.keys(schema.shape)) {
      const flag = key.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
      expect(written).toContain(flag);
      expect(written).toContain(`${PREFIX}${flag.replace(/-/g, '_').toUpperCase()}`);
    }
    expect(written).toMatch(/--port <number>\n\s+Port to listen on \(0: any free port\)\.\n\s+env: FMWISS_TEST_PORT; default: 50070/);
    expect(written).toMatch(/--\[no-\]verbose\n\s+Log more\.\n\s+env: FMWISS_TEST_VERBOSE; default: false/);
    expect(written).toMatch(/--log-level <fatal\|error\|warn\|info\|debug\|trace\|silent>/);
    expect(written).toMatch(/--host <string>\n.*\n\s+env: FMWISS_TEST_HOST; default: "127.0.0.1"/);
    expect(written).toMatch(/--data-dir <string>\n\s+Where exemplars are stored\.\n\s+env: FMWISS_TEST_DATA_DIR; required/);
    expect(written).toMatch(/--tls-cert <string>\n.*\n\s+env: FMWISS_TEST_TLS_CERT; optional/);
  });

  it('describeConfig keeps every key and redacts secret-looking ones', () => {
    const config = { ...load(['--data-dir=/d', '--tls-cert=/c', '--tls-key=/k']), apiToken: 'abc' };
    const described = describeConfig(config);
    expect(Object.keys(described)).toEqual(Object.keys(config));
    expect(described).toMatchObject({ tlsKey: '/k', apiToken: '[redacted]', port: 50070 });
  });
});
