import { StepSpecError } from './errors';
import { STEP_KINDS, type CopyPasteOptions, type HyperparameterInput, type StepHyperparameters, type StepKind } from './types';

/**
 * Defaults sized for 2 CPU cores on the wasm backend (one thread) with the default student (128 px,
 * width 24, stride 8): a base iteration at batch 8 takes about 0.39 s, a weak iteration (student,
 * teacher and the frozen previous model) about 0.64 s; docs/step-training.md has the figures. The
 * student is trained from scratch, hence a learning rate well above the paper's 1e-3 (which fine-tunes
 * an ImageNet ResNet-101).
 */
const COMMON: StepHyperparameters = {
  epochs: 3,
  batchSize: 8,
  learningRate: 0.1,
  momentum: 0.9,
  weightDecay: 1e-4,
  polyPower: 0.9,
  gradientClipNorm: 10,
  teacherWarmupEpochs: 0,
  contrastiveWeight: 0.1,
  contrastiveTemperature: 0.1,
  contrastivePointsPerClass: 10,
  alpha: 0.5,
  beta: 0.9,
  useTeacher: true,
  copyPaste: { enabled: false, instancesPerImage: 2, scaleMin: 0.5, scaleMax: 1 },
  seed: 1,
  scaleMin: 0.75,
  scaleMax: 1.5,
};

const BY_KIND: Record<StepKind, Partial<StepHyperparameters>> = {
  base: {},
  joint: {},
  weak: { epochs: 6, teacherWarmupEpochs: 1, learningRate: 0.05, copyPaste: { ...COMMON.copyPaste, enabled: true } },
  finetune: { epochs: 6, learningRate: 0.05 },
};

/** The defaults of a kind of step (a fresh object). */
export function defaultHyperparameters(kind: StepKind): StepHyperparameters {
  if (!STEP_KINDS.includes(kind)) throw new StepSpecError(`kind must be one of ${STEP_KINDS.join(', ')}, got ${String(kind)}`);
  const merged = { ...COMMON, ...BY_KIND[kind] };
  return { ...merged, copyPaste: { ...merged.copyPaste } };
}

type Check = (value: unknown) => string | null;

const integer = (min: number, max: number): Check => (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? null : `must be an integer in [${min}, ${max}]`;
const number = (min: number, max: number, { minOpen = false, maxOpen = false } = {}): Check => (v) =>
  typeof v === 'number' && Number.isFinite(v) && (minOpen ? v > min : v >= min) && (maxOpen ? v < max : v <= max)
    ? null
    : `must be a number in ${minOpen ? '(' : '['}${min}, ${max}${maxOpen ? ')' : ']'}`;
const boolean: Check = (v) => (typeof v === 'boolean' ? null : 'must be true or false');

const CHECKS: Record<Exclude<keyof StepHyperparameters, 'copyPaste'>, Check> = {
  epochs: integer(1, 10_000),
  batchSize: integer(1, 1024),
  learningRate: number(0, 10, { minOpen: true }),
  momentum: number(0, 1, { maxOpen: true }),
  weightDecay: number(0, 1),
  polyPower: number(0, 10),
  gradientClipNorm: number(0, 1e6),
  teacherWarmupEpochs: integer(0, 10_000),
  contrastiveWeight: number(0, 100),
  contrastiveTemperature: number(0, 100, { minOpen: true }),
  contrastivePointsPerClass: integer(1, 1000),
  alpha: number(0, 1),
  beta: number(0, 1),
  useTeacher: boolean,
  seed: integer(0, Number.MAX_SAFE_INTEGER),
  scaleMin: number(0, 16, { minOpen: true }),
  scaleMax: number(0, 16, { minOpen: true }),
};

const COPY_PASTE_CHECKS: Record<keyof CopyPasteOptions, Check> = {
  enabled: boolean,
  instancesPerImage: integer(0, 64),
  scaleMin: number(0, 16, { minOpen: true }),
  scaleMax: number(0, 16, { minOpen: true }),
};

/** Every problem of a hyperparameter set, each naming its field ("hyperparameters.epochs must ..."). */
export function hyperparameterProblems(kind: StepKind, h: StepHyperparameters): string[] {
  const problems: string[] = [];
  for (const [key, check] of Object.entries(CHECKS)) {
    const why = check((h as unknown as Record<string, unknown>)[key]);
    if (why) problems.push(`hyperparameters.${key} ${why}, got ${JSON.stringify((h as unknown as Record<string, unknown>)[key])}`);
  }
  for (const [key, check] of Object.entries(COPY_PASTE_CHECKS)) {
    const why = check((h.copyPaste as unknown as Record<string, unknown>)[key]);
    if (why) problems.push(`hyperparameters.copyPaste.${key} ${why}, got ${JSON.stringify((h.copyPaste as unknown as Record<string, unknown>)[key])}`);
  }
  if (problems.length > 0) return problems;
  if (h.scaleMax < h.scaleMin) problems.push(`hyperparameters.scaleMax (${h.scaleMax}) must be >= scaleMin (${h.scaleMin})`);
  if (h.copyPaste.scaleMax < h.copyPaste.scaleMin) {
    problems.push(`hyperparameters.copyPaste.scaleMax (${h.copyPaste.scaleMax}) must be >= copyPaste.scaleMin (${h.copyPaste.scaleMin})`);
  }
  if (kind === 'weak' && h.useTeacher && h.teacherWarmupEpochs >= h.epochs) {
    problems.push(
      `hyperparameters.teacherWarmupEpochs (${h.teacherWarmupEpochs}) must be below epochs (${h.epochs}): the warm-up epochs are part of the step's epochs and the student needs at least one`,
    );
  }
  return problems;
}

/**
 * Fills unset fields (absent or undefined) with the defaults of `kind` and checks every field; throws
 * a StepSpecError naming each bad or unknown field.
 */
export function resolveHyperparameters(kind: StepKind, given: HyperparameterInput = {}): StepHyperparameters {
  const defaults = defaultHyperparameters(kind);
  const problems: string[] = [];
  const known = new Set([...Object.keys(CHECKS), 'copyPaste']);
  for (const key of Object.keys(given ?? {})) if (!known.has(key)) problems.push(`hyperparameters.${key} is not a hyperparameter`);
  const copyPasteGiven = given?.copyPaste ?? {};
  for (const key of Object.keys(copyPasteGiven)) {
    if (!(key in COPY_PASTE_CHECKS)) problems.push(`hyperparameters.copyPaste.${key} is not a copy-paste option`);
  }
  const resolved = { ...defaults } as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(given ?? {})) if (key !== 'copyPaste' && value !== undefined && known.has(key)) resolved[key] = value;
  const copyPaste = { ...defaults.copyPaste } as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(copyPasteGiven)) if (value !== undefined && key in COPY_PASTE_CHECKS) copyPaste[key] = value;
  resolved['copyPaste'] = copyPaste;
  const result = resolved as unknown as StepHyperparameters;
  problems.push(...hyperparameterProblems(kind, result));
  if (problems.length > 0) throw new StepSpecError(problems.length === 1 ? problems[0]! : `${problems.length} bad hyperparameters: ${problems.join('; ')}`, problems);
  return result;
}
