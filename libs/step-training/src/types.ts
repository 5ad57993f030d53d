import type { LabelImage, RgbImage } from '@fmwiss/imaging';
import type { ModelConfig, ResolvedModelConfig } from '@fmwiss/segmentation-models';

/** base: step 0, pixel labels; weak: step t > 0 of the method; joint / finetune: the baselines. */
export type StepKind = 'base' | 'weak' | 'joint' | 'finetune';

export const STEP_KINDS: readonly StepKind[] = ['base', 'weak', 'joint', 'finetune'];

/** A dataset class id (VOC 1..20), never background, with its name. */
export interface ClassRef {
  id: number;
  name: string;
}

/** Where a step's images are: a dataset layout, its root, and which list of it. */
export interface DataRef {
  format: 'voc' | 'coco' | 'manifest';
  /** voc: the VOC2012 folder; coco: the prepared COCO root; manifest: the manifest file (or a folder holding manifest.json). */
  root: string;
  /** A list file of image ids (one a line) instead of the split's own list. */
  listPath?: string;
  /** voc: ImageSets/Segmentation/<split>.txt (default 'train'); coco: the split folder (default 'train2017'); manifest: the split (default 'train'). */
  split?: string;
  /** sha256 (hex) of the list file; checked when given, so a run trains on exactly the images it recorded. */
  listSha256?: string;
}

export interface CopyPasteOptions {
  enabled: boolean;
  /** Old-class instances pasted onto each training image. */
  instancesPerImage: number;
  /** Scale of a pasted instance relative to its stored size, drawn uniformly in [scaleMin, scaleMax). */
  scaleMin: number;
  scaleMax: number;
}

export interface StepHyperparameters {
  /** Epochs of the step; for weak steps the teacher warm-up epochs are part of them. */
  epochs: number;
  batchSize: number;
  learningRate: number;
  momentum: number;
  weightDecay: number;
  polyPower: number;
  /** Global gradient norm clip; 0 = off. */
  gradientClipNorm: number;
  teacherWarmupEpochs: number;
  contrastiveWeight: number;
  contrastiveTemperature: number;
  contrastivePointsPerClass: number;
  alpha: number;
  beta: number;
  useTeacher: boolean;
  copyPaste: CopyPasteOptions;
  seed: number;
  /** Random scale range of the training augmentation. */
  scaleMin: number;
  scaleMax: number;
}

export type HyperparameterInput = Partial<Omit<StepHyperparameters, 'copyPaste'>> & { copyPaste?: Partial<CopyPasteOptions> };

export interface StepSpec {
  runId: string;
  step: number;
  kind: StepKind;
  /** Ascending ids, no background. */
  newClasses: ClassRef[];
  /** Ascending ids, no background; empty at step 0 and for joint. */
  oldClasses: ClassRef[];
  /** The step's training list. */
  trainData: DataRef;
  /** weak: "<image_id>.png" label maps in class ids (0 background, new-class ids, 255 ignore). */
  pseudoLabelDir?: string;
  /** weak, finetune: folder of the previous step's final checkpoint. */
  previousCheckpoint?: string;
  /** Checkpoints "epoch-001", "epoch-002", ..., then "final". */
  outputDir: string;
  hyperparameters: StepHyperparameters;
  /** base, joint: the student's shape (unset fields: defaults, atrous 'native'). */
  model?: Partial<ModelConfig>;
  /** weak: image-level labels by image id; default: the dataset's labels ∩ newClasses. */
  imageLabels?: Record<string, number[]>;
}

export type StepPhase = 'loading' | 'base' | 'teacher-warmup' | 'teacher-and-student' | 'saving';

export interface StepProgress {
  phase: StepPhase;
  /** 1-based. */
  epoch: number;
  epochs: number;
  /** 1-based, within the epoch. */
  iteration: number;
  iterationsPerEpoch: number;
  /** "total", "seg", "teacher_bce", "dcl", "old_bce": the last iteration's terms. */
  losses: Record<string, number>;
  learningRate: number;
  imagesPerSecond: number;
  etaSeconds: number;
}

/** An instance offered to the memory bank: a crop of a training image around one object and its mask. */
export interface InstanceOffer {
  classId: number;
  sourceImageId: string;
  /** The crop. */
  image: RgbImage;
  /** Crop size, 1 = object. */
  mask: Uint8Array;
  /** The crop's box in the source image (provenance). */
  box?: { x: number; y: number; width: number; height: number };
}

export interface SampledInstance {
  instanceId: string;
  classId: number;
  image: RgbImage;
  /** image.width * image.height, 1 = object. */
  mask: Uint8Array;
}

/** What the trainer needs of a memory bank (the trainer service adapts MemoryBankService to it). */
export interface MemoryBankPort {
  /** Idempotent. */
  create(capacityPerClass: number, classIds: number[], seed: number): Promise<void>;
  offer(instances: InstanceOffer[]): Promise<void>;
  sample(classIds: number[], count: number, seed: number): Promise<SampledInstance[]>;
}

export interface StepHooks {
  /** Aborted: the step stops at the next iteration and throws StepCancelledError. */
  signal?: AbortSignal;
  /** About once a second and at every epoch end. */
  onProgress?(progress: StepProgress): void;
  onCheckpoint?(epoch: number, path: string): void;
  onWarning?(message: string): void;
  /** base: instances are offered when given; weak with copy-paste: required. */
  memoryBank?: MemoryBankPort;
}

export interface StepResult {
  /** The "final" folder. */
  checkpoint: string;
  /** Epochs trained by this call (0 when a complete final checkpoint of the same spec was found). */
  epochsRun: number;
  /** The epoch whose checkpoint this call continued from, or null for a fresh start. */
  resumedFromEpoch: number | null;
  model: ResolvedModelConfig;
  hyperparameters: StepHyperparameters;
}

export interface EvaluationOptions {
  checkpoint: string;
  data: DataRef;
  /** Step-0 classes without background: the "old" column. */
  baseClassIds: number[];
  /** Classes added after step 0: the "new" column. */
  newClassIds: number[];
  batchSize?: number;
  includeConfusion?: boolean;
  signal?: AbortSignal;
  onProgress?(imagesDone: number, imagesTotal: number): void;
}

export interface ClassScore {
  classId: number;
  name: string;
  iou: number;
  present: boolean;
}

export interface EvaluationSummary {
  /** In [0,1]; 0 when no class of the column is present. */
  miouOld: number;
  miouNew: number;
  miouAll: number;
  pixelAccuracy: number;
  /** Background first, then every class of the checkpoint (channel order). */
  classes: ClassScore[];
  images: number;
  /** Row-major [C,C], rows ground truth, over `classIds` (background + the checkpoint's classes, ascending ids). */
  confusion?: { classIds: number[]; counts: number[] };
}

export interface LoadedStepModel {
  /** Channel order after background. */
  classes: ClassRef[];
  model: ResolvedModelConfig;
  hasTeacher: boolean;
  step: number;
  kind: StepKind;
  dispose(): void;
}

export type PredictionHead = 'student' | 'teacher';

export interface PredictOptions {
  head: PredictionHead;
  includeProbabilities?: boolean;
}

export interface Prediction {
  /** Class ids (0 background) at the image's size. */
  labels: LabelImage;
  /** [C,H,W], background first, channel order of the model. */
  probabilities?: Float32Array;
}
