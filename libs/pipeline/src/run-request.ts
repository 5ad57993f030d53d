// StartRunRequest checks and defaults: every problem is an INVALID_ARGUMENT naming the field
// (proto field names, e.g. "config.base_hyperparameters.epochs"). What needs the file system
// (datasets) is checked afterwards by run-datasets.ts.
import { resolve } from 'node:path';
import {
  Binarization,
  DatasetRef_Format,
  Fusion,
  MapEncoding,
  Method,
  Setting,
  type DatasetRef,
  type Hyperparameters,
  type ModelConfig,
  type RefineOptions,
  type StartRunRequest,
} from '@fmwiss/contracts';
import { taskByName, taskProblems, TaskError, type IncrementalSetting, type TaskDefinition } from '@fmwiss/datasets';
import { InvalidArgumentError } from '@fmwiss/service-kit';

export type MethodName = 'fmwiss' | 'joint' | 'finetune';

export interface ServiceAddresses {
  clipMask: string;
  seedRefiner: string;
  memoryBank: string;
  trainer: string;
}

/** What the coordinator fills in where a request leaves a field empty. */
export interface RunDefaults {
  services: ServiceAddresses;
  runsDir: string;
  memoryPerClass: number;
  maskConcurrency: number;
}

/** A checked request with every default applied. */
export interface ResolvedRun {
  runId: string;
  runDir: string;
  method: MethodName;
  setting: IncrementalSetting;
  task: TaskDefinition;
  trainData: DatasetRef;
  valData: DatasetRef;
  services: ServiceAddresses;
  label: string;
  maskConcurrency: number;
  memoryPerClass: number;
  /** 0: every validation image. */
  maxEvalImages: number;
  refine: RefineOptions;
  promptTemplates: string[];
  baseHyperparameters: Hyperparameters;
  incrementalHyperparameters: Hyperparameters;
  model: ModelConfig;
}

export const RUN_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
export const METHOD_NAMES: Record<Method, MethodName | undefined> = {
  [Method.METHOD_UNSPECIFIED]: 'fmwiss',
  [Method.METHOD_FMWISS]: 'fmwiss',
  [Method.METHOD_JOINT]: 'joint',
  [Method.METHOD_FINETUNE]: 'finetune',
  [Method.UNRECOGNIZED]: undefined,
};

/** Collects problems, each "field: what is wrong". */
class Problems {
  readonly list: string[] = [];
  add(field: string, problem: string): void {
    this.list.push(`${field}: ${problem}`);
  }
  check(ok: boolean, field: string, problem: string): void {
    if (!ok) this.add(field, problem);
  }
}

const known = <E extends Record<string, string | number>>(values: E, value: number): boolean =>
  Object.values(values).includes(value) && value !== -1;

/** A generated run id: run-<UTC date and time>-<6 hex>. */
export function generateRunId(now = new Date(), random = Math.random): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const suffix = Math.floor(random() * 0xffffff)
    .toString(16)
    .padStart(6, '0');
  return `run-${stamp}-${suffix}`;
}

function checkDatasetRef(problems: Problems, field: string, ref: DatasetRef | undefined): void {
  if (!ref) return problems.add(field, 'is required (format, root, and list_path or split)');
  problems.check(ref.root.trim() !== '', `${field}.root`, 'is required');
  problems.check(
    known(DatasetRef_Format, ref.format),
    `${field}.format`,
    `unknown value ${ref.format} (FORMAT_VOC, FORMAT_COCO, FORMAT_MANIFEST)`,
  );
  problems.check(ref.listSha256 === '' || /^[0-9a-fA-F]{64}$/.test(ref.listSha256), `${field}.list_sha256`, 'must be 64 hex digits');
  problems.check(ref.split === '' || /^[A-Za-z0-9][\w.-]*$/.test(ref.split), `${field}.split`, `"${ref.split}" is not a split name (letters, digits, _ . -)`);
}

type NumberRule = [key: string, field: string, ok: (v: number) => boolean, expected: string];

