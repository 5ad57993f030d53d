import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import {
  DatasetRef_Format,
  Method,
  PipelineServiceClient,
  RunState,
  Setting,
  StartRunRequest,
  type Run,
  type RunEvent,
} from '@fmwiss/contracts';
import { createClient, serverStream, unary, type RunningServer } from '@fmwiss/service-kit';
import { coordinatorConfigSchema, type CoordinatorConfig } from '../src/config';
import { startCoordinator } from '../src/server';
import { FakeClipMask, FakeMemoryBank, FakeSeedRefiner, FakeTrainer } from './fake-services';
import { writeTinyVoc } from './tiny-dataset';

export interface Harness {
  dir: string;
  voc: string;
  runsDir: string;
  trainer: FakeTrainer;
  clipMask: FakeClipMask;
  seedRefiner: FakeSeedRefiner;
  memoryBank: FakeMemoryBank;
  coordinator: RunningServer;
  client: PipelineServiceClient;
  /** Stops the coordinator and starts a new one on the same folders. */
  restartCoordinator(overrides?: Partial<CoordinatorConfig>): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(overrides: Partial<CoordinatorConfig> = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'coordinator-test-'));
  const voc = await writeTinyVoc(join(dir, 'data'));
  const memoryBank = new FakeMemoryBank();
  const trainer = new FakeTrainer(memoryBank);
  const clipMask = new FakeClipMask();
  const seedRefiner = new FakeSeedRefiner();
  await Promise.all([trainer.server.start(), clipMask.server.start(), seedRefiner.server.start(), memoryBank.server.start()]);
  const runsDir = join(dir, 'runs');
  const configFor = (more: Partial<CoordinatorConfig>) =>
    coordinatorConfigSchema.parse({
      port: 0,
      runsDir,
      clipMask: clipMask.server.address,
      seedRefiner: seedRefiner.server.address,
      memoryBank: memoryBank.server.address,
      trainer: trainer.server.address,
      serviceAttempts: 3,
      retryInitialMs: 20,
      retryMaxMs: 100,
      sampleImages: 2,
      shutdownGraceMs: 1000,
      ...overrides,
      ...more,
    });
  const h: Harness = {
    dir,
    voc,
    runsDir,
    trainer,
    clipMask,
    seedRefiner,
    memoryBank,
    coordinator: await startCoordinator(configFor({}), pino({ level: 'silent' })),
    client: undefined as unknown as PipelineServiceClient,
    async restartCoordinator(more = {}) {
      h.client.close();
      await h.coordinator.shutdown('restart');
      h.coordinator = await startCoordinator(configFor(more), pino({ level: 'silent' }));
      h.client = createClient(PipelineServiceClient, { address: `127.0.0.1:${h.coordinator.port}`, deadlineMs: 30_000 });
    },
    async close() {
      h.client.close();
      await h.coordinator.shutdown('test done');
      await Promise.all([trainer.server.stop(), clipMask.server.stop(), seedRefiner.server.stop(), memoryBank.server.stop()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
  h.client = createClient(PipelineServiceClient, { address: `127.0.0.1:${h.coordinator.port}`, deadlineMs: 30_000 });
  return h;
}

/** A valid request on the tiny dataset: task [[1,2],[3]], overlap, 2 epochs per step. */
export function runRequest(h: Pick<Harness, 'voc'>, runId: string, config: Partial<NonNullable<StartRunRequest['config']>> = {}): StartRunRequest {
  return StartRunRequest.fromPartial({
    runId,
    task: { name: '', steps: [{ classIds: [1, 2] }, { classIds: [3] }] },
    setting: Setting.SETTING_OVERLAP,
    trainData: { format: DatasetRef_Format.FORMAT_VOC, root: h.voc, split: 'train' },
    valData: { format: DatasetRef_Format.FORMAT_VOC, root: h.voc, split: 'val' },
    config: {
      method: Method.METHOD_FMWISS,
      baseHyperparameters: { epochs: 2 },
      incrementalHyperparameters: { epochs: 2 },
      maskConcurrency: 2,
      ...config,
    },
  });
}

export async function startRun(client: PipelineServiceClient, request: StartRunRequest): Promise<Run> {
  return unary(client, 'startRun', request);
}

/** Every event of a run from `after` on, until the stream closes (the run ended). */
export async function watch(client: PipelineServiceClient, runId: string, after = 0, onEvent?: (event: RunEvent) => void): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  for await (const event of serverStream(client, 'watchRun', { runId, afterSequence: after }, { deadlineMs: 120_000 })) {
    events.push(event);
    onEvent?.(event);
  }
  return events;
}

export const finalState = (events: RunEvent[]): RunState | undefined =>
  events
    .map((e) => (e.event?.$case === 'state' ? e.event.state : undefined))
    .filter((s) => s !== undefined)
    .at(-1);

export const warnings = (events: RunEvent[]): string[] => events.flatMap((e) => (e.event?.$case === 'warning' ? [e.event.warning] : []));
