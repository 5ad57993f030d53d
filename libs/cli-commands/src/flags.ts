// Flag groups shared by the commands (zod shapes for service-kit's loadConfig), and what they turn into.
import { z } from 'zod';
import { BINARIZATION_NAMES, FUSION_NAMES, type RunKnobs } from './run-config';
import { FORMAT_NAMES, SETTING_NAMES } from './run-request';
import { checkAddress } from './value-parsers';

const positive = () => z.int().min(1);

/** A flag that must be given (the message reads "--checkpoint / ...: is required"). */
export const requiredString = () => z.string({ error: 'is required' }).min(1, 'must not be empty');
const fraction = () => z.number().min(0).max(1);

/** Which task, which setting. */
export const taskShape = {
  task: z.string().min(1).default('15-5').describe('A protocol task (15-5, 15-1, 10-10, 19-1, 10-5, 10-2, coco-to-voc), or "custom" with --steps.'),
  steps: z.string().optional().describe('Classes of each step of a custom task, "/"-separated, step 0 first: e.g. 1-10/11-15/16-20.'),
  setting: z.enum(SETTING_NAMES).default('overlap').describe('Which training images a step sees (WILSS-PROTOCOL.md).'),
};

/** Where the dataset is. */
export const dataShape = {
  data: z.string().optional().describe('Dataset root (VOC: the folder holding JPEGImages). Default: the embedded benchmark, data/fmwiss-world/VOCdevkit/VOC2012 of the workspace.'),
  format: z.enum(FORMAT_NAMES).default('voc').describe('Dataset format (docs/datasets.md).'),
  trainList: z.string().optional().describe('A file of training image ids (one a line); default: the whole --train-split.'),
  valList: z.string().optional().describe('A file of validation image ids; default: the whole --val-split.'),
  trainSplit: z.string().min(1).default('train').describe('Split of the training images when no --train-list is given.'),
  valSplit: z.string().min(1).default('val').describe('Split evaluated after every step when no --val-list is given.'),
  maxTrainImages: z.int().min(0).optional().describe('Train on a seeded subset of this many training images (a list written under --work-dir; VOC only); 0: all.'),
};

/** The main hyperparameters and pseudo-label options (unset: the preset, the JSON config or the services\' defaults). */
export const knobShape = {
  baseEpochs: positive().optional().describe('Epochs of step 0 (and of joint training).'),
  incrementalEpochs: positive().optional().describe('Epochs of every later step (teacher warm-up included).'),
  teacherWarmupEpochs: z.int().min(0).optional().describe('Epochs the teacher trains alone at a weak step.'),
  batchSize: positive().optional().describe('Images per iteration, every step.'),
  learningRate: z.number().positive().optional().describe('Learning rate of step 0 (and of joint training).'),
  incrementalLearningRate: z.number().positive().optional().describe('Learning rate of the later steps.'),
  contrastiveWeight: z.number().min(0).optional().describe('lambda: weight of the dense contrastive loss.'),
  alpha: fraction().optional().describe('alpha: weight of the teacher\'s hard labels in the student\'s new-class targets.'),
  beta: fraction().optional().describe('beta: weight of the previous model in the student\'s old-class targets.'),
  useTeacher: z.boolean().optional().describe('Train the plug-in teacher (--no-use-teacher: the student learns from the pseudo labels directly).'),
  copyPaste: z.boolean().optional().describe('Paste old-class instances from the memory bank at weak steps.'),
  copyPasteInstances: positive().optional().describe('Instances pasted per image.'),
  seed: z.int().min(0).optional().describe('Seed of training (every step) and of the seed-point sampling.'),
  imageSize: positive().optional().describe('Side of the model\'s square input, in pixels.'),
  encoderWidth: positive().optional().describe('Channels of the student encoder\'s first stage.'),
  memoryPerClass: positive().optional().describe('B: instances the memory bank keeps per old class.'),
  maxEvalImages: z.int().min(0).optional().describe('Validation images evaluated after each step; 0: all.'),
  fusion: z.enum(FUSION_NAMES).optional().describe('How the binarised M_init and seed map are fused.'),
  seeds: z.int().min(1).max(1024).optional().describe('N: seed points per class.'),
  massFraction: z.number().gt(0).max(1).optional().describe('K: share of a map\'s mass kept by binarisation.'),
  binarization: z.enum(BINARIZATION_NAMES).optional().describe('Binarisation of M_init and of the seed map.'),
  maskConcurrency: positive().optional().describe('Images sent to the mask services at once.'),
};

export const KNOB_KEYS = Object.keys(knobShape) as (keyof typeof knobShape)[];

/** The knobs among parsed flags. */
export function knobsOf(values: Partial<Record<keyof typeof knobShape, unknown>>): RunKnobs {
  return Object.fromEntries(KNOB_KEYS.filter((k) => values[k] !== undefined).map((k) => [k, values[k]])) as RunKnobs;
}

/** Remote services, or the models of services the CLI starts. */
export const serviceShape = {
  coordinator: z.string().optional().describe('host:port of a running coordinator; unset: the CLI starts the services it needs on 127.0.0.1 and stops them at the end.'),
  clipMask: z.string().optional().describe('host:port of a running clip-mask service (else one is started).'),
  seedRefiner: z.string().optional().describe('host:port of a running seed-refiner service (else one is started).'),
  memoryBank: z.string().optional().describe('host:port of a running memory-bank service (else one is started).'),
  trainer: z.string().optional().describe('host:port of a running trainer (else one is started).'),
  clipImageModel: z.string().optional().describe('CLIP image model URI for a started clip-mask (onnx:<file> or kserve://host:port/model); default: models/mini-clip.'),
  clipTextModel: z.string().optional().describe('CLIP text model URI for a started clip-mask; default: models/mini-clip.'),
  vitModel: z.string().optional().describe('Self-supervised ViT model URI for a started seed-refiner; default: models/mini-dino.'),
};

export interface ServiceFlags {
  coordinator?: string;
  clipMask?: string;
  seedRefiner?: string;
  memoryBank?: string;
  trainer?: string;
  clipImageModel?: string;
  clipTextModel?: string;
  vitModel?: string;
}

/** Problems of the service flags: bad addresses, models given for services that are not started here. */
export function serviceFlagProblems(flags: ServiceFlags): string[] {
  const problems: string[] = [];
  for (const [key, flag] of [
    ['coordinator', '--coordinator'],
    ['clipMask', '--clip-mask'],
    ['seedRefiner', '--seed-refiner'],
    ['memoryBank', '--memory-bank'],
    ['trainer', '--trainer'],
  ] as const) {
    const value = flags[key];
    if (value === undefined) continue;
    try {
      checkAddress(value, flag);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  const models = (['clipImageModel', 'clipTextModel', 'vitModel'] as const).filter((k) => flags[k] !== undefined);
  const flagOf = { clipImageModel: '--clip-image-model', clipTextModel: '--clip-text-model', vitModel: '--vit-model' };
  if (flags.coordinator && models.length > 0) {
    problems.push(`${models.map((m) => flagOf[m]).join(', ')}: models are for services the CLI starts; with --coordinator every service runs elsewhere`);
  } else {
    if (flags.clipMask && (flags.clipImageModel || flags.clipTextModel)) problems.push('--clip-image-model / --clip-text-model: not with --clip-mask (that service has its own models)');
    if (flags.seedRefiner && flags.vitModel) problems.push('--vit-model: not with --seed-refiner (that service has its own model)');
  }
  return problems;
}
