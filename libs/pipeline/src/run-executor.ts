// One run from start to end: datasets and step lists, then per step pseudo labels (weak steps),
// training (step 0 through the base-step cache) and evaluation, then samples, metrics.json and
// report.html. Steps already DONE in the record are skipped, so a run resumed after a coordinator
// restart goes on where it was (trainer jobs are idempotent, pseudo labels cached).
import { access, cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  Hyperparameters,
  ModelConfig,
  RefineOptions,
  RunState,
  StepKind,
  StepStage,
  type DatasetRef,
  type EvaluationResult,
  type StartTrainingRequest,
  type StepStatus,
} from '@fmwiss/contracts';
import { classIdsOf, imageLevelLabels, taskProblems, writeStepList, type LabelIndex, type SegmentationDataset } from '@fmwiss/datasets';
import { renderReport, type PseudoLabelQuality } from '@fmwiss/run-report';
import type { Logger } from 'pino';
import { baseStepArchiveId, baseStepKey, type BaseStepCache, type BaseStepDefinition } from './base-step-cache';
import { computePseudoLabels, classSpecs, fetchMaskServiceInfo } from './pseudo-labels';
import { measurePseudoLabelQuality } from './pseudo-label-quality';
import { collectSamples } from './report-samples';
import type { RetryHooks } from './retry';
import { labelIndexOf, openDatasetRef } from './run-datasets';
import { RunFailure } from './run-errors';
import { writeFileAtomic, writeJsonAtomic, type CacheFolder } from './run-folder';
import { buildMetricsFile, buildReportData } from './run-outputs';
import type { RunRecord } from './run-record';
import type { ResolvedRun } from './run-request';
import type { ConnectionPool, RunServices } from './run-services';
import { planSteps, stepKindName, type PlannedStep } from './step-plan';
import { evaluateCheckpoint, runTrainingJob, trainingJobId } from './trainer-driver';

export interface ExecutorDependencies {
  pool: ConnectionPool;
  cache: CacheFolder;
  baseSteps: BaseStepCache;
  /** Validation images shown in report.html. */
  sampleImages: number;
  logger: Logger;
}

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/** The state of one execution, shared by its stages. */
class Execution {
  readonly services: RunServices;
  train!: SegmentationDataset;
  val!: SegmentationDataset;
  index!: LabelIndex;
  plan!: PlannedStep[];
  valList!: { ids: string[]; sha256: string };
  baseDefinition: BaseStepDefinition | undefined;

  constructor(
    readonly record: RunRecord,
    readonly run: ResolvedRun,
    readonly deps: ExecutorDependencies,
    readonly signal: AbortSignal,
  ) {
    this.services = deps.pool.forRun(run.services);
  }

  get folder() {
    return this.record.folder;
  }

  hooks(step: number): RetryHooks {
    return { signal: this.signal, onRetry: (message) => this.warn(step, message) };
  }

  warn(step: number, message: string): void {
    this.record.emit(step, { $case: 'warning', warning: message });
  }

  stage(index: number, stage: StepStage): void {
    const step = this.plan[index]!.step;
    this.record.update((run) => {
      run.currentStep = step;
      run.steps[index]!.stage = stage;
    });
    this.record.emit(step, { $case: 'stage', stage });
  }

  updateStep(index: number, change: (status: StepStatus) => void): void {
    this.record.update((run) => change(run.steps[index]!));
  }
}

/** Runs (or resumes) a run to SUCCEEDED; throws what stopped it (the caller records FAILED/CANCELLED). */
export async function executeRun(record: RunRecord, run: ResolvedRun, deps: ExecutorDependencies, signal: AbortSignal): Promise<void> {
  await record.allEvents();
  const x = new Execution(record, run, deps, signal);
  if (record.run.state !== RunState.RUN_STATE_RUNNING) record.setState(RunState.RUN_STATE_RUNNING);
  await prepare(x);
  let previousCheckpoint = '';
  for (let i = 0; i < x.plan.length; i++) {
    signal.throwIfAborted();
    const status = record.run.steps[i]!;
    if (status.stage === StepStage.STEP_STAGE_DONE && status.evaluation && (await exists(status.checkpoint))) {
      previousCheckpoint = status.checkpoint;
      continue;
    }
    previousCheckpoint = await runStep(x, i, previousCheckpoint);
    await record.flush();
  }
  await writeOutputs(x);
  record.setState(RunState.RUN_STATE_SUCCEEDED);
  await record.flush();
}

