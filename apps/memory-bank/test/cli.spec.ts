import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const MAIN = join(__dirname, '../src/main.ts');
const start = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: { ...process.env, ...env }, timeout: 60_000 });

describe('memory-bank command line', () => {
  it('--help documents every option with its flag, variable and default, and exits 0', async () => {
    const { stdout } = await start(['--help']);
    for (const expected of [
      '--database-path',
      'FMWISS_MEMORY_BANK_DATABASE_PATH',
      '--durability',
      '--max-instance-side',
      '--port',
      '50053',
      '--tls-client-ca',
      '--shutdown-grace-ms',
    ]) {
      expect(stdout).toContain(expected);
    }
  });

  it('refuses invalid configuration with every problem named and exit code 2', async () => {
    const failure = await start(['--durability', 'fast'], { FMWISS_MEMORY_BANK_PORT: '70000' }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 2 });
    const { stderr } = failure as { stderr: string };
    expect(stderr).toMatch(/--durability/);
    expect(stderr).toMatch(/FMWISS_MEMORY_BANK_PORT|--port/);
  });
});
