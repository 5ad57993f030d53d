// The RunConfig of a run from the command line: a method, a JSON configuration (--config-json) and
// the main knobs as flags, flags winning. Unset knobs stay unset so the services' defaults apply.
import {
  Binarization,
  CopyPaste,
  Fusion,
  Hyperparameters,
  Method,
  ModelConfig,
  RefineOptions,
  RunConfig,
} from '@fmwiss/contracts';

export const METHOD_NAMES = ['fmwiss', 'finetune', 'joint'] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

export const METHODS: Record<MethodName, Method> = {
  fmwiss: Method.METHOD_FMWISS,
  finetune: Method.METHOD_FINETUNE,
  joint: Method.METHOD_JOINT,
};

/** How tables name each method's row. */
export const METHOD_LABELS: Record<MethodName, string> = {
  fmwiss: 'FMWISS (ours)',
  finetune: 'fine-tuning (lower bound)',
  joint: 'joint training (upper bound)',
};

export const FUSION_NAMES = ['union', 'intersection', 'init-only', 'seeds-only'] as const;
export type FusionName = (typeof FUSION_NAMES)[number];
export const FUSIONS: Record<FusionName, Fusion> = {
  union: Fusion.FUSION_UNION,
  intersection: Fusion.FUSION_INTERSECTION,
  'init-only': Fusion.FUSION_INIT_ONLY,
  'seeds-only': Fusion.FUSION_SEEDS_ONLY,
};

export const BINARIZATION_NAMES = ['mass', 'top-fraction'] as const;
export type BinarizationName = (typeof BINARIZATION_NAMES)[number];
const BINARIZATIONS: Record<BinarizationName, Binarization> = {
  mass: Binarization.BINARIZATION_MASS,
  'top-fraction': Binarization.BINARIZATION_TOP_FRACTION,
};

/** The knobs the command line sets by flag (each one optional: unset keeps the JSON's or the server's value). */
export interface RunKnobs {
  baseEpochs?: number;
  incrementalEpochs?: number;
  teacherWarmupEpochs?: number;
  batchSize?: number;
  /** Learning rate of step 0 (and of joint training). */
  learningRate?: number;
  /** Learning rate of the later steps. */
  incrementalLearningRate?: number;
  /** lambda, the weight of the dense contrastive loss. */
  contrastiveWeight?: number;
  alpha?: number;
  beta?: number;
  useTeacher?: boolean;
  copyPaste?: boolean;
  copyPasteInstances?: number;
  /** Seed of training (both hyperparameter sets) and of the seed-point sampling. */
  seed?: number;
  imageSize?: number;
  encoderWidth?: number;
  memoryPerClass?: number;
  maxEvalImages?: number;
  fusion?: FusionName;
  /** N, seed points per class. */
  seeds?: number;
  /** K, the mass fraction kept by binarisation. */
  massFraction?: number;
  binarization?: BinarizationName;
  maskConcurrency?: number;
  label?: string;
}

const defined = <T extends object>(values: T): Partial<T> =>
  Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;

