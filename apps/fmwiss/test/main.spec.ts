// The fmwiss entry as a process: what it prints and the exit codes it ends with.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const MAIN = join(__dirname, '../src/main.ts');
const fmwiss = (...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', MAIN, ...args], { timeout: 60_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );

describe('fmwiss (the process)', () => {
  it('--help lists the commands and exits 0', async () => {
    const { code, stdout } = await fmwiss('--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: fmwiss <command> \[flags\]/);
    for (const command of ['demo', 'run', 'serve', 'eval', 'predict', 'ablate']) expect(stdout).toContain(`  ${command} `);
  });

  it('exits 2 with a message and the usage on bad arguments', async () => {
    const { code, stderr } = await fmwiss('run', '--setting', 'sideways');
    expect(code).toBe(2);
    expect(stderr).toMatch(/fmwiss run: invalid arguments:\n {2}- --setting/);
    expect(stderr).toMatch(/Usage: fmwiss run /);
  });
});