const int = (v: number) => Number.isInteger(v);
// The same ranges as the trainer's own checks (step-training's hyperparameters), so a run is refused
// at StartRun rather than at its first training step.
const HYPERPARAMETER_RULES: NumberRule[] = [
  ['epochs', 'epochs', (v) => int(v) && v >= 1 && v <= 10_000, 'an integer in 1..10000'],
  ['batchSize', 'batch_size', (v) => int(v) && v >= 1 && v <= 1024, 'an integer in 1..1024'],
  ['learningRate', 'learning_rate', (v) => v > 0 && v <= 10, 'in (0, 10]'],
  ['momentum', 'momentum', (v) => v >= 0 && v < 1, 'in [0, 1)'],
  ['weightDecay', 'weight_decay', (v) => v >= 0 && v <= 1, 'in [0, 1]'],
  ['polyPower', 'poly_power', (v) => v >= 0 && v <= 10, 'in [0, 10]'],
  ['gradientClipNorm', 'gradient_clip_norm', (v) => v >= 0 && v <= 1e6, 'in [0, 1e6] (0: off)'],
  ['teacherWarmupEpochs', 'teacher_warmup_epochs', (v) => int(v) && v >= 0 && v <= 10_000, 'an integer in 0..10000'],
  ['contrastiveWeight', 'contrastive_weight', (v) => v >= 0 && v <= 100, 'in [0, 100]'],
  ['contrastiveTemperature', 'contrastive_temperature', (v) => v > 0 && v <= 100, 'in (0, 100]'],
  ['contrastivePointsPerClass', 'contrastive_points_per_class', (v) => int(v) && v >= 1 && v <= 1000, 'an integer in 1..1000'],
  ['alpha', 'alpha', (v) => v >= 0 && v <= 1, 'in [0, 1]'],
  ['beta', 'beta', (v) => v >= 0 && v <= 1, 'in [0, 1]'],
  ['seed', 'seed', (v) => int(v) && v >= 0, 'an integer >= 0'],
  ['scaleMin', 'scale_min', (v) => v > 0 && v <= 16, 'in (0, 16]'],
  ['scaleMax', 'scale_max', (v) => v > 0 && v <= 16, 'in (0, 16]'],
];
const COPY_PASTE_RULES: NumberRule[] = [
  ['instancesPerImage', 'instances_per_image', (v) => int(v) && v >= 0 && v <= 64, 'an integer in 0..64'],
  ['scaleMin', 'scale_min', (v) => v > 0 && v <= 16, 'in (0, 16]'],
  ['scaleMax', 'scale_max', (v) => v > 0 && v <= 16, 'in (0, 16]'],
];
const MODEL_RULES: NumberRule[] = [
  ['imageSize', 'image_size', (v) => int(v) && v >= 16 && v <= 4096, 'an integer in 16..4096'],
  ['encoderWidth', 'encoder_width', (v) => int(v) && v >= 1 && v <= 1024, 'an integer in 1..1024'],
  ['outputStride', 'output_stride', (v) => v === 4 || v === 8 || v === 16, '4, 8 or 16'],
  ['asppChannels', 'aspp_channels', (v) => int(v) && v >= 1 && v <= 4096, 'an integer in 1..4096'],
  ['embeddingDim', 'embedding_dim', (v) => int(v) && v >= 1 && v <= 4096, 'an integer in 1..4096'],
];

function checkNumbers(problems: Problems, field: string, value: object | undefined, rules: NumberRule[]): void {
  if (!value) return;
  const record = value as Record<string, unknown>;
  for (const [key, name, ok, expected] of rules) {
    const v = record[key];
    if (v === undefined) continue;
    problems.check(typeof v === 'number' && Number.isFinite(v) && ok(v), `${field}.${name}`, `must be ${expected}, got ${String(v)}`);
  }
}

function checkHyperparameters(problems: Problems, field: string, h: Hyperparameters | undefined): void {
  if (!h) return;
  checkNumbers(problems, field, h, HYPERPARAMETER_RULES);
  checkNumbers(problems, `${field}.copy_paste`, h.copyPaste, COPY_PASTE_RULES);
  if (h.scaleMin !== undefined && h.scaleMax !== undefined && h.scaleMin > h.scaleMax) {
    problems.add(`${field}.scale_min`, `must not exceed scale_max (${h.scaleMin} > ${h.scaleMax})`);
  }
  const cp = h.copyPaste;
  if (cp?.scaleMin !== undefined && cp.scaleMax !== undefined && cp.scaleMin > cp.scaleMax) {
    problems.add(`${field}.copy_paste.scale_min`, `must not exceed scale_max (${cp.scaleMin} > ${cp.scaleMax})`);
  }
}

