// Fake PipelineService and TrainerService servers (real gRPC on 127.0.0.1) that play scripted
// runs, evaluations and predictions, and an io that captures what a command prints.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import {
  FMWISS_SERVICE_NAMES,
  ImageFormat,
  Method,
  PipelineServiceService,
  RunState,
  StepStage,
  TrainerServiceService,
  TrainingPhase,
  type EvaluateRequest,
  type EvaluationResult,
  type PredictRequest,
  type Run,
  type RunEvent,
  type StartRunRequest,
} from '@fmwiss/contracts';
import { encodeLabelPng } from '@fmwiss/imaging';
import { implementService, NotFoundError, serverConfigSchemaWithPort, startServer, type RunningServer } from '@fmwiss/service-kit';
import { CapturedOutput, type CliIo, type LaunchedService, type ServiceLauncher, type ServiceSpec } from '../src';

export function captureIo(cwd: string, signal: AbortSignal = new AbortController().signal): CliIo & { stdout: CapturedOutput; stderr: CapturedOutput } {
  return { stdout: new CapturedOutput(), stderr: new CapturedOutput(), cwd, env: {}, signal };
}

const serverConfig = () => serverConfigSchemaWithPort(0).parse({ port: 0, host: '127.0.0.1', logLevel: 'silent', shutdownGraceMs: 200 });

export function evaluation(all: number, old: number, added: number): EvaluationResult {
  return {
    miouOld: old,
    miouNew: added,
    miouAll: all,
    pixelAccuracy: 0.9,
    images: 10,
    confusion: undefined,
    classes: [
      { classId: 0, name: 'background', iou: 0.9, present: true },
      { classId: 16, name: 'pottedplant', iou: 0.25, present: true },
      { classId: 17, name: 'sheep', iou: 0, present: false },
    ],
  };
}

/** What a scripted run ends with, by method. */
export const FINAL_SCORES: Record<number, [number, number, number]> = {
  [Method.METHOD_FMWISS]: [0.6, 0.65, 0.45],
  [Method.METHOD_FINETUNE]: [0.3, 0.2, 0.5],
  [Method.METHOD_JOINT]: [0.7, 0.72, 0.66],
};

type Body = NonNullable<RunEvent['event']>;
export type ScriptItem = { step: number; body: Body } | { hang: true };

/** A script that fails at step `step`'s training. */
export function failingScript(step: number): (request: StartRunRequest) => ScriptItem[] {
  return (request) => {
    const items = successScript(request);
    const at = items.findIndex((i) => 'step' in i && i.step === step && i.body.$case === 'training');
    return [...items.slice(0, at + 1), { step, body: { $case: 'state', state: RunState.RUN_STATE_FAILED } }];
  };
}

/** A script that stops sending events at step 0's training (until cancelled). */
export function hangingScript(request: StartRunRequest): ScriptItem[] {
  const items = successScript(request);
  const at = items.findIndex((i) => 'step' in i && i.body.$case === 'training');
  return [...items.slice(0, at + 1), { hang: true }];
}