/** `config` with every knob that is set written into it (a new object; `config` is not changed). */
export function applyKnobs(config: RunConfig, knobs: RunKnobs): RunConfig {
  const next = RunConfig.fromPartial(config);
  const base = Hyperparameters.fromPartial(next.baseHyperparameters ?? {});
  const incremental = Hyperparameters.fromPartial(next.incrementalHyperparameters ?? {});
  Object.assign(base, defined({ epochs: knobs.baseEpochs, batchSize: knobs.batchSize, learningRate: knobs.learningRate, seed: knobs.seed }));
  Object.assign(
    incremental,
    defined({
      epochs: knobs.incrementalEpochs,
      batchSize: knobs.batchSize,
      learningRate: knobs.incrementalLearningRate,
      teacherWarmupEpochs: knobs.teacherWarmupEpochs,
      contrastiveWeight: knobs.contrastiveWeight,
      alpha: knobs.alpha,
      beta: knobs.beta,
      useTeacher: knobs.useTeacher,
      seed: knobs.seed,
    }),
  );
  if (knobs.copyPaste !== undefined || knobs.copyPasteInstances !== undefined) {
    incremental.copyPaste = CopyPaste.fromPartial({
      ...incremental.copyPaste,
      ...defined({ enabled: knobs.copyPaste, instancesPerImage: knobs.copyPasteInstances }),
    });
  }
  next.baseHyperparameters = base;
  next.incrementalHyperparameters = incremental;
  if (knobs.imageSize !== undefined || knobs.encoderWidth !== undefined) {
    next.model = ModelConfig.fromPartial({ ...next.model, ...defined({ imageSize: knobs.imageSize, encoderWidth: knobs.encoderWidth }) });
  }
  const refine = RefineOptions.fromPartial(next.refine ?? {});
  Object.assign(refine, defined({ numSeeds: knobs.seeds, massFraction: knobs.massFraction, randomSeed: knobs.seed }));
  if (knobs.fusion !== undefined) refine.fusion = FUSIONS[knobs.fusion];
  if (knobs.binarization !== undefined) refine.binarization = BINARIZATIONS[knobs.binarization];
  next.refine = refine;
  Object.assign(next, defined({ memoryPerClass: knobs.memoryPerClass, maxEvalImages: knobs.maxEvalImages, maskConcurrency: knobs.maskConcurrency, label: knobs.label }));
  return next;
}

type Template = Record<string, unknown>;
const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Field names of each message that --config-json may use (camelCase or snake_case), nested messages by field. */
const TEMPLATES: Record<string, { fields: Template; nested: Record<string, string> }> = {
  RunConfig: {
    fields: RunConfig.fromPartial({}) as unknown as Template,
    nested: { refine: 'RefineOptions', baseHyperparameters: 'Hyperparameters', incrementalHyperparameters: 'Hyperparameters', model: 'ModelConfig' },
  },
  RefineOptions: { fields: RefineOptions.fromPartial({}) as unknown as Template, nested: {} },
  Hyperparameters: { fields: Hyperparameters.fromPartial({}) as unknown as Template, nested: { copyPaste: 'CopyPaste' } },
  CopyPaste: { fields: CopyPaste.fromPartial({}) as unknown as Template, nested: {} },
  ModelConfig: { fields: ModelConfig.fromPartial({}) as unknown as Template, nested: {} },
};

/** Every key of `value` that the message `type` does not have, as "path.key". */
function unknownKeys(value: unknown, type: string, path: string): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const template = TEMPLATES[type] as (typeof TEMPLATES)[string];
  const problems: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const field = Object.keys(template.fields).find((f) => f === key || snake(f) === key);
    if (!field) problems.push(`${path}${key}`);
    else if (template.nested[field]) problems.push(...unknownKeys(child, template.nested[field] as string, `${path}${key}.`));
  }
  return problems;
}

/**
 * A RunConfig from its proto3 JSON form (camelCase or snake_case names, enum names such as
 * "FUSION_INTERSECTION"), refusing unknown fields and unknown enum values.
 */
export function runConfigFromJson(text: string, source: string): RunConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${source} must hold a JSON object (a RunConfig)`);
  const unknown = unknownKeys(value, 'RunConfig', '');
  if (unknown.length > 0) throw new Error(`${source}: unknown RunConfig field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (see proto/fmwiss/v1/pipeline.proto)`);
  const config = RunConfig.fromJSON(value);
  const enums: [string, number][] = [
    ['method', config.method],
    ['refine.fusion', config.refine?.fusion ?? 0],
    ['refine.binarization', config.refine?.binarization ?? 0],
    ['refine.encoding', config.refine?.encoding ?? 0],
  ];
  const bad = enums.filter(([, v]) => v === -1).map(([name]) => name);
  if (bad.length > 0) throw new Error(`${source}: unknown value of ${bad.join(', ')}`);
  return config;
}

/** The method's config: `base` (from JSON or a preset) with the method set and the label filled in. */
export function methodConfig(base: RunConfig, method: MethodName, label?: string): RunConfig {
  return RunConfig.fromPartial({ ...base, method: METHODS[method], label: label ?? (base.label || METHOD_LABELS[method]) });
}
