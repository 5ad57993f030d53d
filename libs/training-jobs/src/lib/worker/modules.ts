import { join } from 'node:path';
import { workerModulePath } from './launch';

const WORKER_DIR = join(__dirname, '../../worker');

/** The worker module that runs a job with step-training's runTrainingStep. */
export const TRAINING_WORKER_MODULE = workerModulePath(WORKER_DIR, 'training-worker');

/** The worker module that serves Evaluate and Predict. */
export const INFERENCE_WORKER_MODULE = workerModulePath(WORKER_DIR, 'inference-worker');
