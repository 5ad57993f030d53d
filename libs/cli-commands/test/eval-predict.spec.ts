// fmwiss eval and predict against a fake TrainerService over real gRPC, and with a trainer started
// through the (fake) launcher.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetRef_Format, PredictionHead } from '@fmwiss/contracts';
import { decodeLabelPng, encodePng } from '@fmwiss/imaging';
import { runCli } from '../src';
import { captureIo, FakeLauncher, FakeTrainer } from './fakes';

describe('fmwiss eval and predict', () => {
  let dir: string;
  let trainer: FakeTrainer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fmwiss-eval-'));
    trainer = await new FakeTrainer().start();
  });
  afterAll(async () => {
    await trainer.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('eval asks for the task\'s old and new classes and prints the table, pixel accuracy and per-class IoU', async () => {
    const io = captureIo(dir);
    const code = await runCli(['eval', '--checkpoint', 'run/checkpoints/step-1/final', '--data', 'voc', '--trainer', trainer.address], io);
    expect(io.stderr.text).toContain('evaluating 10/10 images');
    expect(code).toBe(0);
    expect(trainer.evaluateRequests.at(-1)).toMatchObject({
      checkpoint: join(dir, 'run/checkpoints/step-1/final'),
      data: { format: DatasetRef_Format.FORMAT_VOC, root: join(dir, 'voc'), split: 'val', listPath: '' },
      baseClassIds: Array.from({ length: 15 }, (_, i) => i + 1),
      newClassIds: [16, 17, 18, 19, 20],
      includeConfusion: false,
    });
    expect(io.stdout.text).toMatch(/^step-1 +60.0 +25.0 +55.0$/m);
    expect(io.stdout.text).toContain('images: 10   pixel accuracy: 90.0%');
    expect(io.stdout.text).toMatch(/^ +16 {2}pottedplant +25.0$/m);
    expect(io.stdout.text).toMatch(/^ +17 {2}sheep +–  \(not in the ground truth\)$/m);
  });

  it('eval --json prints the result as JSON; explicit classes and a list are passed on', async () => {
    const io = captureIo(dir);
    const code = await runCli(
      ['eval', '--checkpoint', 'c', '--list', 'ids.txt', '--base-classes', '1-10', '--new-classes', '11-20', '--json', '--trainer', trainer.address],
      io,
    );
    expect(code).toBe(0);
    expect(JSON.parse(io.stdout.text)).toMatchObject({ miouAll: 0.55, miouOld: 0.6, miouNew: 0.25, images: 10 });
    expect(trainer.evaluateRequests.at(-1)).toMatchObject({ baseClassIds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], newClassIds: [11, 12, 13, 14, 15, 16, 17, 18, 19, 20], data: { listPath: join(dir, 'ids.txt'), split: '' } });
  });

  it('eval exits 1 with the trainer\'s status message', async () => {
    const io = captureIo(dir);
    expect(await runCli(['eval', '--checkpoint', 'missing', '--trainer', trainer.address], io)).toBe(1);
    expect(io.stderr.text).toContain(`fmwiss eval: NOT_FOUND: checkpoint ${join(dir, 'missing')} not found`);
  });

  it('eval starts a trainer when none is given, and stops it', async () => {
    const launcher = new FakeLauncher('unused');
    const start = launcher.start.bind(launcher);
    launcher.start = async (spec) => ({ ...(await start(spec)), address: trainer.address });
    const io = captureIo(dir);
    expect(await runCli(['eval', '--checkpoint', 'c', '--work-dir', 'w'], io, { launcher: () => launcher })).toBe(0);
    expect(launcher.started).toEqual([{ name: 'trainer', args: ['--port', '0', '--state-dir', join(dir, 'w', 'trainer')] }]);
    expect(launcher.stopped).toEqual(['trainer']);
  });

  it('predict sends the image, writes the label map PNG and prints the class shares', async () => {
    const image = join(dir, 'photo.png');
    writeFileSync(image, await encodePng({ width: 4, height: 2, data: new Uint8Array(24).fill(128) }));
    const io = captureIo(dir);
    const code = await runCli(['predict', '--checkpoint', 'c', '--image', 'photo.png', '--out', 'out/labels.png', '--head', 'teacher', '--trainer', trainer.address], io);
    expect(io.stderr.text).toBe('');
    expect(code).toBe(0);
    const request = trainer.predictRequests.at(-1)!;
    expect(request).toMatchObject({ checkpoint: join(dir, 'c'), head: PredictionHead.PREDICTION_HEAD_TEACHER, image: { imageId: 'photo.png' } });
    const labels = decodeLabelPng(readFileSync(join(dir, 'out', 'labels.png')), 'labels');
    expect([labels.width, labels.height, [...labels.data]]).toEqual([4, 2, [0, 0, 0, 15, 15, 15, 16, 0]]);
    expect(io.stdout.text).toBe(`wrote ${join(dir, 'out', 'labels.png')} (4x2, teacher): background 50.0%, person 37.5%, pottedplant 12.5%\n`);
  });
});
