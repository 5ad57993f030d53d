import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('gen:benchmark CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fmwiss-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const tiny = ['--out', dir, '--train', '3', '--val', '2', '--corpus', '2', '--size', '96', '--workers', '0'];

  it('refuses bad flags with exit 2 and the usage', async () => {
    for (const args of [['--bogus'], ['--size', '50'], ['--train', 'many'], ['--seed', '1.5'], ['extra']]) {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.err).toContain('Usage:');
    }
    expect((await run(['--help'])).code).toBe(0);
  });

  it('generates, then reports an identical world without regenerating, and refuses another one without --force', async () => {
    const first = await run(tiny);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/images: train 3, val 2, corpus 2/);
    expect(first.out).toMatch(/person/);
    const world = join(dir, 'world.json');
    const mtime = statSync(world).mtimeMs;

    const again = await run(tiny);
    expect(again.code).toBe(0);
    expect(again.out).toContain('already holds this world');
    expect(statSync(world).mtimeMs).toBe(mtime);

    const other = await run([...tiny, '--seed', '7']);
    expect(other.code).toBe(1);
    expect(other.err).toContain('--force');

    const forced = await run([...tiny, '--seed', '7', '--force', '--contact-sheet', join(dir, 'sheet', 'sheet.png')]);
    expect(forced.code).toBe(0);
    expect((JSON.parse(readFileSync(world, 'utf8')) as { parameters: { seed: number } }).parameters.seed).toBe(7);
    expect(readFileSync(join(dir, 'sheet', 'sheet.png')).subarray(1, 4).toString()).toBe('PNG');
  });
});
