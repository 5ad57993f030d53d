// Named training sizes. `fmwiss demo` must finish 15-5 overlap with the method and both baselines
// within 20 minutes on 2 cores: every size that decides that lives here, in one object.
import type { RunKnobs } from './run-config';
import type { SettingName } from './run-request';

export interface TrainingPreset {
  name: string;
  task: string;
  setting: SettingName;
  /** Training images drawn (seeded) from the training split; 0: all. */
  maxTrainImages: number;
  /** Validation images evaluated after each step; 0: all. */
  maxEvalImages: number;
  imageSize: number;
  batchSize: number;
  /** Step 0, and joint training. */
  baseEpochs: number;
  /** Every later step, teacher warm-up included. */
  incrementalEpochs: number;
  teacherWarmupEpochs: number;
  memoryPerClass: number;
  maskConcurrency: number;
  seed: number;
  /** Jobs the demo's trainer runs at once (the joint baseline trains beside the method). */
  trainerJobs: number;
  /** Runs the demo's coordinator drives at once. */
  coordinatorRuns: number;
}

/** The demo's sizes (tuned so the whole demo fits its 20-minute budget on 2 cores). */
export const DEMO_PRESET: TrainingPreset = Object.freeze({
  name: 'demo',
  task: '15-5',
  setting: 'overlap',
  maxTrainImages: 1200,
  maxEvalImages: 200,
  imageSize: 128,
  batchSize: 8,
  baseEpochs: 10,
  incrementalEpochs: 6,
  teacherWarmupEpochs: 1,
  memoryPerClass: 20,
  maskConcurrency: 4,
  seed: 1,
  trainerJobs: 2,
  coordinatorRuns: 3,
});

export const PRESETS: Record<string, TrainingPreset> = { demo: DEMO_PRESET };

/** The knobs a preset sets (flags given by the user are applied over them). */
export function presetKnobs(preset: TrainingPreset): RunKnobs {
  return {
    baseEpochs: preset.baseEpochs,
    incrementalEpochs: preset.incrementalEpochs,
    teacherWarmupEpochs: preset.teacherWarmupEpochs,
    batchSize: preset.batchSize,
    imageSize: preset.imageSize,
    memoryPerClass: preset.memoryPerClass,
    maxEvalImages: preset.maxEvalImages,
    maskConcurrency: preset.maskConcurrency,
    seed: preset.seed,
  };
}

/** One line describing a preset with the user's overrides applied. */
export function describeSizes(knobs: RunKnobs, maxTrainImages: number): string {
  return [
    `train images ${maxTrainImages > 0 ? maxTrainImages : 'all'}`,
    `eval images ${knobs.maxEvalImages ? knobs.maxEvalImages : 'all'}`,
    `image ${knobs.imageSize ?? 'default'} px`,
    `batch ${knobs.batchSize ?? 'default'}`,
    `epochs ${knobs.baseEpochs ?? '?'} base / ${knobs.incrementalEpochs ?? '?'} incremental (${knobs.teacherWarmupEpochs ?? '?'} teacher warm-up)`,
    `seed ${knobs.seed ?? 0}`,
  ].join(', ');
}