function checkRefine(problems: Problems, refine: RefineOptions | undefined): void {
  if (!refine) return;
  const field = 'config.refine';
  if (refine.massFraction !== undefined) {
    problems.check(refine.massFraction > 0 && refine.massFraction <= 1, `${field}.mass_fraction`, `must be in (0, 1], got ${refine.massFraction}`);
  }
  if (refine.numSeeds !== undefined) {
    problems.check(int(refine.numSeeds) && refine.numSeeds >= 1 && refine.numSeeds <= 1024, `${field}.num_seeds`, `must be an integer in 1..1024, got ${refine.numSeeds}`);
  }
  problems.check(known(Binarization, refine.binarization), `${field}.binarization`, `unknown value ${refine.binarization}`);
  problems.check(known(Fusion, refine.fusion), `${field}.fusion`, `unknown value ${refine.fusion}`);
  problems.check(known(MapEncoding, refine.encoding), `${field}.encoding`, `unknown value ${refine.encoding}`);
}

/** The task of a request: a protocol task by name, or custom steps (class space from the dataset format). */
function resolveTask(problems: Problems, request: StartRunRequest): TaskDefinition | undefined {
  const spec = request.task;
  const name = spec?.name.trim() ?? '';
  const steps = spec?.steps ?? [];
  if (name !== '' && steps.length > 0) {
    problems.add('task', 'give either a task name or custom steps, not both');
    return undefined;
  }
  if (name !== '') {
    try {
      return taskByName(name);
    } catch (error) {
      if (error instanceof TaskError) problems.add('task.name', error.message);
      else throw error;
      return undefined;
    }
  }
  if (steps.length === 0) {
    problems.add('task', 'is required: a task name (15-5, 15-1, 10-10, 19-1, 10-5, 10-2, coco-to-voc) or custom steps');
    return undefined;
  }
  const classSpace = request.trainData?.format === DatasetRef_Format.FORMAT_COCO ? 'coco' : 'voc';
  const task: TaskDefinition = { name: 'custom', classSpace, steps: steps.map((s) => [...s.classIds]) };
  const found = taskProblems(task, Array.from({ length: 254 }, (_, i) => i + 1));
  for (const problem of found) problems.add('task.steps', problem);
  return found.length === 0 ? task : undefined;
}

const ADDRESS = /^\S+$/;

/** A DatasetRef with absolute paths and a split name (services may run in another working folder). */
function absoluteRef(ref: DatasetRef, defaultSplit: string): DatasetRef {
  return {
    ...ref,
    root: resolve(ref.root),
    listPath: ref.listPath === '' ? '' : resolve(ref.listPath),
    split: ref.split || defaultSplit,
  };
}

/**
 * Checks a StartRunRequest and applies the defaults; throws InvalidArgumentError listing every
 * problem, each naming its field. `runId` must already be set (generated when the request had none).
 */
