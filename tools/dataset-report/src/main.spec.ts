import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openVocDataset, scanDataset, stepCounts, taskByName } from '@fmwiss/datasets';

const run = promisify(execFile);
const ROOT = join(__dirname, '../../..');
const tsx = (script: string, args: string[]) =>
  run(process.execPath, ['--import', 'tsx', join(ROOT, script), ...args], { cwd: ROOT, timeout: 120_000 });

/** The generator's VOC tree read back by the VOC reader, and the report command run on it. */
describe('dataset report on a generated benchmark', () => {
  let dir: string;
  let voc: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dataset-report-'));
    await tsx('tools/benchmark-generator/src/main.ts', [
      ...['--out', join(dir, 'world'), '--train', '60', '--val', '12', '--corpus', '4', '--size', '96', '--workers', '0'],
    ]);
    voc = join(dir, 'world/VOCdevkit/VOC2012');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the VOC reader reads every generated image and label map without a problem', async () => {
    for (const [split, count] of [['train', 60], ['val', 12]] as const) {
      const dataset = await openVocDataset({ root: voc, split, labels: 'auto' });
      expect(dataset.ids).toHaveLength(count);
      const { problems, index } = await scanDataset(dataset);
      expect(problems).toEqual([]);
      expect(index.images).toHaveLength(count);
      const sample = await dataset.read(dataset.ids[0]!);
      expect([sample.image.width, sample.labels.width]).toEqual([96, 96]);
    }
  });

  it('prints the per-step counts of 15-5 and 10-10 in both settings and writes a contact sheet', async () => {
    const out = join(dir, 'report');
    const { stdout } = await tsx('tools/dataset-report/src/main.ts', ['--root', voc, '--task', '15-5', '--task', '10-10', '--out', out]);
    const dataset = await openVocDataset({ root: voc, split: 'train', labels: 'auto' });
    const { index } = await scanDataset(dataset);
    for (const task of ['15-5', '10-10']) {
      expect(stdout).toContain(`task ${task}: training images per step`);
      for (const c of stepCounts(index, taskByName(task))) {
        expect(stdout).toMatch(new RegExp(`^${c.step} .* ${c.overlap} +${c.disjoint}$`, 'm'));
      }
    }
    expect(stdout).toMatch(/^person +15 +\d+ +\d+\.\d\d$/m);
    expect(readFileSync(join(out, 'contact-sheet-train.png')).subarray(1, 4).toString()).toBe('PNG');
  });

  it('exits 2 on bad arguments and 1 on a missing dataset, saying why', async () => {
    const bad = await tsx('tools/dataset-report/src/main.ts', ['--format', 'tiff']).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringMatching(/--root is required/) });
    const missing = await tsx('tools/dataset-report/src/main.ts', ['--root', join(dir, 'nowhere')]).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringMatching(/nowhere/) });
  });
});