/** Datasets, label index, step lists (checked against the record when resuming) and config.json. */
async function prepare(x: Execution): Promise<void> {
  const { run, folder } = x;
  x.train = await openDatasetRef('train_data', run.trainData, run.task.classSpace);
  x.val = await openDatasetRef('val_data', run.valData, run.task.classSpace);
  const problems = taskProblems(run.task, classIdsOf(x.train.classes));
  if (problems.length > 0) throw new RunFailure(`task ${run.task.name} does not fit the training set ${x.train.name}: ${problems.join('; ')}`);
  const indexed = await labelIndexOf(x.train, run.trainData, run.task.classSpace, x.deps.cache);
  x.index = indexed.index;
  if (indexed.problems.length > 0) {
    const first = indexed.problems[0]!;
    x.warn(0, `${indexed.problems.length} training image(s) have problems and are in no step list, e.g. ${first.id}: ${first.file}: ${first.problem}`);
  }
  x.plan = planSteps(x.index, run.task, run.setting, run.method);
  const recorded = x.record.run.steps;
  const statuses: StepStatus[] = [];
  for (const [i, planned] of x.plan.entries()) {
    if (planned.ids.length === 0) {
      throw new RunFailure(`step ${planned.step} (classes ${planned.newClassIds.join(', ')}) has no training images under the ${run.setting} setting`);
    }
    const written = await writeStepList(folder.stepList(planned.step), planned.ids);
    const before = recorded[i];
    if (before && before.listSha256 !== '' && before.listSha256 !== written.sha256) {
      throw new RunFailure(`the training list of step ${planned.step} changed since the run began (the dataset changed); start a new run`);
    }
    statuses.push(
      before && before.listSha256 === written.sha256
        ? before
        : {
            step: planned.step,
            classIds: planned.newClassIds,
            stage: StepStage.STEP_STAGE_PENDING,
            images: written.count,
            listSha256: written.sha256,
            pseudoLabelsDone: 0,
            pseudoLabelsCached: 0,
            trainingJobId: '',
            checkpoint: '',
            evaluation: undefined,
          },
    );
  }
  const valIds = run.maxEvalImages > 0 ? x.val.ids.slice(0, run.maxEvalImages) : [...x.val.ids];
  const valWritten = await writeStepList(folder.valList, valIds);
  x.valList = { ids: valIds, sha256: valWritten.sha256 };
  x.record.update((r) => (r.steps = statuses));

  if (run.method !== 'joint') {
    x.baseDefinition = {
      trainData: run.trainData,
      listSha256: statuses[0]!.listSha256,
      classes: classSpecs(x.train, x.plan[0]!.newClassIds),
      model: run.model,
      hyperparameters: run.baseHyperparameters,
      memoryPerClass: run.memoryPerClass,
    };
  }
  await writeJsonAtomic(folder.configJson, configurationOf(x));
}

/** config.json: the resolved configuration of the run. */
function configurationOf(x: Execution): unknown {
  const { run } = x;
  return {
    runId: run.runId,
    method: run.method,
    label: run.label,
    task: run.task,
    setting: run.setting,
    trainData: run.trainData,
    valData: { ...run.valData, evaluatedImages: x.valList.ids.length, evaluationList: x.folder.valList, evaluationListSha256: x.valList.sha256 },
    services: run.services,
    steps: x.plan.map((p, i) => ({
      step: p.step,
      kind: stepKindName(p.kind),
      newClassIds: p.newClassIds,
      oldClassIds: p.oldClassIds,
      images: p.ids.length,
      list: x.folder.stepList(p.step),
      listSha256: x.record.run.steps[i]!.listSha256,
    })),
    maskConcurrency: run.maskConcurrency,
    memoryPerClass: run.memoryPerClass,
    maxEvalImages: run.maxEvalImages,
    refine: RefineOptions.toJSON(run.refine),
    promptTemplates: run.promptTemplates,
    baseHyperparameters: Hyperparameters.toJSON(run.baseHyperparameters),
    incrementalHyperparameters: Hyperparameters.toJSON(run.incrementalHyperparameters),
    model: ModelConfig.toJSON(run.model),
    baseStepKey: x.baseDefinition ? baseStepKey(x.baseDefinition) : null,
  };
}

/** The trainer's view of a step's list. */
function stepData(x: Execution, index: number): DatasetRef {
  return { ...x.run.trainData, listPath: x.folder.stepList(x.plan[index]!.step), listSha256: x.record.run.steps[index]!.listSha256 };
}

