import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';

const run = promisify(execFile);

/** The README's demo command, end to end, at a smaller size. */
describe('memory-bank demo', () => {
  let out: string;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'memory-bank-demo-'));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('starts the service, fills, samples, deletes and stops it cleanly', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'main.ts'), '--out', out, '--instances', '40', '--capacity', '3'],
      { cwd: join(__dirname, '../../..'), timeout: 120_000 },
    );
    expect(stdout).toMatch(/health: SERVING/);
    expect(stdout).toMatch(/reflection lists: .*fmwiss\.v1\.MemoryBankService/);
    expect(stdout).toMatch(/40 acknowledged/);
    for (const classId of [1, 2, 3, 4, 5]) expect(stdout).toMatch(new RegExp(`^ +${classId} +8 +3 +\\d+$`, 'm'));
    expect(stdout).toMatch(/the same request again gives the same draws: yes/);
    expect(stdout).toMatch(/deleted the archive \(15 instances\)/);
    expect(stdout).toMatch(/server stopped on SIGTERM \(exit code 0\)/);
    const sheet = await sharp(readFileSync(join(out, 'sampled-instances.png'))).metadata();
    expect([sheet.width, sheet.height]).toEqual([12 * 64, 128]);
  });

  it('refuses a bad option with a message and a non-zero exit', async () => {
    const failure = await run(process.execPath, ['--import', 'tsx', join(__dirname, 'main.ts'), '--instances', 'many'], {
      cwd: join(__dirname, '../../..'),
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 1, stderr: expect.stringMatching(/--instances must be a positive integer, got 'many'/) });
  });
});
