// In-process stand-ins for the services the coordinator drives, served over real gRPC on 127.0.0.1:
// a trainer whose jobs emit progress and write checkpoint folders, mask services that find the
// coloured squares of the tiny dataset, and a memory bank that only counts archives.
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import {
  ClipMaskServiceService,
  FMWISS_SERVICE_NAMES,
  JobState,
  MapEncoding,
  MemoryBankServiceService,
  PredictionHead,
  SeedRefinerServiceService,
  StartTrainingRequest,
  StepKind,
  TrainerServiceService,
  TrainingPhase,
  type EvaluateRequest,
  type TrainingEvent,
  type TrainingJob,
} from '@fmwiss/contracts';
import { readStepList } from '@fmwiss/datasets';
import { decodeClassMap, decodeImageMessage, encodeLabelMapMessage, encodeSoftMap } from '@fmwiss/message-codecs';
import {
  AlreadyExistsError,
  FailedPreconditionError,
  implementService,
  NotFoundError,
  serverConfigSchema,
  startServer,
  UnimplementedError,
  type RunningServer,
  type ServiceRegistration,
} from '@fmwiss/service-kit';
import { CLASS_COLOURS } from './tiny-dataset';

const logger = pino({ level: 'silent' });

/** A server that can be stopped and started again on the same port. */
export class FakeServer {
  private server: RunningServer | undefined;
  port = 0;

  constructor(private readonly registration: () => ServiceRegistration) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const config = serverConfigSchema.parse({ port: this.port, shutdownGraceMs: 0 });
    this.server = await startServer({ name: 'fake', config, logger, services: [this.registration()] });
    this.port = this.server.port;
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.shutdown('test');
    this.server = undefined;
  }
}

const unimplemented = async (): Promise<never> => {
  throw new UnimplementedError('not in the fake');
};

// ---------------------------------------------------------------- trainer

interface FakeJob {
  request: StartTrainingRequest;
  job: TrainingJob;
  events: TrainingEvent[];
  wake: (() => void)[];
  controller: AbortController;
}

export interface FakeTrainerOptions {
  /** Pause between two progress events, in ms. */
  eventDelayMs: number;
  iterationsPerEpoch: number;
}

export class FakeTrainer {
  readonly jobs = new Map<string, FakeJob>();
  readonly started: StartTrainingRequest[] = [];
  readonly cancelled: string[] = [];
  readonly evaluations: EvaluateRequest[] = [];
  readonly predictions: { checkpoint: string; head: PredictionHead }[] = [];
  readonly server: FakeServer;
  options: FakeTrainerOptions = { eventDelayMs: 1, iterationsPerEpoch: 3 };