/** One step: pseudo labels (weak), training, evaluation. Returns the step's checkpoint. */
async function runStep(x: Execution, index: number, previousCheckpoint: string): Promise<string> {
  const planned = x.plan[index]!;
  const { step } = planned;
  x.stage(index, StepStage.STEP_STAGE_LISTING);
  if (planned.kind === StepKind.STEP_KIND_WEAK) {
    x.stage(index, StepStage.STEP_STAGE_PSEUDO_LABELS);
    await makePseudoLabels(x, index);
  }
  x.stage(index, StepStage.STEP_STAGE_TRAINING);
  const checkpoint = planned.kind === StepKind.STEP_KIND_BASE ? await trainBaseStep(x, index) : await trainStep(x, index, previousCheckpoint);
  x.updateStep(index, (s) => (s.checkpoint = checkpoint));

  x.stage(index, StepStage.STEP_STAGE_EVALUATING);
  const evaluation: EvaluationResult = await evaluateCheckpoint(x.services, {
    checkpoint,
    data: { ...x.run.valData, listPath: x.folder.valList, listSha256: x.valList.sha256 },
    baseClassIds: planned.evaluation.baseClassIds,
    newClassIds: planned.evaluation.newClassIds,
    includeConfusion: false,
    batchSize: undefined,
  }, x.hooks(step));
  x.updateStep(index, (s) => (s.evaluation = evaluation));
  x.record.emit(step, { $case: 'evaluation', evaluation });
  x.stage(index, StepStage.STEP_STAGE_DONE);
  return checkpoint;
}

async function makePseudoLabels(x: Execution, index: number): Promise<void> {
  const planned = x.plan[index]!;
  const { step } = planned;
  const info = await fetchMaskServiceInfo(x.services, x.hooks(step));
  const labelDir = x.folder.pseudoLabelDir(step);
  await computePseudoLabels({
    dataset: x.train,
    index: x.index,
    ids: planned.ids,
    newClassIds: planned.newClassIds,
    outDir: labelDir,
    cache: x.deps.cache,
    services: x.services,
    info,
    refine: x.run.refine,
    templates: x.run.promptTemplates,
    concurrency: x.run.maskConcurrency,
    signal: x.signal,
    onRetry: (message) => x.warn(step, message),
    onProgress: (progress) => {
      x.updateStep(index, (s) => {
        s.pseudoLabelsDone = progress.done;
        s.pseudoLabelsCached = progress.cached;
      });
      x.record.emit(step, { $case: 'pseudoLabels', pseudoLabels: progress });
    },
  });
  const quality = await measurePseudoLabelQuality({
    step,
    dataset: x.train,
    ids: planned.ids,
    newClassIds: planned.newClassIds,
    labelDir,
    signal: x.signal,
    onWarning: (message) => x.warn(step, message),
  });
  await writeJsonAtomic(x.folder.pseudoLabelQuality(step), quality);
}

/** Step 0 through the base-step cache; its final checkpoint is copied into the run folder. */
async function trainBaseStep(x: Execution, index: number): Promise<string> {
  const planned = x.plan[index]!;
  const definition = x.baseDefinition!;
  const copyPaste = x.run.incrementalHyperparameters.copyPaste?.enabled !== false;
  const result = await x.deps.baseSteps.ensure({
    definition,
    request: {
      step: 0,
      kind: StepKind.STEP_KIND_BASE,
      newClasses: definition.classes,
      oldClasses: [],
      trainData: stepData(x, index),
      pseudoLabelDir: '',
      previousCheckpoint: '',
      hyperparameters: x.run.baseHyperparameters,
      model: x.run.model,
      imageLabels: {},
    },
    services: x.services,
    needsArchive: x.run.method === 'fmwiss' && copyPaste,
    signal: x.signal,
    onNotice: (notice) => {
      if ('progress' in notice) x.record.emit(planned.step, { $case: 'training', training: notice.progress });
      else x.warn(planned.step, notice.warning);
    },
    onJoin: (started) => {
      if (!started) x.warn(planned.step, 'another run is training the same base step; waiting for it and sharing its checkpoint');
    },
  });
  const { entry } = result;
  const target = join(x.folder.checkpointDir(planned.step), 'final');
  await cp(entry.checkpoint, target, { recursive: true, force: true });
  await writeJsonAtomic(join(x.folder.checkpointDir(planned.step), 'base-step.json'), { ...entry, reused: result.reused, cacheFolder: x.deps.cache.baseStep(entry.key) });
  if (result.reused) x.warn(planned.step, `base step reused from the cache (${entry.key.slice(0, 12)}, trained by job ${entry.jobId}); not trained again`);
  x.updateStep(index, (s) => (s.trainingJobId = entry.jobId));
  return target;
}

