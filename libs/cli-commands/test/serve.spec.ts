// fmwiss serve: a service run in the foreground (here a tiny fake service script), its flags passed
// through, signals forwarded, and its exit code returned.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultDeps } from '../src';
import { exitCodeOf, serveCommand } from '../src/commands/serve';
import { captureIo, until } from './fakes';

describe('fmwiss serve', () => {
  let dir: string;
  let script: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fmwiss-serve-'));
    script = join(dir, 'fake-service.js');
    // Exits with --exit-code N at once, or waits for a signal and exits 40 + the number of signals seen.
    writeFileSync(
      script,
      `const fs = require('node:fs');
const args = process.argv.slice(2);
fs.writeFileSync(${JSON.stringify(join(dir, 'args.json'))}, JSON.stringify({ args, cwd: process.cwd() }));
const code = args.indexOf('--exit-code');
if (code >= 0) process.exit(Number(args[code + 1]));
let seen = 0;
process.on('SIGTERM', () => { seen += 1; setTimeout(() => process.exit(40 + seen), 20); });
fs.writeFileSync(${JSON.stringify(join(dir, 'ready'))}, 'ready');
setInterval(() => undefined, 1000);
`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes the flags through, runs in the workspace root and returns the exit code', async () => {
    const deps = defaultDeps({ onSignals: () => () => undefined });
    const io = captureIo(dir);
    const code = await serveCommand(['trainer', '--port', '0', '--exit-code', '3'], io, deps, { entryOf: () => script });
    expect(code).toBe(3);
    expect(JSON.parse(readFileSync(join(dir, 'args.json'), 'utf8'))).toEqual({ args: ['--port', '0', '--exit-code', '3'], cwd: deps.root });
  });

  it('forwards a signal and returns what the service exits with', async () => {
    let forward: (signal: NodeJS.Signals) => void = () => undefined;
    let unsubscribed = false;
    const deps = defaultDeps({
      onSignals: (handler) => {
        forward = handler;
        return () => {
          unsubscribed = true;
        };
      },
    });
    const done = serveCommand(['memory-bank'], captureIo(dir), deps, { entryOf: () => script });
    await until(() => existsSync(join(dir, 'ready')), 'the fake service');
    forward('SIGTERM');
    expect(await done).toBe(41);
    expect(unsubscribed).toBe(true);
  });

  it('maps a signal death to 128 + its number', () => {
    expect(exitCodeOf(null, 'SIGKILL')).toBe(137);
    expect(exitCodeOf(null, 'SIGINT')).toBe(130);
    expect(exitCodeOf(0, null)).toBe(0);
  });
});