/** The events of a successful two-step run (one step for joint training). */
export function successScript(request: StartRunRequest): ScriptItem[] {
  const method = request.config?.method ?? Method.METHOD_FMWISS;
  const [all, old, added] = FINAL_SCORES[method] ?? [0.5, 0.5, 0.5];
  const steps = method === Method.METHOD_JOINT ? [0] : [0, 1];
  const items: ScriptItem[] = [{ step: 0, body: { $case: 'state', state: RunState.RUN_STATE_RUNNING } }];
  for (const step of steps) {
    items.push({ step, body: { $case: 'stage', stage: StepStage.STEP_STAGE_LISTING } });
    if (step > 0 && method === Method.METHOD_FMWISS) {
      items.push({ step, body: { $case: 'stage', stage: StepStage.STEP_STAGE_PSEUDO_LABELS } });
      items.push({ step, body: { $case: 'pseudoLabels', pseudoLabels: { done: 6, cached: 2, total: 12, imagesPerSecond: 3 } } });
      items.push({ step, body: { $case: 'warning', warning: 'clip-mask UNAVAILABLE, retrying in 500 ms' } });
      items.push({ step, body: { $case: 'pseudoLabels', pseudoLabels: { done: 12, cached: 2, total: 12, imagesPerSecond: 3 } } });
    }
    items.push({ step, body: { $case: 'stage', stage: StepStage.STEP_STAGE_TRAINING } });
    items.push({
      step,
      body: {
        $case: 'training',
        training: {
          phase: step === 0 ? TrainingPhase.TRAINING_PHASE_BASE : TrainingPhase.TRAINING_PHASE_TEACHER_AND_STUDENT,
          epoch: 2,
          epochs: 3,
          iteration: 5,
          iterationsPerEpoch: 10,
          losses: { total: 0.4123, seg: 0.3 },
          learningRate: 0.001,
          imagesPerSecond: 8,
          etaSeconds: 75,
        },
      },
    });
    items.push({ step, body: { $case: 'stage', stage: StepStage.STEP_STAGE_EVALUATING } });
    const last = step === steps[steps.length - 1];
    items.push({ step, body: { $case: 'evaluation', evaluation: last ? evaluation(all, old, added) : evaluation(0.8, 0.8, NaN) } });
    items.push({ step, body: { $case: 'stage', stage: StepStage.STEP_STAGE_DONE } });
  }
  items.push({ step: steps[steps.length - 1] as number, body: { $case: 'state', state: RunState.RUN_STATE_SUCCEEDED } });
  return items;
}

interface FakeRun {
  run: Run;
  events: RunEvent[];
  wake: Set<() => void>;
  cancelled: boolean;
}

export interface FakeCoordinatorOptions {
  /** The script of a run (default successScript). */
  script?: (request: StartRunRequest) => ScriptItem[];
  /** Folder where run folders (metrics.json, report.html) are written; unset: runDir left empty. */
  runsDir?: string;
  /** An error StartRun answers with instead of starting the run. */
  refuse?: (request: StartRunRequest) => Error | undefined;
}

/** A PipelineService that plays a script per run, one event every few milliseconds. */
export class FakeCoordinator {
  readonly runs = new Map<string, FakeRun>();
  /** "start <runId>", "<runId> step <s> DONE", "cancel <runId>" in the order they happened. */
  readonly log: string[] = [];
  server!: RunningServer;

  constructor(private readonly options: FakeCoordinatorOptions = {}) {}

  get address(): string {
    return `127.0.0.1:${this.server.port}`;
  }

  async start(): Promise<this> {
    const handlers = {
      startRun: async (request: StartRunRequest) => this.startRun(request),
      getRun: async ({ runId }: { runId: string }) => this.get(runId).run,
      cancelRun: async ({ runId }: { runId: string }) => {
        const fake = this.get(runId);
        this.log.push(`cancel ${runId}`);
        fake.cancelled = true;
        this.emit(fake, fake.run.currentStep, { $case: 'state', state: RunState.RUN_STATE_CANCELLED });
        return fake.run;
      },
      listRuns: async () => ({ runs: [...this.runs.values()].map((r) => r.run) }),
      watchRun: async (request: { runId: string; afterSequence: number }, ctx: { signal: AbortSignal }, send: (e: RunEvent) => Promise<void>) => {
        const fake = this.get(request.runId);
        let sent = request.afterSequence;
        for (;;) {
          for (const event of fake.events.filter((e) => e.sequence > sent)) {
            await send(event);
            sent = event.sequence;
          }
          if ([RunState.RUN_STATE_SUCCEEDED, RunState.RUN_STATE_FAILED, RunState.RUN_STATE_CANCELLED].includes(fake.run.state)) return;
          await new Promise<void>((resolve) => {
            const done = () => {
              ctx.signal.removeEventListener('abort', done);
              resolve();
            };
            fake.wake.add(done);
            ctx.signal.addEventListener('abort', done, { once: true });
          });
          if (ctx.signal.aborted) return;
        }
      },
    };
    this.server = await startServer({
      name: 'fake-coordinator',
      config: serverConfig(),
      logger: pino({ level: 'silent' }),
      services: [
        {
          definition: PipelineServiceService,
          implementation: implementService(PipelineServiceService, handlers as never, { logger: pino({ level: 'silent' }) }),
          serviceName: FMWISS_SERVICE_NAMES.pipeline,
        },
      ],
    });
    return this;
  }

