// fmwiss demo's orchestration with injected seams: a benchmark generator that writes a tiny world,
// a launcher that starts nothing, and a fake coordinator over real gRPC that plays the runs.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Method, type StartRunRequest } from '@fmwiss/contracts';
import { DEMO_PRESET, runCli, ServiceStartError, type CommandDeps } from '../src';
import { captureIo, FakeCoordinator, FakeLauncher, failingScript, hangingScript, successScript, until, type ScriptItem } from './fakes';

describe('fmwiss demo', () => {
  let dir: string;
  const fakes: FakeCoordinator[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fmwiss-demo-'));
  });
  afterAll(async () => {
    await Promise.all(fakes.map((f) => f.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function demo(name: string, options: { script?: (request: StartRunRequest) => ScriptItem[]; args?: string[]; failing?: { name: string; error: Error } } = {}) {
    const work = join(dir, name);
    const fake = await new FakeCoordinator({ runsDir: join(work, 'runs'), script: options.script }).start();
    fakes.push(fake);
    const launcher = new FakeLauncher(fake.address, options.failing);
    const generated: string[] = [];
    const deps: Partial<CommandDeps> = {
      launcher: () => launcher,
      generateBenchmark: async ({ outDir, onLine }) => {
        generated.push(outDir);
        onLine?.('progress 40/40 images (100%)');
        const lists = join(outDir, 'VOCdevkit', 'VOC2012', 'ImageSets', 'Segmentation');
        mkdirSync(lists, { recursive: true });
        writeFileSync(join(lists, 'train.txt'), `${Array.from({ length: 30 }, (_, i) => `train_${String(i).padStart(6, '0')}`).join('\n')}\n`);
        writeFileSync(join(outDir, 'world.json'), '{}');
      },
    };
    return { work, fake, launcher, generated, deps, argv: ['demo', '--work-dir', work, '--benchmark', join(dir, 'world'), ...(options.args ?? [])] };
  }

  it('generates the benchmark, starts the five services, runs the method and both baselines, prints the table and the gap, stops the services', async () => {
    const { work, fake, launcher, generated, deps, argv } = await demo('ok', { args: ['--base-epochs', '2', '--max-train-images', '10'] });
    const io = captureIo(dir);
    const code = await runCli(argv, io, deps);
    expect(io.stderr.text).toBe('');
    expect(code).toBe(0);
    expect(generated).toEqual([join(dir, 'world')]);

    // Services: the four workers at once, then the coordinator with their addresses; all on --port 0 with state under the work folder.
    expect(launcher.started.map((s) => s.name)).toEqual(['clip-mask', 'seed-refiner', 'memory-bank', 'trainer', 'coordinator']);
    const args = Object.fromEntries(launcher.started.map((s) => [s.name, s.args]));
    for (const spec of launcher.started) expect(spec.args.slice(0, 2)).toEqual(['--port', '0']);
    expect(args.trainer).toEqual(['--port', '0', '--state-dir', join(work, 'trainer'), '--max-concurrent-jobs', String(DEMO_PRESET.trainerJobs)]);
    expect(args['memory-bank']).toEqual(['--port', '0', '--database-path', join(work, 'memory-bank', 'archives.sqlite')]);
    expect(args['clip-mask']).toEqual(['--port', '0']);
    expect(args.coordinator).toEqual([
      '--port', '0', '--runs-dir', join(work, 'runs'), '--max-concurrent-runs', String(DEMO_PRESET.coordinatorRuns),
      '--clip-mask', '127.0.0.1:51001', '--seed-refiner', '127.0.0.1:51002', '--memory-bank', '127.0.0.1:51003', '--trainer', '127.0.0.1:51004',
    ]);
    expect(launcher.stopped[0]).toBe('coordinator');
    expect([...launcher.stopped].sort()).toEqual(['clip-mask', 'coordinator', 'memory-bank', 'seed-refiner', 'trainer']);

    // Runs: 15-5 overlap, the preset's sizes with the flag's override, a 10-image subset list.
    const method = fake.requestOf(Method.METHOD_FMWISS)!;
    expect(method.task?.name).toBe('15-5');
    expect(method.config?.baseHyperparameters).toMatchObject({ epochs: 2, batchSize: DEMO_PRESET.batchSize, seed: DEMO_PRESET.seed });
    expect(method.config?.incrementalHyperparameters).toMatchObject({ epochs: DEMO_PRESET.incrementalEpochs, teacherWarmupEpochs: DEMO_PRESET.teacherWarmupEpochs });
    expect(method.config).toMatchObject({ maxEvalImages: DEMO_PRESET.maxEvalImages, memoryPerClass: DEMO_PRESET.memoryPerClass, model: { imageSize: DEMO_PRESET.imageSize } });
    expect(method.services).toEqual({ clipMask: '127.0.0.1:51001', seedRefiner: '127.0.0.1:51002', memoryBank: '127.0.0.1:51003', trainer: '127.0.0.1:51004' });
    expect(method.trainData?.listPath).toBe(join(work, 'lists', `train-10-seed${DEMO_PRESET.seed}.txt`));
    expect(readFileSync(method.trainData!.listPath, 'utf8').trim().split('\n')).toHaveLength(10);
    expect(method.valData).toMatchObject({ split: 'val', listPath: '' });
    for (const m of [Method.METHOD_JOINT, Method.METHOD_FINETUNE]) expect(fake.requestOf(m)?.trainData).toEqual(method.trainData);

    // Joint training starts beside the method; fine-tuning only once the method's step 0 is done.
    const ids = Object.fromEntries([Method.METHOD_FMWISS, Method.METHOD_JOINT, Method.METHOD_FINETUNE].map((m) => [m, fake.requestOf(m)!.runId]));
    const at = (entry: string) => fake.log.indexOf(entry);
    expect(at(`start ${ids[Method.METHOD_JOINT]}`)).toBeLessThan(at(`${ids[Method.METHOD_FMWISS]} step 0 DONE`));
    expect(at(`${ids[Method.METHOD_FMWISS]} step 0 DONE`)).toBeLessThan(at(`start ${ids[Method.METHOD_FINETUNE]}`));

    const out = io.stdout.text;
    expect(out).toMatch(/^fine-tuning \(lower bound\) +waiting for FMWISS \(ours\) to finish step 0$/m);
    expect(out).toMatch(
      /^method +mIoU old +mIoU new +mIoU all\n[- ]+\nFMWISS \(ours\) +65.0 +45.0 +60.0\nfine-tuning \(lower bound\) +20.0 +50.0 +30.0\njoint training \(upper bound\) +72.0 +66.0 +70.0$/m,
    );
    expect(out).toContain(
      'FMWISS (ours) reaches 60.0% mIoU over all classes: 10.0 points below joint training (70.0%, the upper bound), and 30.0 points above fine-tuning (30.0%, the lower bound). It closes 75% of the gap between fine-tuning and joint training.',
    );
    expect(out).toContain(`report:  ${join(work, 'runs', ids[Method.METHOD_FMWISS]!, 'report.html')}`);
    expect(out).toMatch(/demo finished in \d+\.\d minutes/);
  });

  it('does not regenerate an existing benchmark, and runs the method alone with --no-baselines', async () => {
    const { fake, generated, deps, argv } = await demo('again', { args: ['--no-baselines', '--max-train-images', '0'] });
    const io = captureIo(dir);
    expect(await runCli(argv, io, deps)).toBe(0);
    expect(generated).toEqual([]);
    expect(fake.runs.size).toBe(1);
    expect(fake.requestOf(Method.METHOD_FMWISS)?.trainData).toMatchObject({ listPath: '', split: 'train' });
  });

  it('exits 3 when a service does not start, with its output, and stops those that did', async () => {
    const error = new ServiceStartError('clip-mask', 'clip-mask did not start: exited with 3 before serving', ['{"msg":"model file missing: models/mini-clip/clip-image.onnx"}']);
    const { launcher, fake, deps, argv } = await demo('no-start', { failing: { name: 'clip-mask', error } });
    const io = captureIo(dir);
    expect(await runCli(argv, io, deps)).toBe(3);
    expect(io.stderr.text).toContain('fmwiss demo: clip-mask did not start: exited with 3 before serving');
    expect(io.stderr.text).toContain('  | {"msg":"model file missing: models/mini-clip/clip-image.onnx"}');
    expect([...launcher.stopped].sort()).toEqual(['memory-bank', 'seed-refiner', 'trainer']);
    expect(launcher.started.map((s) => s.name)).not.toContain('coordinator');
    expect(fake.runs.size).toBe(0);
  });

  it('exits 1 when a run fails, still printing the others and stopping every service', async () => {
    const script = (request: StartRunRequest) =>
      request.config?.method === Method.METHOD_FINETUNE ? failingScript(1)(request) : successScript(request);
    const { launcher, deps, argv } = await demo('failing', { script: script });
    const io = captureIo(dir);
    expect(await runCli(argv, io, deps)).toBe(1);
    expect(io.stdout.text).toMatch(/^fine-tuning \(lower bound\) +– +– +– +failed: the trainer failed: out of memory$/m);
    expect(io.stdout.text).toMatch(/^FMWISS \(ours\) +65.0 +45.0 +60.0/m);
    expect(io.stdout.text).toContain('FMWISS (ours) reaches 60.0% mIoU over all classes: 10.0 points below joint training (70.0%, the upper bound).');
    expect(launcher.stopped).toHaveLength(5);
  });

  it('on Ctrl-C cancels the runs, stops the services and exits 130', async () => {
    const { launcher, fake, deps, argv } = await demo('interrupted', { script: hangingScript });
    const controller = new AbortController();
    const io = captureIo(dir, controller.signal);
    const done = runCli(argv, io, deps);
    await until(() => fake.runs.size === 2 && io.stdout.text.includes('training (base)'), 'two runs training');
    controller.abort();
    expect(await done).toBe(130);
    expect(fake.log.filter((l) => l.startsWith('cancel ')).sort()).toEqual([...fake.runs.keys()].map((id) => `cancel ${id}`).sort());
    expect(launcher.stopped).toHaveLength(5);
    expect(io.stderr.text).toContain('fmwiss demo: interrupted');
  });

  it('fails (exit 1) when the coordinator it started crashes mid-run', async () => {
    const { launcher, fake, deps, argv } = await demo('crash', { script: hangingScript });
    const io = captureIo(dir);
    const done = runCli(argv, io, deps);
    await until(() => fake.runs.size === 2, 'two runs');
    launcher.crash('coordinator', 1);
    expect(await done).toBe(1);
    expect(io.stderr.text).toContain('coordinator exited unexpectedly with code 1');
    expect(io.stderr.text).toContain('fmwiss demo: the coordinator exited unexpectedly with code 1');
  });
});