/** Weak, fine-tuning and joint steps: one trainer job each, its id derived from the run and the step. */
async function trainStep(x: Execution, index: number, previousCheckpoint: string): Promise<string> {
  const planned = x.plan[index]!;
  const { run } = x;
  const { step, kind } = planned;
  const weak = kind === StepKind.STEP_KIND_WEAK;
  const joint = kind === StepKind.STEP_KIND_JOINT;
  const imageLabels: StartTrainingRequest['imageLabels'] = {};
  if (weak) {
    for (const id of planned.ids) imageLabels[id] = { classIds: imageLevelLabels(x.index, id, planned.newClassIds) };
  }
  const request: StartTrainingRequest = {
    jobId: trainingJobId(run.runId, step),
    runId: run.runId,
    step,
    kind,
    newClasses: classSpecs(x.train, planned.newClassIds),
    oldClasses: classSpecs(x.train, planned.oldClassIds),
    trainData: stepData(x, index),
    pseudoLabelDir: weak ? x.folder.pseudoLabelDir(step) : '',
    previousCheckpoint: joint ? '' : previousCheckpoint,
    outputDir: x.folder.checkpointDir(step),
    hyperparameters: joint ? run.baseHyperparameters : run.incrementalHyperparameters,
    model: joint ? run.model : undefined,
    memoryBank:
      weak && x.baseDefinition
        ? { address: run.services.memoryBank, runId: baseStepArchiveId(baseStepKey(x.baseDefinition)), capacityPerClass: run.memoryPerClass }
        : undefined,
    imageLabels,
  };
  x.updateStep(index, (s) => (s.trainingJobId = request.jobId));
  const job = await runTrainingJob(
    x.services,
    request,
    {
      onProgress: (training) => x.record.emit(step, { $case: 'training', training }),
      onWarning: (message) => x.warn(step, message),
    },
    x.signal,
  );
  return job.checkpoint;
}

async function readQuality(x: Execution): Promise<PseudoLabelQuality[]> {
  const found: PseudoLabelQuality[] = [];
  for (const planned of x.plan) {
    if (planned.kind !== StepKind.STEP_KIND_WEAK) continue;
    try {
      found.push(JSON.parse(await readFile(x.folder.pseudoLabelQuality(planned.step), 'utf8')) as PseudoLabelQuality);
    } catch {
      // a weak step without its quality file (never written): nothing to show
    }
  }
  return found;
}

/** Samples, metrics.json and report.html. */
async function writeOutputs(x: Execution): Promise<void> {
  const { run, record } = x;
  const lastIndex = x.plan.length - 1;
  const finalStep = x.plan[lastIndex]!.step;
  const weakIndex = x.plan.map((p) => p.kind).lastIndexOf(StepKind.STEP_KIND_WEAK);
  const samples = await collectSamples({
    dataset: x.val,
    ids: x.valList.ids,
    count: x.deps.sampleImages,
    services: x.services,
    finalCheckpoint: record.run.steps[lastIndex]!.checkpoint,
    ...(weakIndex >= 0 && {
      weakStep: {
        step: x.plan[weakIndex]!.step,
        checkpoint: record.run.steps[weakIndex]!.checkpoint,
        newClassIds: x.plan[weakIndex]!.newClassIds,
        refine: run.refine,
        templates: run.promptTemplates,
      },
    }),
    hooks: x.hooks(finalStep),
    onWarning: (message) => x.warn(finalStep, message),
  });
  const events = await record.allEvents();
  const summary = {
    run: record.run,
    events,
    task: run.task.name,
    setting: run.setting,
    method: run.method,
    label: run.label,
    newClassIdsAfter: new Map(x.plan.map((p) => [p.step, p.evaluation.newClassIds])),
    pseudoLabelQuality: await readQuality(x),
  };
  const metrics = buildMetricsFile(summary);
  await writeJsonAtomic(x.folder.metricsJson, metrics);
  const classes = run.task.steps.flatMap((ids, step) =>
    ids.map((id) => ({ id, name: x.train.classes.find((c) => c.id === id)?.name ?? String(id), step })),
  );
  const html = renderReport(buildReportData({ ...summary, metrics, configuration: configurationOf(x), classes, samples }));
  await writeFileAtomic(x.folder.reportHtml, html);
}