  constructor(private readonly memoryBank?: FakeMemoryBank) {
    this.server = new FakeServer(() => ({
      definition: TrainerServiceService,
      serviceName: FMWISS_SERVICE_NAMES.trainer,
      implementation: implementService(
        TrainerServiceService,
        {
          startTraining: async (request) => this.start(request),
          watchTraining: async (request, ctx, send) => {
            const job = this.requireJob(request.jobId);
            let next = request.afterSequence;
            for (;;) {
              while (next < job.events.length) await send(job.events[next++]!);
              if (isEnded(job.job.state)) return;
              await new Promise<void>((resolve) => {
                const done = () => {
                  ctx.signal.removeEventListener('abort', done);
                  resolve();
                };
                job.wake.push(done);
                ctx.signal.addEventListener('abort', done, { once: true });
              });
              if (ctx.signal.aborted) return;
            }
          },
          getTraining: async (request) => this.requireJob(request.jobId).job,
          cancelTraining: async (request) => {
            const job = this.requireJob(request.jobId);
            this.cancelled.push(request.jobId);
            job.controller.abort();
            return job.job;
          },
          evaluate: async (request, _ctx, send) => {
            this.evaluations.push(request);
            const model = await readModel(request.checkpoint);
            await readStepList(request.data!.listPath, request.data!.listSha256);
            await send({ item: { $case: 'progress', progress: { imagesDone: 0, imagesTotal: 4 } } });
            const ids = [0, ...model.classIds];
            const iou = (id: number) => (id === 0 ? 0.9 : request.baseClassIds.includes(id) ? 0.6 + model.step * 0.01 : 0.4);
            const mean = (list: number[]) => (list.length === 0 ? Number.NaN : list.reduce((a, b) => a + iou(b), 0) / list.length);
            const seenNew = request.newClassIds.filter((id) => model.classIds.includes(id));
            await send({
              item: {
                $case: 'result',
                result: {
                  miouOld: mean(request.baseClassIds),
                  miouNew: mean(seenNew),
                  miouAll: mean(ids),
                  pixelAccuracy: 0.8,
                  classes: ids.map((id) => ({ classId: id, name: `class-${id}`, iou: iou(id), present: true })),
                  images: 4,
                  confusion: undefined,
                },
              },
            });
          },
          predict: async (request) => {
            this.predictions.push({ checkpoint: request.checkpoint, head: request.head });
            const model = await readModel(request.checkpoint);
            if (request.head === PredictionHead.PREDICTION_HEAD_TEACHER && model.kind !== StepKind.STEP_KIND_WEAK) {
              throw new FailedPreconditionError(`${request.checkpoint} has no teacher`);
            }
            const image = await decodeImageMessage(request.image, { maxPixels: 1 << 20 });
            const labels = new Uint8Array(image.width * image.height).fill(model.classIds.at(-1) ?? 0);
            return { labels: encodeLabelMapMessage({ width: image.width, height: image.height, data: labels }), classes: [], probabilities: undefined };
          },
        },
        { logger },
      ),
    }));
  }

  jobsOfKind(kind: StepKind): StartTrainingRequest[] {
    return [...this.jobs.values()].filter((job) => job.request.kind === kind).map((job) => job.request);
  }

  private requireJob(jobId: string): FakeJob {
    const job = this.jobs.get(jobId);
    if (!job) throw new NotFoundError(`no job ${jobId}`);
    return job;
  }

  private async start(request: StartTrainingRequest): Promise<TrainingJob> {
    this.started.push(request);
    const existing = this.jobs.get(request.jobId);
    if (existing) {
      const same = Buffer.from(StartTrainingRequest.encode(existing.request).finish()).equals(Buffer.from(StartTrainingRequest.encode(request).finish()));
      if (!same) throw new AlreadyExistsError(`job ${request.jobId} exists with another request`);
      return existing.job;
    }
    await this.check(request);
    const now = new Date();
    const job: FakeJob = {
      request,
      job: {
        jobId: request.jobId,
        runId: request.runId,
        step: request.step,
        kind: request.kind,
        state: JobState.JOB_STATE_RUNNING,
        progress: undefined,
        checkpoint: '',
        error: '',
        effectiveHyperparameters: request.hyperparameters,
        effectiveModel: request.model,
        createdAt: now,
        updatedAt: now,
        resumes: 0,
      },
      events: [],
      wake: [],
      controller: new AbortController(),
    };
    this.jobs.set(request.jobId, job);
    void this.train(job);
    return job.job;
  }

  /** What the real trainer would refuse: a weak step without a pseudo label per image, a base step without a memory bank. */
  private async check(request: StartTrainingRequest): Promise<void> {
    const { ids } = await readStepList(request.trainData!.listPath, request.trainData!.listSha256);
    if (request.kind === StepKind.STEP_KIND_WEAK) {
      const files = new Set(await readdir(request.pseudoLabelDir));
      const missing = ids.filter((id) => !files.has(`${id}.png`));
      if (missing.length > 0) throw new FailedPreconditionError(`pseudo labels missing for ${missing.join(', ')}`);
      if (Object.keys(request.imageLabels).length !== ids.length) throw new FailedPreconditionError('image labels do not cover the list');
      await readModel(join(request.previousCheckpoint));
    }
    if (request.kind === StepKind.STEP_KIND_BASE && !request.memoryBank) throw new FailedPreconditionError('base step without memory bank');
  }

