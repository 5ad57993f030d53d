import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import {
  DatasetRef_Format,
  StepKind,
  TrainerServiceClient,
  type StartTrainingRequest,
  type TrainingEvent,
  JobState,
} from '@fmwiss/contracts';
import { createClient, serverStream, type RunningServer } from '@fmwiss/service-kit';
import type { StepHyperparameters, StepValidation } from '@fmwiss/training-jobs';
import { trainerConfigSchema } from '../src/config';
import { startTrainer, type TrainerOverrides } from '../src/server';

/** The fake workers of libs/training-jobs (test fixtures), run by path. */
const FIXTURES = join(__dirname, '../../../libs/training-jobs/test/fixtures');
export const FAKE_TRAINING_WORKER = join(FIXTURES, 'fake-training-worker.ts');
export const FAKE_INFERENCE_WORKER = join(FIXTURES, 'fake-inference-worker.ts');

const DEFAULTS: StepHyperparameters = {
  epochs: 2,
  batchSize: 2,
  learningRate: 0.01,
  momentum: 0.9,
  weightDecay: 0.0001,
  polyPower: 0.9,
  gradientClipNorm: 0,
  teacherWarmupEpochs: 0,
  contrastiveWeight: 0.1,
  contrastiveTemperature: 0.1,
  contrastivePointsPerClass: 10,
  alpha: 0.5,
  beta: 0.9,
  useTeacher: true,
  copyPaste: { enabled: true, instancesPerImage: 1, scaleMin: 0.5, scaleMax: 1 },
  seed: 1,
  scaleMin: 0.5,
  scaleMax: 1.5,
};

class StepSpecError extends Error {
  override name = 'StepSpecError';
}

/** Request checks standing in for step-training's: defaults filled, epochs checked, folders must exist. */
export const fakeValidation: StepValidation = {
  resolveHyperparameters(_kind, given) {
    const resolved = { ...DEFAULTS, ...given, copyPaste: { ...DEFAULTS.copyPaste, ...given.copyPaste } } as StepHyperparameters;
    if (!(Number.isInteger(resolved.epochs) && resolved.epochs >= 1)) throw new StepSpecError(`hyperparameters.epochs must be an integer >= 1, got ${resolved.epochs}`);
    return resolved;
  },
  resolveStepModel(model) {
    return { imageSize: 128, encoderWidth: 24, outputStride: 8, asppRates: [2, 4, 6], asppChannels: 64, embeddingDim: 64, blocksPerStage: [1, 1, 1], normGroups: 8, atrous: 'native', ...model };
  },
  async checkStepSpec(spec) {
    const preconditions: string[] = [];
    if (!existsSync(spec.trainData.root)) preconditions.push(`train_data.root ${spec.trainData.root} does not exist`);
    if (spec.previousCheckpoint && !existsSync(spec.previousCheckpoint)) preconditions.push(`previous_checkpoint ${spec.previousCheckpoint} does not exist`);
    if (spec.pseudoLabelDir && !existsSync(spec.pseudoLabelDir)) preconditions.push(`pseudo_label_dir ${spec.pseudoLabelDir} does not exist`);
    return { invalid: [], preconditions };
  },
};

export interface Harness {
  server: RunningServer;
  client: TrainerServiceClient;
  dir: string;
  stateDir: string;
  close(): Promise<void>;
}

/** A trainer on 127.0.0.1 (ephemeral port, temporary state dir) with the fake workers unless told otherwise. */
export async function startHarness(config: Record<string, unknown> = {}, overrides: TrainerOverrides = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'trainer-test-'));
  const stateDir = join(dir, 'state');
  const parsed = trainerConfigSchema.parse({ port: 0, stateDir, shutdownGraceMs: 2000, ...config });
  const server = await startTrainer(parsed, pino({ level: 'silent' }), {
    trainingWorker: FAKE_TRAINING_WORKER,
    inferenceWorker: FAKE_INFERENCE_WORKER,
    validation: fakeValidation,
    ...overrides,
  });
  const client = trainerClient(server.port);
  return {
    server,
    client,
    dir,
    stateDir,
    async close() {
      client.close();
      await server.shutdown('test done');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const trainerClient = (port: number): TrainerServiceClient =>
  createClient(TrainerServiceClient, { address: `127.0.0.1:${port}`, deadlineMs: 60_000 });

/** The two classes of the tiny VOC of tiny-voc.ts (real-step tests). */
export const RED_GREEN = [
  { id: 1, name: 'red', promptName: '' },
  { id: 2, name: 'green', promptName: '' },
];

/**
 * A BASE request (aeroplane, bicycle; 2 epochs) reading the VOC folder `root` (which must exist for
 * the fake precondition check); `overrides` replace whole fields.
 */
export function baseRequest(root: string, outputDir: string, overrides: Partial<StartTrainingRequest> = {}): StartTrainingRequest {
  return {
    jobId: '',
    runId: 'run-20ms',
    step: 0,
    kind: StepKind.STEP_KIND_BASE,
    newClasses: [
      { id: 1, name: 'aeroplane', promptName: '' },
      { id: 2, name: 'bicycle', promptName: '' },
    ],
    oldClasses: [],
    trainData: { format: DatasetRef_Format.FORMAT_VOC, root, listPath: '', listSha256: '', split: 'train' },
    pseudoLabelDir: '',
    previousCheckpoint: '',
    outputDir,
    hyperparameters: { epochs: 2, copyPaste: undefined },
    model: undefined,
    memoryBank: undefined,
    imageLabels: {},
    ...overrides,
  };
}

/** Every event of a WatchTraining stream until it closes. */
export async function watchAll(client: TrainerServiceClient, jobId: string, afterSequence = 0): Promise<TrainingEvent[]> {
  const events: TrainingEvent[] = [];
  for await (const event of serverStream(client, 'watchTraining', { jobId, afterSequence }, { deadlineMs: 120_000 })) events.push(event);
  return events;
}

export const statesOf = (events: TrainingEvent[]): JobState[] => events.flatMap((e) => (e.event?.$case === 'state' ? [e.event.state] : []));
export const checkpointsOf = (events: TrainingEvent[]): number[] =>
  events.flatMap((e) => (e.event?.$case === 'checkpoint' ? [e.event.checkpoint.epoch] : []));
