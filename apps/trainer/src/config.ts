import { z } from 'zod';
import { serverConfigSchemaWithPort } from '@fmwiss/service-kit';

export const TRAINER_DEFAULT_PORT = 50054;

/** Every option of the trainer: `--kebab-case` flags or FMWISS_TRAINER_* variables. */
export const trainerConfigSchema = serverConfigSchemaWithPort(TRAINER_DEFAULT_PORT).extend({
  stateDir: z
    .string()
    .min(1)
    .default('var/trainer')
    .describe('Folder of the job records: jobs/<job_id>/job.json and events.jsonl, and a lock file (created if missing).'),
  maxConcurrentJobs: z.int().min(1).max(64).default(1).describe('Training jobs running at once; further jobs wait QUEUED.'),
  backend: z
    .enum(['auto', 'wasm', 'cpu'])
    .default('auto')
    .describe('TensorFlow.js backend of the worker threads: auto (tfjs-node-gpu, else tfjs-node when installed, else wasm), wasm or cpu.'),
  modelCacheSize: z.int().min(0).max(1024).default(4).describe('Loaded checkpoints each inference worker keeps for Predict (LRU; 0: none).'),
  inferenceWorkers: z.int().min(1).max(64).default(1).describe('Worker threads serving Evaluate and Predict (started on first use).'),
  maxQueuedInference: z.int().min(1).default(64).describe('Evaluate/Predict calls allowed to wait for a worker; more get RESOURCE_EXHAUSTED.'),
  memoryBankRetries: z
    .int()
    .min(0)
    .max(100)
    .default(5)
    .describe('Retries of a memory-bank call that fails with UNAVAILABLE (backoff 0.5 s doubling to 8 s); each is a job warning.'),
  memoryBankDeadlineMs: z.int().min(1).default(60_000).describe('Deadline of one memory-bank call, in ms.'),
  maxImagePixels: z.int().min(1).default(4096 * 4096).describe('Largest Predict image accepted, in pixels (width * height).'),
  cancelGraceMs: z
    .int()
    .min(0)
    .default(30_000)
    .describe('After CancelTraining, how long a running job may take to stop before its worker thread is terminated, in ms.'),
  progressIntervalMs: z
    .int()
    .min(0)
    .default(1000)
    .describe('At most one progress event per this many ms goes to events.jsonl and watchers (epoch ends and phase changes always do).'),
});

export type TrainerConfig = z.infer<typeof trainerConfigSchema>;
