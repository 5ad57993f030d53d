import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { JobState, StartTrainingRequest, type TrainingEvent } from '@fmwiss/contracts';
import { JobManager, requestFingerprint, type JobManagerOptions } from '../src/lib/job-manager';
import type { StepHyperparameters, StepSpec } from '../src/lib/step-api';

export const FAKE_WORKER = join(__dirname, 'fixtures/fake-training-worker.ts');

export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), `${prefix}-`));

export function hyperparameters(epochs: number): StepHyperparameters {
  return {
    epochs,
    batchSize: 2,
    learningRate: 0.01,
    momentum: 0.9,
    weightDecay: 0,
    polyPower: 0.9,
    gradientClipNorm: 0,
    teacherWarmupEpochs: 0,
    contrastiveWeight: 0.1,
    contrastiveTemperature: 0.1,
    contrastivePointsPerClass: 10,
    alpha: 0.5,
    beta: 0.9,
    useTeacher: true,
    copyPaste: { enabled: false, instancesPerImage: 1, scaleMin: 0.5, scaleMax: 1 },
    seed: 1,
    scaleMin: 0.5,
    scaleMax: 1.5,
  };
}

export function fakeSpec(runId: string, outputDir: string, epochs = 3): StepSpec {
  return {
    runId,
    step: 0,
    kind: 'base',
    newClasses: [{ id: 1, name: 'aeroplane' }],
    oldClasses: [],
    trainData: { format: 'voc', root: '/nowhere' },
    outputDir,
    hyperparameters: hyperparameters(epochs),
  };
}

export function openManager(stateDir: string, overrides: Partial<JobManagerOptions> = {}): JobManager {
  return JobManager.open({ stateDir, maxConcurrentJobs: 1, logger: pino({ level: 'silent' }), workerModule: FAKE_WORKER, ...overrides });
}

/** Starts a fake job whose request differs by `runId` (the fingerprint follows the request). */
export function startFake(manager: JobManager, jobId: string, runId: string, outputDir: string, epochs = 3) {
  const request = StartTrainingRequest.fromPartial({ jobId, runId, step: 0, outputDir });
  return manager.start({ jobId, request, work: { spec: fakeSpec(runId, outputDir, epochs) } }, requestFingerprint(request));
}

/** Every event of a job until it ends. */
export async function collect(manager: JobManager, jobId: string, after = 0): Promise<TrainingEvent[]> {
  const events: TrainingEvent[] = [];
  const subscription = manager.watch(jobId, after);
  for await (const event of subscription.events) events.push(event);
  return events;
}

export const states = (events: TrainingEvent[]): JobState[] =>
  events.flatMap((e) => (e.event?.$case === 'state' ? [e.event.state] : []));

export const checkpointEpochs = (events: TrainingEvent[]): number[] =>
  events.flatMap((e) => (e.event?.$case === 'checkpoint' ? [e.event.checkpoint.epoch] : []));

/** Resolves with the first event that matches. */
export async function waitForEvent(manager: JobManager, jobId: string, match: (event: TrainingEvent) => boolean): Promise<TrainingEvent> {
  const subscription = manager.watch(jobId, 0);
  try {
    for await (const event of subscription.events) if (match(event)) return event;
  } finally {
    subscription.close();
  }
  throw new Error(`job ${jobId} ended without the awaited event`);
}
