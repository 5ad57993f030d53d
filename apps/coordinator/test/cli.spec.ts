import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const MAIN = join(__dirname, '../src/main.ts');
const start = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: { ...process.env, ...env }, timeout: 60_000 });

describe('coordinator command line', () => {
  it('--help documents every option with its flag, variable and default, and exits 0', async () => {
    const { stdout } = await start(['--help']);
    for (const expected of [
      '--runs-dir',
      'FMWISS_COORDINATOR_RUNS_DIR',
      '--cache-dir',
      '--max-concurrent-runs',
      '--service-attempts',
      '--retry-initial-ms',
      '--retry-max-ms',
      '--call-deadline-ms',
      '--clip-mask',
      '127.0.0.1:50051',
      '--seed-refiner',
      '--memory-bank',
      '--trainer',
      '127.0.0.1:50054',
      '--sample-images',
      '--memory-per-class',
      '--mask-concurrency',
      '50055',
    ]) {
      expect(stdout).toContain(expected);
    }
  });

  it('refuses invalid configuration with every problem named and exit code 2', async () => {
    const failure = await start(['--service-attempts', '0', '--retry-initial-ms', '9000'], { FMWISS_COORDINATOR_PORT: '70000' }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 2 });
    const { stderr } = failure as { stderr: string };
    expect(stderr).toMatch(/--service-attempts/);
    expect(stderr).toMatch(/FMWISS_COORDINATOR_PORT|--port/);
    expect(stderr).toMatch(/--retry-initial-ms|retryInitialMs/);
  });
});
