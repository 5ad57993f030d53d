import * as grpc from '@grpc/grpc-js';
import { join } from 'node:path';
import {
  DatasetRef_Format,
  ImageFormat,
  JobState,
  MapEncoding,
  MemoryBankServiceClient,
  PredictionHead,
  StepKind,
  TrainingPhase,
  type EvaluateResponse,
  type EvaluationResult,
  type StartTrainingRequest,
} from '@fmwiss/contracts';
import { decodeLabelPng, encodePng } from '@fmwiss/imaging';
import { decodeTensor } from '@fmwiss/message-codecs';
import { createClient, serverStream, startChildService, unary, type ChildService, statusOf } from '@fmwiss/service-kit';
import { baseRequest, RED_GREEN, startHarness, statesOf, watchAll, type Harness } from './harness';
import { TINY_MODEL, writeTinyVoc, type TinyVoc } from './tiny-voc';

/** The real workers and checks of step-training, not the fakes. */
const REAL = { trainingWorker: undefined, inferenceWorker: undefined, validation: undefined };
const MEMORY_BANK_ENTRY = join(__dirname, '../../memory-bank/src/main.ts');

/**
 * A BASE step and a WEAK step of the real method (step-training on wasm, a tiny model on a tiny
 * dataset) through the trainer's gRPC API, with a real memory-bank service for the instances:
 * step 0 offers them, step 1 samples them for copy-paste. Then Evaluate and Predict on both.
 */
