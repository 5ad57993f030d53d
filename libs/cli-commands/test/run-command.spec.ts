// fmwiss run against a fake PipelineService over real gRPC: events become progress lines, the
// table is printed, a failed run exits 1, Ctrl-C cancels the run and exits 130.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetRef_Format, Fusion, Method, Setting } from '@fmwiss/contracts';
import { InvalidArgumentError } from '@fmwiss/service-kit';
import { runCli } from '../src';
import { captureIo, FakeCoordinator, FakeLauncher, failingScript, hangingScript, until } from './fakes';

describe('fmwiss run', () => {
  let dir: string;
  const fakes: FakeCoordinator[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fmwiss-run-'));
  });
  afterAll(async () => {
    await Promise.all(fakes.map((f) => f.stop()));
    rmSync(dir, { recursive: true, force: true });
  });
  const coordinator = async (options: ConstructorParameters<typeof FakeCoordinator>[0] = {}) => {
    const fake = await new FakeCoordinator({ runsDir: join(dir, 'runs'), ...options }).start();
    fakes.push(fake);
    return fake;
  };

  it('starts the run, shows its progress and prints the table and the run folder', async () => {
    const fake = await coordinator();
    const io = captureIo(dir);
    const code = await runCli(
      ['run', '--coordinator', fake.address, '--data', 'voc', '--run-id', 'r-ok', '--base-epochs', '3', '--fusion', 'intersection', '--seeds', '27', '--trainer', '10.1.1.1:50054'],
      io,
    );
    expect(io.stderr.text).toBe('');
    expect(code).toBe(0);
    const request = fake.requestOf(Method.METHOD_FMWISS)!;
    expect(request).toMatchObject({
      runId: 'r-ok',
      task: { name: '15-5', steps: [] },
      setting: Setting.SETTING_OVERLAP,
      trainData: { format: DatasetRef_Format.FORMAT_VOC, root: join(dir, 'voc'), split: 'train', listPath: '' },
      valData: { root: join(dir, 'voc'), split: 'val' },
      services: { trainer: '10.1.1.1:50054', clipMask: '' },
      config: { method: Method.METHOD_FMWISS, label: 'FMWISS (ours)', baseHyperparameters: { epochs: 3 }, refine: { fusion: Fusion.FUSION_INTERSECTION, numSeeds: 27 } },
    });
    const out = io.stdout.text;
    expect(out).toMatch(/^FMWISS \(ours\)  step 0\/1  training \(base\)  epoch 2\/3  it 5\/10  loss 0.412 \(seg 0.3\)  lr 1e-3  8 img\/s  ETA 1m15s$/m);
    expect(out).toMatch(/^FMWISS \(ours\)  step 1\/1  pseudo labels$/m);
    expect(out).toMatch(/^FMWISS \(ours\)  step 1\/1  training \(teacher\+student\)  epoch 2\/3 .* pseudo labels 12\/12, 2 cached  1 warning$/m);
    expect(out).toMatch(/^FMWISS \(ours\): warning: clip-mask UNAVAILABLE, retrying in 500 ms$/m);
    expect(out).toMatch(/^FMWISS \(ours\)  succeeded: all 60.0% \(old 65.0, new 45.0\)$/m);
    expect(out).toMatch(/^method +mIoU old +mIoU new +mIoU all\n-+ +-+ +-+ +-+\nFMWISS \(ours\) +65.0 +45.0 +60.0$/m);
    expect(out).toContain(`report:  ${join(dir, 'runs', 'r-ok', 'report.html')}`);
    expect(out).toContain(`metrics: ${join(dir, 'runs', 'r-ok', 'metrics.json')}`);
    expect(out).not.toContain('\u001b');
  });

  it('exits 1 with the run\'s message when the run fails', async () => {
    const fake = await coordinator({ script: failingScript(1) });
    const io = captureIo(dir);
    const code = await runCli(['run', '--coordinator', fake.address, '--run-id', 'r-fail', '--method', 'finetune'], io);
    expect(code).toBe(1);
    expect(io.stdout.text).toMatch(/^fine-tuning \(lower bound\)  FAILED at step 1\/1: the trainer failed: out of memory$/m);
    expect(io.stdout.text).toMatch(/^fine-tuning \(lower bound\): FAILED: the trainer failed: out of memory$/m);
    expect(io.stdout.text).toMatch(/failed: the trainer failed: out of memory/);
  });

  it('exits 1 with the gRPC status when the coordinator refuses the run', async () => {
    const fake = await coordinator({ refuse: () => new InvalidArgumentError('train_data.root: no dataset at /x') });
    const io = captureIo(dir);
    expect(await runCli(['run', '--coordinator', fake.address], io)).toBe(1);
    expect(io.stdout.text).toMatch(/FAILED at step 0: INVALID_ARGUMENT: train_data.root: no dataset at \/x/);
  });

  it('cancels the run on Ctrl-C and exits 130', async () => {
    const fake = await coordinator({ script: hangingScript });
    const controller = new AbortController();
    const io = captureIo(dir, controller.signal);
    const done = runCli(['run', '--coordinator', fake.address, '--run-id', 'r-cancel'], io);
    await until(() => io.stdout.text.includes('training (base)'), 'the training line');
    controller.abort();
    expect(await done).toBe(130);
    expect(fake.log).toContain('cancel r-cancel');
    expect(io.stdout.text).toMatch(/interrupted: cancelling 1 run/);
    expect(io.stdout.text).toMatch(/^FMWISS \(ours\)  cancelled at step 0\/1$/m);
    expect(io.stderr.text).toMatch(/fmwiss run: interrupted/);
  });

  it('starts the services a baseline needs (no mask services), hands their addresses to the run, and stops them', async () => {
    const fake = await coordinator();
    const launcher = new FakeLauncher(fake.address);
    const io = captureIo(dir);
    const code = await runCli(['run', '--method', 'joint', '--data', '.', '--work-dir', 'work', '--run-id', 'r-local'], io, { launcher: () => launcher });
    expect(code).toBe(0);
    expect(launcher.started.map((s) => s.name)).toEqual(['memory-bank', 'trainer', 'coordinator']);
    const [memoryBank, trainer, coordinatorSpec] = launcher.started;
    expect(memoryBank!.args).toEqual(['--port', '0', '--database-path', join(dir, 'work', 'memory-bank', 'archives.sqlite')]);
    expect(trainer!.args).toEqual(['--port', '0', '--state-dir', join(dir, 'work', 'trainer')]);
    expect(coordinatorSpec!.args).toEqual(['--port', '0', '--runs-dir', join(dir, 'work', 'runs'), '--memory-bank', '127.0.0.1:51001', '--trainer', '127.0.0.1:51002']);
    expect(fake.requestOf(Method.METHOD_JOINT)?.services).toEqual({ clipMask: '', seedRefiner: '', memoryBank: '127.0.0.1:51001', trainer: '127.0.0.1:51002' });
    expect(launcher.stopped).toEqual(['coordinator', 'memory-bank', 'trainer']);
    expect(io.stdout.text).toMatch(/stopped: coordinator exit 0, memory-bank exit 0, trainer exit 0/);
    expect(existsSync(join(dir, 'work'))).toBe(true);
  });
});
