import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChildService } from '@fmwiss/service-kit';

const ENTRY = join(__dirname, '../src/main.ts');
const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', ENTRY, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });

describe('trainer command line', () => {
  it('prints every option with --help and exits 0', () => {
    const result = run(['--help']);
    expect(result.status).toBe(0);
    for (const flag of ['--state-dir', '--max-concurrent-jobs', '--backend', '--model-cache-size', '--memory-bank-retries', '--inference-workers', '--port']) {
      expect(result.stdout).toContain(flag);
    }
    expect(result.stdout).toContain('FMWISS_TRAINER_STATE_DIR');
  });

  it('exits 2 on a bad configuration, naming the flag', () => {
    const result = run(['--backend', 'cuda', '--max-concurrent-jobs', '0']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--backend/);
    expect(result.stderr).toMatch(/--max-concurrent-jobs/);
    expect(run([], { FMWISS_TRAINER_MODEL_CACHE_SIZE: '-1' }).status).toBe(2);
  });

  it('exits 1 when another trainer holds the state dir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trainer-cli-'));
    const first = await startChildService({ entry: ENTRY, args: ['--port', '0', '--state-dir', dir], startTimeoutMs: 60_000 });
    try {
      const second = run(['--port', '0', '--state-dir', dir]);
      expect(second.status).toBe(1);
      expect(second.stderr).toContain(`is in use by another trainer (process ${first.process.pid}`);
    } finally {
      first.process.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