describe('TrainerService with step-training (tiny model, tiny dataset)', () => {
  let h: Harness;
  let voc: TinyVoc;
  let bank: ChildService;
  let bankClient: MemoryBankServiceClient;
  beforeAll(async () => {
    h = await startHarness({ backend: 'wasm', memoryBankRetries: 1 }, REAL);
    voc = await writeTinyVoc(h.dir, [[1], [2], [1, 2], [1], [2], [1, 2], [3], [3, 1], [3], [3, 2], [1], [2]]);
    bank = await startChildService({
      entry: MEMORY_BANK_ENTRY,
      args: ['--port', '0', '--database-path', join(h.dir, 'bank.sqlite'), '--durability', 'normal'],
      startTimeoutMs: 60_000,
    });
    bankClient = createClient(MemoryBankServiceClient, { address: bank.address, deadlineMs: 20_000 });
  });
  afterAll(async () => {
    bankClient?.close();
    bank?.process.kill('SIGTERM');
    await bank?.exited;
    await h?.close();
  });

  const data = (listPath: string) => ({ format: DatasetRef_Format.FORMAT_VOC, root: voc.root, listPath, listSha256: '', split: '' });
  const evaluate = async (checkpoint: string, baseClassIds: number[], newClassIds: number[]): Promise<{ responses: EvaluateResponse[]; result: EvaluationResult }> => {
    const responses: EvaluateResponse[] = [];
    const request = { checkpoint, data: data(voc.list('eval', [...voc.images.keys()])), baseClassIds, newClassIds, includeConfusion: true, batchSize: 4 };
    for await (const response of serverStream(h.client, 'evaluate', request)) responses.push(response);
    const last = responses.at(-1)!.item as Extract<EvaluateResponse['item'], { $case: 'result' }>;
    return { responses, result: last.result };
  };
  const predict = async (checkpoint: string, head: PredictionHead) => {
    const { image } = voc.images.get('img-007')!;
    return unary(h.client, 'predict', {
      checkpoint,
      image: { source: { $case: 'encoded', encoded: { format: ImageFormat.IMAGE_FORMAT_PNG, data: await encodePng(image) } }, imageId: 'img-007' },
      includeProbabilities: true,
      encoding: MapEncoding.MAP_ENCODING_FLOAT32,
      head,
    });
  };

  it('trains step 0 and step 1, offering and sampling memory-bank instances, then evaluates and predicts', async () => {
    const ids = [...voc.images.keys()];
    const baseIds = ids.filter((id) => !voc.images.get(id)!.classes.includes(3));
    const weakIds = ids.filter((id) => voc.images.get(id)!.classes.includes(3));
    const memoryBank = { address: bank.address, runId: 'e2e', capacityPerClass: 6 };
    const hyperparameters = { epochs: 2, batchSize: 4, learningRate: 0.05, scaleMin: 0.9, scaleMax: 1.1, copyPaste: undefined };
    const base = baseRequest(voc.root, join(h.dir, 'ckpt', 'step-0'), {
      jobId: 'step-0',
      runId: 'e2e',
      newClasses: RED_GREEN,
      trainData: data(voc.list('step-0', baseIds)),
      hyperparameters,
      model: TINY_MODEL,
      memoryBank,
    });
    await unary(h.client, 'startTraining', base);
    expect(statesOf(await watchAll(h.client, 'step-0'))).toEqual([JobState.JOB_STATE_QUEUED, JobState.JOB_STATE_RUNNING, JobState.JOB_STATE_SUCCEEDED]);
    const step0 = await unary(h.client, 'getTraining', { jobId: 'step-0' });
    expect(step0.checkpoint).toBe(join(h.dir, 'ckpt', 'step-0', 'final'));
    expect(step0.effectiveModel).toMatchObject(TINY_MODEL);

    const stats = await unary(bankClient, 'getStats', { runId: 'e2e' });
    expect(stats.capacityPerClass).toBe(6);
    expect(stats.classes.map((c) => c.classId)).toEqual([1, 2]);
    expect(stats.classes.every((c) => c.offered >= 4 && c.stored === Math.min(6, c.offered))).toBe(true);

    // The base checkpoint: Evaluate (old classes only) and Predict (student; no teacher yet).
    const baseEval = await evaluate(step0.checkpoint, [1, 2], []);
    expect(baseEval.responses.slice(0, -1).every((r) => r.item?.$case === 'progress')).toBe(true);
    expect(baseEval.result.images).toBe(ids.length);
    expect(baseEval.result.classes.map((c) => c.classId)).toEqual([0, 1, 2]);
    expect(baseEval.result.miouAll).toBeGreaterThan(0);
    expect(baseEval.result.confusion!.shape).toEqual([3, 3]);
    const teacherless = await statusOf(predict(step0.checkpoint, PredictionHead.PREDICTION_HEAD_TEACHER));
    expect(teacherless.code).toBe(grpc.status.FAILED_PRECONDITION);

    // Step 1, weak: pseudo labels for class 3, old-class instances pasted from the memory bank.
    const weak: StartTrainingRequest = {
      ...base,
      jobId: 'step-1',
      step: 1,
      kind: StepKind.STEP_KIND_WEAK,
      newClasses: [{ id: 3, name: 'blue', promptName: '' }],
      oldClasses: base.newClasses,
      trainData: data(voc.list('step-1', weakIds)),
      pseudoLabelDir: voc.pseudoLabels(join(h.dir, 'pseudo'), weakIds, [3]),
      previousCheckpoint: step0.checkpoint,
      outputDir: join(h.dir, 'ckpt', 'step-1'),
      model: undefined,
      hyperparameters: { ...hyperparameters, epochs: 2, teacherWarmupEpochs: 1 },
    };
    await unary(h.client, 'startTraining', weak);
    const events = await watchAll(h.client, 'step-1');
    expect(statesOf(events).at(-1)).toBe(JobState.JOB_STATE_SUCCEEDED);
    const phases = new Set(events.flatMap((e) => (e.event?.$case === 'progress' ? [e.event.progress.phase] : [])));
    expect(phases).toEqual(new Set([...phases, TrainingPhase.TRAINING_PHASE_TEACHER_WARMUP, TrainingPhase.TRAINING_PHASE_TEACHER_AND_STUDENT]));
    // old_bce: the teacher's loss on old-class instances pasted from the memory bank.
    const teacherLosses = events.flatMap((e) => (e.event?.$case === 'progress' && e.event.progress.phase === TrainingPhase.TRAINING_PHASE_TEACHER_WARMUP ? [e.event.progress.losses] : []));
    expect(teacherLosses.length).toBeGreaterThan(0);
    expect(teacherLosses.every((losses) => losses['old_bce']! > 0)).toBe(true);
    const step1 = await unary(h.client, 'getTraining', { jobId: 'step-1' });
    expect(step1.effectiveHyperparameters?.copyPaste?.enabled).toBe(true);

    const weakEval = await evaluate(step1.checkpoint, [1, 2], [3]);
    expect(weakEval.result.classes.map((c) => c.classId)).toEqual([0, 1, 2, 3]);
    expect(weakEval.result.confusion!.shape).toEqual([4, 4]);
    for (const head of [PredictionHead.PREDICTION_HEAD_STUDENT, PredictionHead.PREDICTION_HEAD_TEACHER]) {
      const response = await predict(step1.checkpoint, head);
      expect(response.classes.map((c) => c.id)).toEqual([0, 1, 2, 3]);
      const encoded = response.labels!.source as { $case: 'encoded'; encoded: { data: Uint8Array } };
      const labels = decodeLabelPng(encoded.encoded.data, 'labels');
      expect([labels.width, labels.height]).toEqual([32, 32]);
      const probabilities = decodeTensor(response.probabilities!, 'probabilities', { dtypes: ['float32'], shape: [4, 32, 32] });
      expect(Array.from(probabilities.data as Float32Array).every((p) => p >= 0 && p <= 1)).toBe(true);
    }
  });

  it('fails a step whose memory bank stays unavailable, after retries reported as warnings', async () => {
    const ids = [...voc.images.keys()].filter((id) => !voc.images.get(id)!.classes.includes(3));
    await unary(
      h.client,
      'startTraining',
      baseRequest(voc.root, join(h.dir, 'ckpt', 'bank-down'), {
        jobId: 'bank-down',
        runId: 'bank-down',
        newClasses: RED_GREEN,
        trainData: data(voc.list('bank-down', ids)),
        hyperparameters: { epochs: 1, batchSize: 4, copyPaste: undefined },
        model: TINY_MODEL,
        memoryBank: { address: '127.0.0.1:9', runId: 'bank-down', capacityPerClass: 4 },
      }),
    );
    const events = await watchAll(h.client, 'bank-down');
    expect(statesOf(events).at(-1)).toBe(JobState.JOB_STATE_FAILED);
    const warnings = events.flatMap((e) => (e.event?.$case === 'warning' ? [e.event.warning] : []));
    expect(warnings.filter((w) => /^memory bank 127\.0\.0\.1:9 CreateArchive: UNAVAILABLE: .*; retry \d of 1 in 500 ms$/.test(w))).toHaveLength(1);
    const job = await unary(h.client, 'getTraining', { jobId: 'bank-down' });
    expect(job.error).toMatch(/memory bank 127\.0\.0\.1:9 CreateArchive failed after 2 attempt\(s\): UNAVAILABLE/);
  });

  it("answers step-training's own checks: INVALID_ARGUMENT for hyperparameters, FAILED_PRECONDITION for files", async () => {
    const ids = [...voc.images.keys()].slice(0, 4);
    const request = baseRequest(voc.root, join(h.dir, 'ckpt', 'checks'), {
      runId: 'checks',
      newClasses: [RED_GREEN[0]!],
      trainData: data(voc.list('checks', ids)),
      hyperparameters: { learningRate: -1, copyPaste: undefined },
      model: TINY_MODEL,
    });
    const badRate = await statusOf(unary(h.client, 'startTraining', request));
    expect(badRate.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(badRate.details).toMatch(/^hyperparameters\.learningRate /);

    const missingImage = await statusOf(
      unary(h.client, 'startTraining', { ...request, hyperparameters: undefined, trainData: data(voc.list('checks-missing', [...ids, 'img-999'])) }),
    );
    expect(missingImage.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(missingImage.details).toMatch(/trainData: 1 image file\(s\) missing, e\.g\. .*img-999\.jpg/);

    const weak = await statusOf(
      unary(h.client, 'startTraining', {
        ...request,
        hyperparameters: { copyPaste: { enabled: false } },
        kind: StepKind.STEP_KIND_WEAK,
        step: 1,
        newClasses: [{ id: 3, name: 'blue', promptName: '' }],
        oldClasses: [{ id: 1, name: 'red', promptName: '' }],
        model: undefined,
        pseudoLabelDir: voc.pseudoLabels(join(h.dir, 'pseudo-partial'), ids.slice(0, 2), [3]),
        previousCheckpoint: join(h.dir, 'ckpt', 'step-0', 'final'),
      }),
    );
    expect(weak.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(weak.details).toMatch(/pseudoLabelDir: no pseudo label for 2 of 4 image\(s\)/);
    expect(weak.details).toMatch(/previousCheckpoint .* has classes 1, 2 but oldClasses are 1/);
  });
});
