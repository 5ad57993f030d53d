import { mkdirSync } from 'node:fs';
import { FMWISS_SERVICE_NAMES, TrainerServiceService, fmwissDescriptorSet } from '@fmwiss/contracts';
import { implementService, startServer, type RunningServer } from '@fmwiss/service-kit';
import { InferencePool, JobManager, type StepValidation } from '@fmwiss/training-jobs';
import type { Logger } from 'pino';
import type { TrainerConfig } from './config';
import { trainerHandlers } from './service';
import { stepValidation } from './step-library';

/** Seams for tests: other worker modules and request checks than step-training's. */
export interface TrainerOverrides {
  trainingWorker?: string;
  inferenceWorker?: string;
  validation?: StepValidation;
}

/**
 * Opens the state dir (resuming the jobs a previous trainer left QUEUED or RUNNING) and serves
 * TrainerService. Shutdown stops the training workers first (their jobs stay RUNNING on disk and
 * resume at the next start) and ends watch streams, then lets Evaluate/Predict calls finish within
 * the grace period.
 */
export async function startTrainer(config: TrainerConfig, logger: Logger, overrides: TrainerOverrides = {}): Promise<RunningServer> {
  mkdirSync(config.stateDir, { recursive: true });
  const jobs = JobManager.open({
    stateDir: config.stateDir,
    maxConcurrentJobs: config.maxConcurrentJobs,
    logger: logger.child({ component: 'jobs' }),
    backend: config.backend,
    memoryBankRetry: {
      attempts: config.memoryBankRetries + 1,
      initialBackoffMs: 500,
      maxBackoffMs: 8000,
      deadlineMs: config.memoryBankDeadlineMs,
    },
    progressIntervalMs: config.progressIntervalMs,
    cancelGraceMs: config.cancelGraceMs,
    ...(overrides.trainingWorker ? { workerModule: overrides.trainingWorker } : {}),
  });
  const inference = new InferencePool({
    workers: config.inferenceWorkers,
    modelCacheSize: config.modelCacheSize,
    backend: config.backend,
    maxQueue: config.maxQueuedInference,
    ...(overrides.inferenceWorker ? { workerModule: overrides.inferenceWorker } : {}),
  });
  let server: RunningServer;
  try {
    server = await startServer({
      name: 'trainer',
      config,
      logger,
      services: [
        {
          definition: TrainerServiceService,
          implementation: implementService(
            TrainerServiceService,
            trainerHandlers({ jobs, inference, validation: overrides.validation ?? stepValidation, config }),
            { logger },
          ),
          serviceName: FMWISS_SERVICE_NAMES.trainer,
        },
      ],
      descriptors: fmwissDescriptorSet(),
    });
  } catch (error) {
    await jobs.close();
    await inference.close();
    throw error;
  }
  const counts = jobs.counts();
  logger.info({ stateDir: config.stateDir, jobs: jobs.list().length, ...counts }, 'job store opened');

  let stopping: Promise<void> | undefined;
  const shutdown = (reason = 'shutdown requested'): Promise<void> => {
    stopping ??= (async () => {
      await jobs.close();
      await server.shutdown(reason);
      await inference.close();
    })();
    return stopping;
  };
  return {
    port: server.port,
    address: server.address,
    health: server.health,
    inFlight: server.inFlight,
    closed: server.closed,
    shutdown,
  };
}
