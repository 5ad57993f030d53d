import { z } from 'zod';
import { serverConfigSchemaWithPort } from '@fmwiss/service-kit';

export const COORDINATOR_DEFAULT_PORT = 50055;

const address = (defaultAddress: string, service: string) =>
  z
    .string()
    .min(1)
    .regex(/^\S+$/, 'must be a host:port address')
    .default(defaultAddress)
    .describe(`${service} address (host:port) used when a StartRunRequest leaves services.${service.replace('-', '_')} empty.`);

/** Every option of the coordinator: `--kebab-case` flags or FMWISS_COORDINATOR_* variables. */
export const coordinatorConfigSchema = serverConfigSchemaWithPort(COORDINATOR_DEFAULT_PORT).extend({
  runsDir: z.string().min(1).default('runs').describe('Folder of the run folders (<runs-dir>/<run_id>) and of the run index (<runs-dir>/.index).'),
  cacheDir: z
    .string()
    .min(1)
    .optional()
    .describe('Cache shared by all runs: pseudo labels by content hash, base steps, label indexes (default <runs-dir>/.cache).'),
  maxConcurrentRuns: z.int().min(1).max(64).default(2).describe('Runs executed at once; later ones wait QUEUED.'),
  serviceAttempts: z
    .int()
    .min(1)
    .max(100)
    .default(6)
    .describe('Attempts of every call to another service (the first included) before the run fails; UNAVAILABLE, DEADLINE_EXCEEDED and dropped streams are retried.'),
  retryInitialMs: z.int().min(1).default(500).describe('Backoff before the first retry, in ms; doubled at each retry.'),
  retryMaxMs: z.int().min(1).default(8000).describe('Longest backoff between two attempts, in ms.'),
  callDeadlineMs: z.int().min(100).default(120_000).describe('Deadline of each unary call to another service (mask calls, Predict, GetTraining...), in ms.'),
  clipMask: address('127.0.0.1:50051', 'clip-mask'),
  seedRefiner: address('127.0.0.1:50052', 'seed-refiner'),
  memoryBank: address('127.0.0.1:50053', 'memory-bank'),
  trainer: address('127.0.0.1:50054', 'trainer'),
  sampleImages: z.int().min(0).max(100).default(6).describe('Validation images shown side by side in report.html.'),
  memoryPerClass: z.int().min(1).max(100_000).default(64).describe('B, instances kept per old class by the memory bank, when a run leaves config.memory_per_class unset.'),
  maskConcurrency: z.int().min(1).max(64).default(4).describe('Images sent to the mask services at once, when a run leaves config.mask_concurrency unset.'),
}).superRefine((config, ctx) => {
  if (config.retryInitialMs > config.retryMaxMs) {
    ctx.addIssue({ code: 'custom', path: ['retryInitialMs'], message: `must not exceed --retry-max-ms (${config.retryMaxMs})` });
  }
});

export type CoordinatorConfig = z.infer<typeof coordinatorConfigSchema>;