  private emit(job: FakeJob, event: TrainingEvent['event']): void {
    job.events.push({ sequence: job.events.length + 1, time: new Date(), event });
    const wake = job.wake;
    job.wake = [];
    for (const resolve of wake) resolve();
  }

  private async train(job: FakeJob): Promise<void> {
    const { request } = job;
    const epochs = request.hyperparameters?.epochs ?? 2;
    const perEpoch = this.options.iterationsPerEpoch;
    const phase = request.kind === StepKind.STEP_KIND_WEAK ? TrainingPhase.TRAINING_PHASE_TEACHER_AND_STUDENT : TrainingPhase.TRAINING_PHASE_BASE;
    try {
      for (let epoch = 1; epoch <= epochs; epoch++) {
        for (let iteration = 1; iteration <= perEpoch; iteration++) {
          await new Promise((resolve) => setTimeout(resolve, this.options.eventDelayMs));
          if (job.controller.signal.aborted) throw new Error('cancelled');
          const k = (epoch - 1) * perEpoch + iteration;
          this.emit(job, {
            $case: 'progress',
            progress: { phase, epoch, epochs, iteration, iterationsPerEpoch: perEpoch, losses: { total: 1 / k, seg: 0.5 / k }, learningRate: 0.01, imagesPerSecond: 10, etaSeconds: 1 },
          });
        }
        const path = join(request.outputDir, `epoch-${String(epoch).padStart(3, '0')}`);
        await mkdir(path, { recursive: true });
        this.emit(job, { $case: 'checkpoint', checkpoint: { epoch, path } });
      }
      if (request.kind === StepKind.STEP_KIND_BASE && request.memoryBank) this.memoryBank?.archives.add(request.memoryBank.runId);
      const final = join(request.outputDir, 'final');
      await mkdir(final, { recursive: true });
      const classIds = [...request.oldClasses, ...request.newClasses].map((c) => c.id).sort((a, b) => a - b);
      await writeFile(join(final, 'model.json'), JSON.stringify({ jobId: request.jobId, step: request.step, kind: request.kind, classIds }));
      job.job = { ...job.job, state: JobState.JOB_STATE_SUCCEEDED, checkpoint: final, updatedAt: new Date() };
      this.emit(job, { $case: 'state', state: JobState.JOB_STATE_SUCCEEDED });
    } catch (error) {
      const cancelled = job.controller.signal.aborted;
      job.job = { ...job.job, state: cancelled ? JobState.JOB_STATE_CANCELLED : JobState.JOB_STATE_FAILED, error: cancelled ? '' : String(error) };
      this.emit(job, { $case: 'state', state: job.job.state });
    }
  }
}

const isEnded = (state: JobState) => state === JobState.JOB_STATE_SUCCEEDED || state === JobState.JOB_STATE_FAILED || state === JobState.JOB_STATE_CANCELLED;

async function readModel(checkpoint: string): Promise<{ step: number; kind: StepKind; classIds: number[] }> {
  try {
    return JSON.parse(await readFile(join(checkpoint, 'model.json'), 'utf8'));
  } catch {
    throw new FailedPreconditionError(`no checkpoint at ${checkpoint}`);
  }
}

// ---------------------------------------------------------------- mask services

const near = (data: Uint8Array, i: number, colour: [number, number, number]) =>
  Math.abs(data[i * 3]! - colour[0]) + Math.abs(data[i * 3 + 1]! - colour[1]) + Math.abs(data[i * 3 + 2]! - colour[2]) < 60;