  async stop(): Promise<void> {
    for (const fake of this.runs.values()) for (const wake of fake.wake) wake();
    await this.server.shutdown('test done');
  }

  requestOf(method: Method): StartRunRequest | undefined {
    return [...this.runs.values()].find((r) => r.run.request?.config?.method === method)?.run.request;
  }

  private get(runId: string): FakeRun {
    const fake = this.runs.get(runId);
    if (!fake) throw new NotFoundError(`run ${runId} not found`);
    return fake;
  }

  private startRun(request: StartRunRequest): Run {
    const refusal = this.options.refuse?.(request);
    if (refusal) throw refusal;
    const runId = request.runId || `run-${this.runs.size + 1}`;
    const existing = this.runs.get(runId);
    if (existing) return existing.run;
    this.log.push(`start ${runId}`);
    const method = request.config?.method ?? Method.METHOD_FMWISS;
    const stepCount = method === Method.METHOD_JOINT ? 1 : 2;
    const runDir = this.options.runsDir ? join(this.options.runsDir, runId) : '';
    const run: Run = {
      runId,
      state: RunState.RUN_STATE_QUEUED,
      request,
      steps: Array.from({ length: stepCount }, (_, step) => ({
        step,
        classIds: [],
        stage: StepStage.STEP_STAGE_PENDING,
        images: 12,
        listSha256: '',
        pseudoLabelsDone: 0,
        pseudoLabelsCached: 0,
        trainingJobId: '',
        checkpoint: '',
        evaluation: undefined,
      })),
      currentStep: 0,
      runDir,
      error: '',
      createdAt: new Date(),
      updatedAt: new Date(),
    };
    const fake: FakeRun = { run, events: [], wake: new Set(), cancelled: false };
    this.runs.set(runId, fake);
    void this.play(fake, (this.options.script ?? successScript)(request));
    return run;
  }

  private emit(fake: FakeRun, step: number, body: Body): void {
    const event: RunEvent = { sequence: fake.events.length + 1, time: new Date(), step, event: body };
    fake.events.push(event);
    const run = fake.run;
    const status = run.steps.find((s) => s.step === step);
    switch (body.$case) {
      case 'state':
        run.state = body.state;
        if (body.state === RunState.RUN_STATE_SUCCEEDED && run.runDir) this.writeRunFolder(run);
        break;
      case 'stage':
        run.currentStep = step;
        if (status) status.stage = body.stage;
        if (body.stage === StepStage.STEP_STAGE_DONE) this.log.push(`${run.runId} step ${step} DONE`);
        break;
      case 'evaluation':
        if (status) status.evaluation = body.evaluation;
        break;
    }
    for (const wake of fake.wake) wake();
    fake.wake.clear();
  }

  private writeRunFolder(run: Run): void {
    mkdirSync(run.runDir, { recursive: true });
    const last = run.steps[run.steps.length - 1]?.evaluation;
    const metrics = {
      runId: run.runId,
      task: '15-5',
      setting: 'overlap',
      method: 'fmwiss',
      label: 'label from metrics.json',
      steps: [],
      final: { miouOld: last?.miouOld, miouNew: last?.miouNew, miouAll: last?.miouAll },
      pseudoLabelQuality: [],
      totalSeconds: 1,
    };
    writeFileSync(join(run.runDir, 'metrics.json'), JSON.stringify(metrics));
    writeFileSync(join(run.runDir, 'report.html'), '<!doctype html><title>report</title>');
  }

