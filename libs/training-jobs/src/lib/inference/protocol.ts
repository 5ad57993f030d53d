// Messages between the trainer's main thread and an inference worker (Evaluate, Predict).
import type { BackendChoice } from '@fmwiss/tensor-runtime';
import type { RgbImage, LabelImage } from '@fmwiss/imaging';
import type { ClassRef, DataRef, EvaluationSummary, PredictionHeadName } from '../step-api';

export interface InferenceWorkerInput {
  backend: BackendChoice;
  /** Loaded checkpoints kept for Predict (LRU). */
  modelCacheSize: number;
}

export interface EvaluateTask {
  type: 'evaluate';
  id: number;
  checkpoint: string;
  data: DataRef;
  baseClassIds: number[];
  newClassIds: number[];
  batchSize?: number;
  includeConfusion: boolean;
}

export interface PredictTask {
  type: 'predict';
  id: number;
  checkpoint: string;
  image: RgbImage;
  head: PredictionHeadName;
  includeProbabilities: boolean;
}

export type InferenceCommand = EvaluateTask | PredictTask | { type: 'cancel'; id: number };

export interface PredictOutput {
  labels: LabelImage;
  /** Background first, then the checkpoint's classes in channel order. */
  classes: ClassRef[];
  /** [C,H,W] when asked. */
  probabilities?: Float32Array;
}

/** A failure with the gRPC status code the caller should see. */
export interface InferenceFailure {
  code: number;
  message: string;
}

export type InferenceMessage =
  | { type: 'evaluate-progress'; id: number; imagesDone: number; imagesTotal: number }
  | { type: 'evaluated'; id: number; summary: EvaluationSummary }
  | { type: 'predicted'; id: number; output: PredictOutput }
  | { type: 'failed'; id: number; failure: InferenceFailure };
