// PipelineService through real gRPC on 127.0.0.1, against in-process fake trainer, mask services and
// memory bank, on a tiny dataset written here: whole runs, the run folder, both caches, the three
// methods, single flight of the base step, cancellation, WatchRun replay, restart, failure after retries.
import * as grpc from '@grpc/grpc-js';
import { access, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetRef_Format, Method, RunEvent, RunState, Setting, StepKind, StepStage, type StartRunRequest } from '@fmwiss/contracts';
import { decodeLabelPng } from '@fmwiss/imaging';
import { unary, statusOf } from '@fmwiss/service-kit';
import type { MetricsFile } from '@fmwiss/run-report';
import { finalState, runRequest, startHarness, startRun, warnings, watch, type Harness } from './harness';
import { TRAIN_IMAGES, VAL_IMAGES } from './tiny-dataset';

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const step1Ids = Object.keys(TRAIN_IMAGES).filter((id) => TRAIN_IMAGES[id]!.includes(3));
const step0Ids = Object.keys(TRAIN_IMAGES).filter((id) => TRAIN_IMAGES[id]!.some((c) => c === 1 || c === 2));

describe('a whole fmwiss run', () => {
  let events: RunEvent[];
  let runDir: string;

  beforeAll(async () => {
    const run = await startRun(h.client, runRequest(h, 'first'));
    expect(run).toMatchObject({ runId: 'first', state: RunState.RUN_STATE_QUEUED });
    runDir = run.runDir;
    events = await watch(h.client, 'first');
  });

  it('succeeds, step by step, with progress, evaluations and a final SUCCEEDED', async () => {
    expect(finalState(events)).toBe(RunState.RUN_STATE_SUCCEEDED);
    const stages = events.flatMap((e) => (e.event?.$case === 'stage' ? [`${e.step}:${StepStage[e.event.stage]}`] : []));
    expect(stages).toEqual([
      '0:STEP_STAGE_LISTING',
      '0:STEP_STAGE_TRAINING',
      '0:STEP_STAGE_EVALUATING',
      '0:STEP_STAGE_DONE',
      '1:STEP_STAGE_LISTING',
      '1:STEP_STAGE_PSEUDO_LABELS',
      '1:STEP_STAGE_TRAINING',
      '1:STEP_STAGE_EVALUATING',
      '1:STEP_STAGE_DONE',
    ]);
    expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i + 1));
    const training = events.filter((e) => e.event?.$case === 'training');
    expect(training.filter((e) => e.step === 0)).toHaveLength(6); // 2 epochs x 3 iterations, forwarded
    const progress = events.flatMap((e) => (e.event?.$case === 'pseudoLabels' ? [e.event.pseudoLabels] : []));
    expect(progress.at(-1)).toMatchObject({ done: step1Ids.length, cached: 0, total: step1Ids.length });
    expect(events.filter((e) => e.event?.$case === 'evaluation').map((e) => e.step)).toEqual([0, 1]);

    const run = await unary(h.client, 'getRun', { runId: 'first' });
    expect(run.state).toBe(RunState.RUN_STATE_SUCCEEDED);
    expect(run.steps.map((s) => [s.step, s.classIds, s.images, s.stage])).toEqual([
      [0, [1, 2], step0Ids.length, StepStage.STEP_STAGE_DONE],
      [1, [3], step1Ids.length, StepStage.STEP_STAGE_DONE],
    ]);
    expect(run.steps[1]!.pseudoLabelsDone).toBe(step1Ids.length);
    expect(run.steps[1]!.evaluation!.miouNew).toBeCloseTo(0.4, 6);
  });

  it('drives the trainer: a base job into the cache, a weak job with pseudo labels, image labels and the archive', () => {
    const [base] = h.trainer.jobsOfKind(StepKind.STEP_KIND_BASE);
    const [weak] = h.trainer.jobsOfKind(StepKind.STEP_KIND_WEAK);
    expect(base!.outputDir).toContain(join(h.runsDir, '.cache', 'base-steps'));
    expect(base!.trainData!.listPath).toBe(join(base!.outputDir, '..', 'step-0.txt')); // the same request whichever run starts it
    expect(base!.newClasses.map((c) => c.name)).toEqual(['aeroplane', 'bicycle']);
    expect(weak).toMatchObject({ jobId: 'first.step-1', runId: 'first', step: 1, pseudoLabelDir: join(runDir, 'pseudo-labels', 'step-1') });
    expect(weak!.memoryBank).toEqual({ address: h.memoryBank.server.address, runId: base!.memoryBank!.runId, capacityPerClass: 64 });
    expect(weak!.previousCheckpoint).toBe(join(runDir, 'checkpoints', 'step-0', 'final'));
    expect(weak!.imageLabels).toEqual(Object.fromEntries(step1Ids.map((id) => [id, { classIds: [3] }])));
    expect(h.trainer.evaluations.map((e) => [e.baseClassIds, e.newClassIds])).toEqual([
      [[1, 2], []],
      [[1, 2], [3]],
    ]);
  });

  it('writes the run folder: records, lists, pseudo labels, checkpoints, metrics.json and report.html', async () => {
    const lines = (await readFile(join(runDir, 'events.jsonl'), 'utf8')).trim().split('\n');
    expect(lines.map((line) => RunEvent.fromJSON(JSON.parse(line)).sequence)).toEqual(events.map((e) => e.sequence));
    expect(JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8'))).toMatchObject({ runId: 'first', state: 'RUN_STATE_SUCCEEDED' });
    const config = JSON.parse(await readFile(join(runDir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ method: 'fmwiss', setting: 'overlap', task: { name: 'custom', steps: [[1, 2], [3]] } });
    expect(await readFile(join(runDir, 'lists', 'step-0.txt'), 'utf8')).toBe(`${step0Ids.join('\n')}\n`);
    expect(await readFile(join(runDir, 'lists', 'step-1.txt'), 'utf8')).toBe(`${step1Ids.join('\n')}\n`);
    expect(await readFile(join(runDir, 'lists', 'val.txt'), 'utf8')).toBe(`${Object.keys(VAL_IMAGES).join('\n')}\n`);

    const labels = (await readdir(join(runDir, 'pseudo-labels', 'step-1'))).sort();
    expect(labels).toEqual(step1Ids.map((id) => `${id}.png`));
    const t05 = decodeLabelPng(await readFile(join(runDir, 'pseudo-labels', 'step-1', 't05.png')), 't05');
    expect(new Set(t05.data)).toEqual(new Set([0, 3])); // class 1 is old: only the new class is labelled
    expect(await exists(join(runDir, 'checkpoints', 'step-0', 'final', 'model.json'))).toBe(true);
    expect(await exists(join(runDir, 'checkpoints', 'step-1', 'final', 'model.json'))).toBe(true);

    const metrics = JSON.parse(await readFile(join(runDir, 'metrics.json'), 'utf8')) as MetricsFile;
    expect(metrics).toMatchObject({ runId: 'first', task: 'custom', setting: 'overlap', method: 'fmwiss', label: 'fmwiss' });
    expect(metrics.steps.map((s) => [s.step, s.classIds, s.images])).toEqual([
      [0, [1, 2], step0Ids.length],
      [1, [3], step1Ids.length],
    ]);
    expect(metrics.steps[0]!.evaluation.miouNew).toBeNull();
    expect(metrics.final.miouNew).toBeCloseTo(0.4, 6);
    expect(metrics.pseudoLabelQuality).toHaveLength(1);
    expect(metrics.pseudoLabelQuality[0]).toMatchObject({ step: 1, images: step1Ids.length });
    expect(metrics.pseudoLabelQuality[0]!.miou).toBeGreaterThan(0.99); // the fake services find the squares exactly
    expect(metrics.totalSeconds).toBeGreaterThan(0);

    const html = await readFile(join(runDir, 'report.html'), 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    for (const title of ['M_init: bird', 'seed map: bird', 'fused pseudo mask', 'teacher output (step 1)', 'student prediction', 'ground truth']) {
      expect(html).toContain(title);
    }
    expect(html).toContain('data:image/png;base64,');
  });

  it('replays WatchRun from after_sequence, then closes', async () => {
    const replay = await watch(h.client, 'first', 5);
    expect(replay.map((e) => e.sequence)).toEqual(events.slice(5).map((e) => e.sequence));
    expect(replay.map((e) => RunEvent.toJSON(e))).toEqual(events.slice(5).map((e) => RunEvent.toJSON(e)));
  });

  it('returns the run for the same run_id and request, ALREADY_EXISTS for another request', async () => {
    await expect(startRun(h.client, runRequest(h, 'first'))).resolves.toMatchObject({ runId: 'first', state: RunState.RUN_STATE_SUCCEEDED });
    const conflict = await statusOf(startRun(h.client, runRequest(h, 'first', { label: 'other' })));
    expect(conflict.code).toBe(grpc.status.ALREADY_EXISTS);
    expect(conflict.details).toMatch(/run first already exists with another request \(differing: config\)/);
  });

  it('finds pseudo labels and the base step in the caches on a rerun', async () => {
    const clipCalls = h.clipMask.calls;
    const baseJobs = h.trainer.jobsOfKind(StepKind.STEP_KIND_BASE).length;
    await startRun(h.client, runRequest(h, 'rerun'));
    const rerun = await watch(h.client, 'rerun');
    expect(finalState(rerun)).toBe(RunState.RUN_STATE_SUCCEEDED);
    const progress = rerun.flatMap((e) => (e.event?.$case === 'pseudoLabels' ? [e.event.pseudoLabels] : []));
    expect(progress.at(-1)).toMatchObject({ done: step1Ids.length, cached: step1Ids.length, total: step1Ids.length });
    // Only the report's samples went to the mask services, no training image.
    expect(h.clipMask.calls - clipCalls).toBe(2);
    expect(h.trainer.jobsOfKind(StepKind.STEP_KIND_BASE)).toHaveLength(baseJobs);
    expect(warnings(rerun).some((w) => /base step reused from the cache/.test(w))).toBe(true);
    const a = await readFile(join(h.runsDir, 'first', 'pseudo-labels', 'step-1', 't06.png'));
    const b = await readFile(join(h.runsDir, 'rerun', 'pseudo-labels', 'step-1', 't06.png'));
    expect(b.equals(a)).toBe(true);
  });

  it('lists runs newest first without requests', async () => {
    const { runs } = await unary(h.client, 'listRuns', {});
    expect(runs.map((r) => r.runId).slice(0, 2)).toEqual(['rerun', 'first']);
    expect(runs[0]!.request).toBeUndefined();
    expect(runs[0]!.steps).toEqual([]);
  });
});

describe('baselines', () => {
  it('fine-tuning shares the base step and trains FINETUNE steps with pixel labels', async () => {
    const baseJobs = h.trainer.jobsOfKind(StepKind.STEP_KIND_BASE).length;
    await startRun(h.client, runRequest(h, 'finetune', { method: Method.METHOD_FINETUNE, label: 'fine-tuning' }));
    const events = await watch(h.client, 'finetune');
    expect(finalState(events)).toBe(RunState.RUN_STATE_SUCCEEDED);
    expect(h.trainer.jobsOfKind(StepKind.STEP_KIND_BASE)).toHaveLength(baseJobs);
    const [finetune] = h.trainer.jobsOfKind(StepKind.STEP_KIND_FINETUNE);
    expect(finetune).toMatchObject({ step: 1, pseudoLabelDir: '', memoryBank: undefined });
    expect(events.some((e) => e.event?.$case === 'pseudoLabels')).toBe(false);
    const metrics = JSON.parse(await readFile(join(h.runsDir, 'finetune', 'metrics.json'), 'utf8')) as MetricsFile;
    expect(metrics).toMatchObject({ method: 'finetune', label: 'fine-tuning', pseudoLabelQuality: [] });
  });

  it('joint training is one JOINT step on every class over the union of the step lists', async () => {
    await startRun(h.client, runRequest(h, 'joint', { method: Method.METHOD_JOINT }));
    expect(finalState(await watch(h.client, 'joint'))).toBe(RunState.RUN_STATE_SUCCEEDED);
    const [joint] = h.trainer.jobsOfKind(StepKind.STEP_KIND_JOINT);
    expect(joint!.newClasses.map((c) => c.id)).toEqual([1, 2, 3]);
    expect(await readFile(join(h.runsDir, 'joint', 'lists', 'step-0.txt'), 'utf8')).toBe(`${Object.keys(TRAIN_IMAGES).join('\n')}\n`);
    const metrics = JSON.parse(await readFile(join(h.runsDir, 'joint', 'metrics.json'), 'utf8')) as MetricsFile;
    expect(metrics.steps).toHaveLength(1);
    expect(h.trainer.evaluations.at(-1)).toMatchObject({ baseClassIds: [1, 2], newClassIds: [3] });
  });
});

describe('base-step single flight', () => {
  it('two runs needing the same new base step at once share one trainer job', async () => {
    const before = h.trainer.jobsOfKind(StepKind.STEP_KIND_BASE).length;
    const config = { baseHyperparameters: { epochs: 3, copyPaste: undefined } };
    h.trainer.options = { eventDelayMs: 40, iterationsPerEpoch: 5 }; // the second run joins while the job trains
    const [a, b] = await (async () => {
      try {
        await startRun(h.client, runRequest(h, 'pair-a', config));
        await startRun(h.client, runRequest(h, 'pair-b', config));
        return await Promise.all([watch(h.client, 'pair-a'), watch(h.client, 'pair-b')]);
      } finally {
        h.trainer.options = { eventDelayMs: 1, iterationsPerEpoch: 3 };
      }
    })();
    expect([finalState(a), finalState(b)]).toEqual([RunState.RUN_STATE_SUCCEEDED, RunState.RUN_STATE_SUCCEEDED]);
    expect(h.trainer.jobsOfKind(StepKind.STEP_KIND_BASE)).toHaveLength(before + 1);
    expect([...warnings(a), ...warnings(b)].some((w) => /another run is training the same base step/.test(w))).toBe(true);
    // Both heard the shared job's progress.
    for (const events of [a, b]) expect(events.filter((e) => e.step === 0 && e.event?.$case === 'training').length).toBeGreaterThan(0);
  });
});

describe('cancellation', () => {
  it('CancelRun cancels the trainer job in flight and ends the run CANCELLED', async () => {
    h.trainer.options = { eventDelayMs: 200, iterationsPerEpoch: 50 };
    try {
      await startRun(h.client, runRequest(h, 'to-cancel', { baseHyperparameters: { epochs: 5, copyPaste: undefined } }));
      let cancelled: Promise<unknown> | undefined;
      const events = await watch(h.client, 'to-cancel', 0, (event) => {
        if (event.event?.$case === 'training' && !cancelled) cancelled = unary(h.client, 'cancelRun', { runId: 'to-cancel' });
      });
      await cancelled;
      expect(finalState(events)).toBe(RunState.RUN_STATE_CANCELLED);
      const run = await unary(h.client, 'getRun', { runId: 'to-cancel' });
      expect(run).toMatchObject({ state: RunState.RUN_STATE_CANCELLED, error: '' });
      expect(h.trainer.cancelled).toHaveLength(1);
      expect(h.trainer.cancelled[0]).toMatch(/^base-/);
      // Cancelling an ended run returns it unchanged.
      await expect(unary(h.client, 'cancelRun', { runId: 'to-cancel' })).resolves.toMatchObject({ state: RunState.RUN_STATE_CANCELLED });
    } finally {
      h.trainer.options = { eventDelayMs: 1, iterationsPerEpoch: 3 };
    }
  });
});

describe('a coordinator restart', () => {
  it('resumes a run that was RUNNING: the trainer job is found again and the run completes', async () => {
    h.trainer.options = { eventDelayMs: 20, iterationsPerEpoch: 10 };
    try {
      await startRun(h.client, runRequest(h, 'survivor', { incrementalHyperparameters: { epochs: 3, copyPaste: undefined } }));
      let restarting: Promise<void> | undefined;
      const before = await watch(h.client, 'survivor', 0, (event) => {
        if (event.step === 1 && event.event?.$case === 'training' && !restarting) restarting = h.restartCoordinator();
      }).catch((error: grpc.ServiceError) => error);
      await restarting;
      expect((before as grpc.ServiceError).code).toBeDefined(); // the stream broke off when the coordinator stopped

      const events = await watch(h.client, 'survivor');
      expect(finalState(events)).toBe(RunState.RUN_STATE_SUCCEEDED);
      expect(warnings(events).some((w) => /the coordinator restarted while the run was RUN_STATE_RUNNING; resuming it/.test(w))).toBe(true);
      // The weak job was asked for twice with the same request (idempotent), trained once, never cancelled.
      expect(h.trainer.started.filter((r) => r.jobId === 'survivor.step-1')).toHaveLength(2);
      expect(h.trainer.cancelled).not.toContain('survivor.step-1');
      // Step 0 was not evaluated again.
      const stages = events.filter((e) => e.event?.$case === 'stage' && e.step === 0);
      expect(stages.map((e) => (e.event?.$case === 'stage' ? e.event.stage : 0))).toEqual([
        StepStage.STEP_STAGE_LISTING,
        StepStage.STEP_STAGE_TRAINING,
        StepStage.STEP_STAGE_EVALUATING,
        StepStage.STEP_STAGE_DONE,
      ]);
      const metrics = JSON.parse(await readFile(join(h.runsDir, 'survivor', 'metrics.json'), 'utf8')) as MetricsFile;
      expect(metrics.steps).toHaveLength(2);
    } finally {
      h.trainer.options = { eventDelayMs: 1, iterationsPerEpoch: 3 };
    }
  });
});

describe('a trainer restart while a job trains', () => {
  it('watches the job again after the last event seen: no progress lost, none repeated', async () => {
    await h.restartCoordinator({ serviceAttempts: 8, retryMaxMs: 200 });
    h.trainer.options = { eventDelayMs: 15, iterationsPerEpoch: 10 };
    try {
      await startRun(h.client, runRequest(h, 'trainer-blip', { incrementalHyperparameters: { epochs: 3, copyPaste: undefined } }));
      let blip: Promise<void> | undefined;
      const events = await watch(h.client, 'trainer-blip', 0, (event) => {
        if (event.step === 1 && event.event?.$case === 'training' && !blip) {
          blip = h.trainer.server.stop().then(() => h.trainer.server.start().then(() => undefined));
        }
      });
      await blip;
      expect(finalState(events)).toBe(RunState.RUN_STATE_SUCCEEDED);
      expect(warnings(events).some((w) => /watching job trainer-blip\.step-1 broke off with .*; watching again after event \d+/.test(w))).toBe(true);
      const progress = events.filter((e) => e.step === 1 && e.event?.$case === 'training');
      expect(progress).toHaveLength(30); // 3 epochs x 10 iterations, each once
      expect(h.trainer.started.filter((r) => r.jobId === 'trainer-blip.step-1')).toHaveLength(1);
    } finally {
      h.trainer.options = { eventDelayMs: 1, iterationsPerEpoch: 3 };
      await h.restartCoordinator();
    }
  });
});

describe('a mask service that never comes back', () => {
  it('fails the run after the attempts, naming the service, its address and the last error', async () => {
    const down = '127.0.0.1:9'; // nothing listens there
    const request = runRequest(h, 'no-clip', { refine: { randomSeed: 77, binarization: 0, fusion: 0, includeIntermediates: false, encoding: 0 } });
    request.services = { clipMask: down, seedRefiner: '', memoryBank: '', trainer: '' };
    await startRun(h.client, request);
    const events = await watch(h.client, 'no-clip');
    expect(finalState(events)).toBe(RunState.RUN_STATE_FAILED);
    const retries = warnings(events).filter((w) => w.startsWith(`clip-mask at ${down}`));
    expect(retries.length).toBeGreaterThanOrEqual(2); // 3 attempts: 2 retries (of the calls in flight)
    expect(retries[0]).toMatch(/failed with UNAVAILABLE: .*; retrying in \d+ ms \(attempt 2 of 3\)/);
    const run = await unary(h.client, 'getRun', { runId: 'no-clip' });
    expect(run.error).toMatch(new RegExp(`^clip-mask at ${down} is unreachable: (GetInfo|ComputeInitialMasks.*) failed 3 time\\(s\\), last with UNAVAILABLE`));
  });
});

describe('StartRun validation', () => {
  const refused = async (change: (request: StartRunRequest) => void) => {
    const request = runRequest(h, 'bad');
    change(request);
    return statusOf(startRun(h.client, request));
  };
  const cases: [string, (request: StartRunRequest) => void, grpc.status, RegExp][] = [
    ['a run id with a slash', (r) => (r.runId = 'a/b'), grpc.status.INVALID_ARGUMENT, /^run_id: "a\/b" must be 1 to 128 characters of \[A-Za-z0-9._-\]/],
    ['no task', (r) => (r.task = undefined), grpc.status.INVALID_ARGUMENT, /^task: is required/],
    ['a task name and steps', (r) => (r.task!.name = '15-5'), grpc.status.INVALID_ARGUMENT, /^task: give either a task name or custom steps, not both/],
    ['an unknown task', (r) => (r.task = { name: '15-4', steps: [] }), grpc.status.INVALID_ARGUMENT, /^task.name: unknown task "15-4"; known tasks: 15-5/],
    ['a class in two steps', (r) => (r.task!.steps = [{ classIds: [1, 2] }, { classIds: [2] }]), grpc.status.INVALID_ARGUMENT, /^task.steps: class 2 is in step 0 and step 1/],
    ['no setting', (r) => (r.setting = Setting.SETTING_UNSPECIFIED), grpc.status.INVALID_ARGUMENT, /^setting: must be SETTING_OVERLAP or SETTING_DISJOINT/],
    ['no training data', (r) => (r.trainData = undefined), grpc.status.INVALID_ARGUMENT, /^train_data: is required/],
    ['an unknown method', (r) => (r.config!.method = 9 as Method), grpc.status.INVALID_ARGUMENT, /^config.method: unknown value 9/],
    ['K above 1', (r) => (r.config!.refine = { massFraction: 1.5, binarization: 0, fusion: 0, includeIntermediates: false, encoding: 0 }), grpc.status.INVALID_ARGUMENT, /^config.refine.mass_fraction: must be in \(0, 1\], got 1.5/],
    ['a template without {}', (r) => (r.config!.promptTemplates = ['a photo']), grpc.status.INVALID_ARGUMENT, /^config.prompt_templates\[0\]: "a photo" must contain "\{\}" exactly once/],
    ['zero epochs', (r) => (r.config!.baseHyperparameters = { epochs: 0, copyPaste: undefined }), grpc.status.INVALID_ARGUMENT, /^config.base_hyperparameters.epochs: must be an integer in 1..10000, got 0/],
    ['mask concurrency 0', (r) => (r.config!.maskConcurrency = 0), grpc.status.INVALID_ARGUMENT, /^config.mask_concurrency: must be an integer in 1..64, got 0/],
    ['a missing dataset', (r) => (r.valData = { format: DatasetRef_Format.FORMAT_VOC, root: '/nonexistent/VOC2012', listPath: '', listSha256: '', split: 'val' }), grpc.status.FAILED_PRECONDITION, /^val_data: \/nonexistent\/VOC2012: VOC2012 folder not found/],
    ['a class the dataset lacks', (r) => (r.task!.steps = [{ classIds: [1] }, { classIds: [30] }]), grpc.status.INVALID_ARGUMENT, /^task: does not fit the training set .*class\(es\) 30 not in the dataset/],
  ];
  it.each(cases)('refuses %s, naming the field', async (_what, change, code, details) => {
    const error = await refused(change);
    expect({ code: error.code, details: error.details }).toEqual({ code, details: expect.stringMatching(details) });
  });

  it('lists every problem at once', async () => {
    const error = await refused((r) => {
      r.setting = Setting.SETTING_UNSPECIFIED;
      r.config!.maskConcurrency = 100;
    });
    expect(error.details).toMatch(/^2 problems: setting: .*; config.mask_concurrency: /);
  });

  it('answers NOT_FOUND for an unknown run and INVALID_ARGUMENT for a negative after_sequence', async () => {
    expect((await statusOf(unary(h.client, 'getRun', { runId: 'nope' }))).code).toBe(grpc.status.NOT_FOUND);
    expect((await statusOf(unary(h.client, 'cancelRun', { runId: 'nope' }))).code).toBe(grpc.status.NOT_FOUND);
    expect((await statusOf(watch(h.client, 'nope'))).code).toBe(grpc.status.NOT_FOUND);
    expect((await statusOf(watch(h.client, 'first', -1))).code).toBe(grpc.status.INVALID_ARGUMENT);
  });
});
