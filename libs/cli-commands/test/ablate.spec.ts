// fmwiss ablate against a fake PipelineService: the variants and baselines as runs (those that can
// reuse step 0 wait for the default's), one table written as Markdown and JSON and printed.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fusion, Method } from '@fmwiss/contracts';
import { runCli } from '../src';
import { captureIo, FakeCoordinator } from './fakes';

describe('fmwiss ablate', () => {
  let dir: string;
  let fake: FakeCoordinator;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fmwiss-ablate-'));
    const lists = join(dir, 'voc', 'ImageSets', 'Segmentation');
    mkdirSync(lists, { recursive: true });
    writeFileSync(join(lists, 'train.txt'), 'a\nb\nc\nd\ne\nf\ng\n');
    fake = await new FakeCoordinator().start();
  });
  afterAll(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the default, the chosen variants and both baselines, and writes one table', async () => {
    const io = captureIo(dir);
    const code = await runCli(
      ['ablate', '--set', 'fusion,lambda', '--coordinator', fake.address, '--data', 'voc', '--max-train-images', '5', '--parallel', '3', '--work-dir', 'abl', '--base-epochs', '2'],
      io,
    );
    expect(io.stderr.text).toBe('');
    expect(code).toBe(0);
    const runs = [...fake.runs.values()].map((r) => r.run);
    expect(runs).toHaveLength(6);
    const byLabel = new Map(runs.map((r) => [r.request!.config!.label, r]));
    const variant = (label: string) => byLabel.get(label)!.request!.config!;
    expect(variant('FMWISS default')).toMatchObject({
      method: Method.METHOD_FMWISS,
      refine: { fusion: Fusion.FUSION_UNION, numSeeds: 9 },
      incrementalHyperparameters: { contrastiveWeight: expect.closeTo(0.1, 6), useTeacher: true, copyPaste: { enabled: true } },
      baseHyperparameters: { epochs: 2 },
    });
    expect(variant('FMWISS fusion: init-only').refine?.fusion).toBe(Fusion.FUSION_INIT_ONLY);
    expect(variant('FMWISS lambda: 0').incrementalHyperparameters?.contrastiveWeight).toBe(0);
    expect(variant('joint training (upper bound)').method).toBe(Method.METHOD_JOINT);
    // Every run trains on the same 5-image subset.
    expect(new Set(runs.map((r) => r.request!.trainData!.listPath))).toEqual(new Set([join(dir, 'abl', 'lists', 'train-5-seed1.txt')]));

    // Everything but the default and joint training waits for the default's step 0.
    const defaultId = byLabel.get('FMWISS default')!.runId;
    const stepZero = fake.log.indexOf(`${defaultId} step 0 DONE`);
    for (const run of runs) {
      const at = fake.log.indexOf(`start ${run.runId}`);
      if (run.runId === defaultId || run.request?.config?.method === Method.METHOD_JOINT) expect(at).toBeLessThan(stepZero);
      else expect(at).toBeGreaterThan(stepZero);
    }

    const base = join(dir, 'abl', 'ablation-15-5-overlap');
    const markdown = readFileSync(`${base}.md`, 'utf8');
    expect(markdown).toContain('# Ablations of FMWISS, task 15-5 overlap');
    expect(markdown).toContain('    fmwiss ablate --set fusion,lambda --coordinator');
    expect(markdown).toMatch(/^\| fusion: intersection +\| intersection \| 0\.1 +\| 9 +\| on +\| on +\| +65\.0 \| +45\.0 \| +60\.0 \|/m);
    const json = JSON.parse(readFileSync(`${base}.json`, 'utf8'));
    expect(json.rows.map((r: { key: string }) => r.key)).toEqual(['default', 'fusion-intersection', 'fusion-init-only', 'lambda-0', 'joint', 'finetune']);
    expect(json.rows[4]).toMatchObject({ variant: 'joint training (upper bound)', settings: {}, miouAll: 0.7, note: 'pixel labels', succeeded: true });
    expect(io.stdout.text).toMatch(/^variant +fusion +lambda +seeds +copy-paste +teacher +mIoU old +mIoU new +mIoU all +note$/m);
    expect(io.stdout.text).toContain(`table: ${base}.md and ${base}.json`);
  });
});