/** M_init = 1 on the pixels of the class's colour (names are ignored: ids pick the colour). */
export class FakeClipMask {
  calls = 0;
  readonly server = new FakeServer(() => ({
    definition: ClipMaskServiceService,
    serviceName: FMWISS_SERVICE_NAMES.clipMask,
    implementation: implementService(
      ClipMaskServiceService,
      {
        computeInitialMasks: async (request) => {
          this.calls++;
          const image = await decodeImageMessage(request.image, { maxPixels: 1 << 20 });
          const masks = request.classes.map((c) => {
            const values = new Float32Array(image.width * image.height);
            for (let i = 0; i < values.length; i++) values[i] = near(image.data, i, CLASS_COLOURS[c.id] ?? [0, 0, 0]) ? 1 : 0;
            return { classId: c.id, map: encodeSoftMap(values, image.width, image.height, request.options?.encoding ?? MapEncoding.MAP_ENCODING_FLOAT32) };
          });
          return { imageId: request.image?.imageId ?? '', width: image.width, height: image.height, masks, scores: [], modelMs: 1, error: undefined };
        },
        streamInitialMasks: unimplemented,
        encodeClassNames: unimplemented,
        getInfo: async () => ({
          imageModel: { uri: 'fake:colour-image', metadata: { version: '1' } },
          textModel: { uri: 'fake:colour-text', metadata: {} },
          defaultTemplates: ['a photo of a {}.'],
          defaultBackgroundPrompts: ['background'],
          defaultTemperature: 0.01,
          maxImagePixels: 1 << 20,
        }),
      },
      { logger },
    ),
  }));
}

/** The pseudo label map: each pixel the first class whose M_init exceeds 0.5. */
export class FakeSeedRefiner {
  calls = 0;
  readonly server = new FakeServer(() => ({
    definition: SeedRefinerServiceService,
    serviceName: FMWISS_SERVICE_NAMES.seedRefiner,
    implementation: implementService(
      SeedRefinerServiceService,
      {
        refineMasks: async (request) => {
          this.calls++;
          const image = await decodeImageMessage(request.image, { maxPixels: 1 << 20 });
          const size = { width: image.width, height: image.height };
          const labels = new Uint8Array(size.width * size.height);
          const maps = request.initialMasks.map((m) => decodeClassMap(m, size, `class ${m.classId}`));
          for (const map of maps) for (let i = 0; i < labels.length; i++) if (labels[i] === 0 && map.values[i]! > 0.5) labels[i] = map.classId;
          return {
            imageId: request.image?.imageId ?? '',
            pseudoLabels: encodeLabelMapMessage({ ...size, data: labels }),
            areas: maps.map((m) => ({ classId: m.classId, pixels: labels.filter((v) => v === m.classId).length })),
            intermediates: request.options?.includeIntermediates
              ? maps.map((m) => ({ classId: m.classId, initBinary: undefined, seeds: [], seedMap: encodeSoftMap(m.values, size.width, size.height, MapEncoding.MAP_ENCODING_FLOAT32), seedBinary: undefined, fused: undefined }))
              : [],
            modelMs: 1,
            error: undefined,
          };
        },
        streamRefineMasks: unimplemented,
        getInfo: async () => ({ model: { uri: 'fake:blob-vit', metadata: {} }, defaultMassFraction: 0.7, defaultNumSeeds: 9, maxImagePixels: 1 << 20 }),
      },
      { logger },
    ),
  }));
}

/** Knows which archives exist (the fake trainer adds them); only GetStats answers. */
export class FakeMemoryBank {
  readonly archives = new Set<string>();
  readonly server = new FakeServer(() => ({
    definition: MemoryBankServiceService,
    serviceName: FMWISS_SERVICE_NAMES.memoryBank,
    implementation: implementService(
      MemoryBankServiceService,
      {
        getStats: async (request) => {
          if (!this.archives.has(request.runId)) throw new NotFoundError(`no archive ${request.runId}`);
          return { runId: request.runId, capacityPerClass: 8, seed: 0, acceptedClassIds: [], classes: [], totalOffered: 10, totalStored: 8, totalBytes: 100, createdAt: new Date() };
        },
        createArchive: unimplemented,
        put: unimplemented,
        sample: unimplemented,
        listArchives: unimplemented,
        deleteArchive: unimplemented,
      },
      { logger },
    ),
  }));
}
