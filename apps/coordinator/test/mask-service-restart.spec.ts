// The real clip-mask and seed-refiner services (child processes on 127.0.0.1, known-answer ONNX models
// of @fmwiss/model-fixtures) behind a coordinator: seed-refiner is killed with SIGKILL mid-run and
// started again on the same port a bit later; the coordinator retries with backoff and the run
// completes. The trainer and memory bank are the in-process fakes.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { DatasetRef_Format, Method, PipelineServiceClient, RunState, Setting, StartRunRequest, StepStage } from '@fmwiss/contracts';
import { writeBlobVit, writeColourClip } from '@fmwiss/model-fixtures';
import type { MetricsFile } from '@fmwiss/run-report';
import { createClient, startChildService, type ChildService, type RunningServer } from '@fmwiss/service-kit';
import { coordinatorConfigSchema } from '../src/config';
import { startCoordinator } from '../src/server';
import { FakeMemoryBank, FakeTrainer } from './fake-services';
import { finalState, startRun, warnings, watch } from './harness';
import { TRAIN_IMAGES, writeColourManifest } from './tiny-dataset';

const APPS = join(__dirname, '../..');

let dir: string;
let clipArgs: string[];
let refinerArgs: string[];
const children: ChildService[] = [];
let trainer: FakeTrainer;
let memoryBank: FakeMemoryBank;
let coordinator: RunningServer;
let client: PipelineServiceClient;

const child = async (service: string, args: string[]): Promise<ChildService> => {
  const started = await startChildService({ entry: join(APPS, service, 'src/main.ts'), args: [...args, '--log-level', 'info'], startTimeoutMs: 60_000 });
  children.push(started);
  return started;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coordinator-restart-'));
  const clip = await writeColourClip(join(dir, 'colour-clip'));
  const vit = await writeBlobVit(join(dir, 'blob-vit.onnx'));
  clipArgs = ['--image-model', `onnx:${clip.imagePath}`, '--text-model', `onnx:${clip.textPath}`];
  refinerArgs = ['--model', `onnx:${vit}`];
  memoryBank = new FakeMemoryBank();
  trainer = new FakeTrainer(memoryBank);
  trainer.options = { eventDelayMs: 50, iterationsPerEpoch: 4 };
  await Promise.all([trainer.server.start(), memoryBank.server.start()]);
}, 120_000);

afterAll(async () => {
  client?.close();
  await coordinator?.shutdown('test done');
  for (const c of children) c.process.kill('SIGKILL');
  await Promise.all(children.map((c) => c.exited));
  await Promise.all([trainer?.server.stop(), memoryBank?.server.stop()]);
  await rm(dir, { recursive: true, force: true });
});

it('retries a mask service that went away mid-run, and the run completes once it is back', async () => {
  const [clipMask, firstRefiner] = await Promise.all([child('clip-mask', ['--port', '0', ...clipArgs]), child('seed-refiner', ['--port', '0', ...refinerArgs])]);
  const refinerPort = firstRefiner.port;
  coordinator = await startCoordinator(
    coordinatorConfigSchema.parse({
      port: 0,
      runsDir: join(dir, 'runs'),
      clipMask: `127.0.0.1:${clipMask.port}`,
      seedRefiner: `127.0.0.1:${refinerPort}`,
      memoryBank: memoryBank.server.address,
      trainer: trainer.server.address,
      serviceAttempts: 30,
      retryInitialMs: 200,
      retryMaxMs: 1000,
      sampleImages: 1,
    }),
    pino({ level: 'silent' }),
  );
  client = createClient(PipelineServiceClient, { address: `127.0.0.1:${coordinator.port}`, deadlineMs: 30_000 });
  const manifest = await writeColourManifest(join(dir, 'data'));
  await startRun(
    client,
    StartRunRequest.fromPartial({
      runId: 'survives-restart',
      task: { steps: [{ classIds: [1, 2] }, { classIds: [3] }] },
      setting: Setting.SETTING_OVERLAP,
      trainData: { format: DatasetRef_Format.FORMAT_MANIFEST, root: manifest, split: 'train' },
      valData: { format: DatasetRef_Format.FORMAT_MANIFEST, root: manifest, split: 'val' },
      // The colour CLIP embeds only colour words: "gray" in the template gives the default
      // background prompts a direction (gray patches), and each class its colour plus gray.
      config: { method: Method.METHOD_FMWISS, promptTemplates: ['a gray {}.'], maskConcurrency: 2, baseHyperparameters: { epochs: 2 }, incrementalHyperparameters: { epochs: 1 } },
    }),
  );

  let restarted: Promise<ChildService> | undefined;
  const events = await watch(client, 'survives-restart', 0, (event) => {
    if (event.event?.$case !== 'stage') return;
    // Gone while the base step trains, so the weak step finds it down; back 1.5 s into the weak step.
    if (event.step === 0 && event.event.stage === StepStage.STEP_STAGE_TRAINING) firstRefiner.process.kill('SIGKILL');
    if (event.step === 1 && event.event.stage === StepStage.STEP_STAGE_PSEUDO_LABELS) {
      restarted = new Promise((resolve) => setTimeout(resolve, 1500)).then(() => child('seed-refiner', ['--port', String(refinerPort), ...refinerArgs]));
    }
  });
  expect(await firstRefiner.exited).toBeNull(); // ended by the signal
  expect((await restarted!).port).toBe(refinerPort);

  expect(finalState(events)).toBe(RunState.RUN_STATE_SUCCEEDED);
  const retries = warnings(events).filter((w) => w.startsWith(`seed-refiner at 127.0.0.1:${refinerPort}: `));
  expect(retries.length).toBeGreaterThanOrEqual(2);
  expect(retries[0]).toMatch(/failed with UNAVAILABLE: .*; retrying in 200 ms \(attempt 2 of 30\)/);

  const runDir = join(dir, 'runs', 'survives-restart');
  const step1 = Object.keys(TRAIN_IMAGES).filter((id) => TRAIN_IMAGES[id]!.includes(3));
  expect((await readdir(join(runDir, 'pseudo-labels', 'step-1'))).sort()).toEqual(step1.map((id) => `${id}.png`));
  const metrics = JSON.parse(await readFile(join(runDir, 'metrics.json'), 'utf8')) as MetricsFile;
  expect(metrics.pseudoLabelQuality[0]).toMatchObject({ step: 1, images: step1.length });
  expect(metrics.pseudoLabelQuality[0]!.miou).toBeGreaterThan(0.5); // M_init finds the blue squares; the blob ViT's seeds add a margin
  const html = await readFile(join(runDir, 'report.html'), 'utf8');
  expect(html).toContain('M_init: blue');
  expect(html).toContain('seed map: blue');
}, 120_000);