export function resolveRunRequest(request: StartRunRequest, runId: string, defaults: RunDefaults): ResolvedRun {
  const problems = new Problems();
  problems.check(
    RUN_ID_PATTERN.test(runId) && runId !== '.' && runId !== '..',
    'run_id',
    `"${runId}" must be 1 to 128 characters of [A-Za-z0-9._-] (and not "." or "..")`,
  );
  const task = resolveTask(problems, request);
  const setting = request.setting === Setting.SETTING_OVERLAP ? 'overlap' : request.setting === Setting.SETTING_DISJOINT ? 'disjoint' : undefined;
  if (!setting) problems.add('setting', `must be SETTING_OVERLAP or SETTING_DISJOINT, got ${request.setting}`);
  checkDatasetRef(problems, 'train_data', request.trainData);
  checkDatasetRef(problems, 'val_data', request.valData);

  const given = request.services;
  const services: ServiceAddresses = {
    clipMask: given?.clipMask || defaults.services.clipMask,
    seedRefiner: given?.seedRefiner || defaults.services.seedRefiner,
    memoryBank: given?.memoryBank || defaults.services.memoryBank,
    trainer: given?.trainer || defaults.services.trainer,
  };
  for (const [key, name] of [
    ['clipMask', 'clip_mask'],
    ['seedRefiner', 'seed_refiner'],
    ['memoryBank', 'memory_bank'],
    ['trainer', 'trainer'],
  ] as const) {
    problems.check(ADDRESS.test(services[key]), `services.${name}`, `"${services[key]}" is not a host:port address`);
  }

  const config = request.config;
  const method = METHOD_NAMES[config?.method ?? Method.METHOD_UNSPECIFIED];
  if (!method) problems.add('config.method', `unknown value ${config?.method} (METHOD_FMWISS, METHOD_JOINT, METHOD_FINETUNE)`);
  checkRefine(problems, config?.refine);
  const templates = config?.promptTemplates ?? [];
  problems.check(templates.length <= 256, 'config.prompt_templates', `at most 256 templates, got ${templates.length}`);
  templates.forEach((template, i) => {
    problems.check(template.split('{}').length === 2, `config.prompt_templates[${i}]`, `"${template}" must contain "{}" exactly once`);
  });
  const maskConcurrency = config?.maskConcurrency ?? defaults.maskConcurrency;
  problems.check(int(maskConcurrency) && maskConcurrency >= 1 && maskConcurrency <= 64, 'config.mask_concurrency', `must be an integer in 1..64, got ${maskConcurrency}`);
  checkHyperparameters(problems, 'config.base_hyperparameters', config?.baseHyperparameters);
  checkHyperparameters(problems, 'config.incremental_hyperparameters', config?.incrementalHyperparameters);
  checkNumbers(problems, 'config.model', config?.model, MODEL_RULES);
  config?.model?.asppRates.forEach((rate, i) => {
    problems.check(int(rate) && rate >= 1 && rate <= 64, `config.model.aspp_rates[${i}]`, `must be an integer in 1..64, got ${rate}`);
  });
  const memoryPerClass = config?.memoryPerClass ?? defaults.memoryPerClass;
  problems.check(int(memoryPerClass) && memoryPerClass >= 1 && memoryPerClass <= 100_000, 'config.memory_per_class', `must be an integer in 1..100000, got ${memoryPerClass}`);
  const maxEvalImages = config?.maxEvalImages ?? 0;
  problems.check(int(maxEvalImages) && maxEvalImages >= 0, 'config.max_eval_images', `must be an integer >= 0 (0: all), got ${maxEvalImages}`);
  const label = config?.label.trim() ?? '';
  problems.check(label.length <= 200, 'config.label', `at most 200 characters, got ${label.length}`);

  if (problems.list.length > 0 || !task || !setting || !method || !request.trainData || !request.valData) {
    throw new InvalidArgumentError(
      problems.list.length === 1 ? problems.list[0]! : `${problems.list.length} problems: ${problems.list.join('; ')}`,
    );
  }
  const refine: RefineOptions = {
    binarization: Binarization.BINARIZATION_UNSPECIFIED,
    fusion: Fusion.FUSION_UNSPECIFIED,
    ...config?.refine,
    // Intermediates are asked for only for the report's samples; the labels travel as a PNG.
    includeIntermediates: false,
    encoding: MapEncoding.MAP_ENCODING_UNSPECIFIED,
  };
  return {
    runId,
    runDir: resolve(request.outputDir.trim() || defaults.runsDir, runId),
    method,
    setting,
    task,
    trainData: absoluteRef(request.trainData, 'train'),
    valData: absoluteRef(request.valData, 'val'),
    services,
    label: label || method,
    maskConcurrency,
    memoryPerClass,
    maxEvalImages,
    refine,
    promptTemplates: [...templates],
    baseHyperparameters: config?.baseHyperparameters ?? { copyPaste: undefined },
    incrementalHyperparameters: config?.incrementalHyperparameters ?? { copyPaste: undefined },
    model: config?.model ?? { asppRates: [] },
  };
}