  private async play(fake: FakeRun, script: ScriptItem[]): Promise<void> {
    for (const item of script) {
      await new Promise((resolve) => setTimeout(resolve, 3));
      if (fake.cancelled) return;
      if ('hang' in item) return;
      if (item.body.$case === 'state' && item.body.state === RunState.RUN_STATE_FAILED) fake.run.error = 'the trainer failed: out of memory';
      this.emit(fake, item.step, item.body);
    }
  }
}

/** A TrainerService answering Evaluate (progress, then a result) and Predict (a 4x2 label map). */
export class FakeTrainer {
  readonly evaluateRequests: EvaluateRequest[] = [];
  readonly predictRequests: PredictRequest[] = [];
  server!: RunningServer;

  get address(): string {
    return `127.0.0.1:${this.server.port}`;
  }

  async start(): Promise<this> {
    const unimplemented = async () => {
      throw new NotFoundError('not in the fake');
    };
    const handlers = {
      startTraining: unimplemented,
      watchTraining: unimplemented,
      getTraining: unimplemented,
      cancelTraining: unimplemented,
      evaluate: async (request: EvaluateRequest, _ctx: unknown, send: (r: unknown) => Promise<void>) => {
        this.evaluateRequests.push(request);
        if (request.checkpoint.endsWith('missing')) throw new NotFoundError(`checkpoint ${request.checkpoint} not found`);
        await send({ item: { $case: 'progress', progress: { imagesDone: 5, imagesTotal: 10 } } });
        await send({ item: { $case: 'progress', progress: { imagesDone: 10, imagesTotal: 10 } } });
        await send({ item: { $case: 'result', result: evaluation(0.55, 0.6, 0.25) } });
      },
      predict: async (request: PredictRequest) => {
        this.predictRequests.push(request);
        const labels = { width: 4, height: 2, data: Uint8Array.from([0, 0, 0, 15, 15, 15, 16, 0]) };
        return {
          labels: { source: { $case: 'encoded', encoded: { format: ImageFormat.IMAGE_FORMAT_PNG, data: encodeLabelPng(labels) } } },
          classes: [
            { id: 0, name: 'background', promptName: '' },
            { id: 15, name: 'person', promptName: '' },
            { id: 16, name: 'pottedplant', promptName: 'potted plant' },
          ],
          probabilities: undefined,
        };
      },
    };
    this.server = await startServer({
      name: 'fake-trainer',
      config: serverConfig(),
      logger: pino({ level: 'silent' }),
      services: [
        {
          definition: TrainerServiceService,
          implementation: implementService(TrainerServiceService, handlers as never, { logger: pino({ level: 'silent' }) }),
          serviceName: FMWISS_SERVICE_NAMES.trainer,
        },
      ],
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.server.shutdown('test done');
  }
}

/** A ServiceLauncher that starts nothing: it records the specs and hands out addresses (the coordinator's is given). */
export class FakeLauncher implements ServiceLauncher {
  readonly started: ServiceSpec[] = [];
  readonly stopped: string[] = [];
  private readonly exits = new Map<string, (code: number | null) => void>();

  constructor(
    private readonly coordinatorAddress: string,
    private readonly failing?: { name: string; error: Error },
  ) {}

  async start(spec: ServiceSpec): Promise<LaunchedService> {
    const index = this.started.push(spec);
    await new Promise((resolve) => setTimeout(resolve, 2));
    if (this.failing?.name === spec.name) throw this.failing.error;
    let resolveExit: (code: number | null) => void = () => undefined;
    const exited = new Promise<number | null>((resolve) => (resolveExit = resolve));
    this.exits.set(spec.name, resolveExit);
    return {
      name: spec.name,
      address: spec.name === 'coordinator' ? this.coordinatorAddress : `127.0.0.1:${51000 + index}`,
      pid: 1000 + index,
      exited,
      stop: async () => {
        this.stopped.push(spec.name);
        resolveExit(0);
        return 0;
      },
    };
  }

  /** Makes a service "crash". */
  crash(name: string, code: number): void {
    this.exits.get(name)?.(code);
  }
}

/** Resolves once `condition()` holds; rejects after `timeoutMs` (tests never spin forever). */
export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
