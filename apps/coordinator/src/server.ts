import { join, resolve } from 'node:path';
import { FMWISS_SERVICE_NAMES, PipelineServiceService, fmwissDescriptorSet } from '@fmwiss/contracts';
import { Coordinator } from '@fmwiss/pipeline';
import { implementService, startServer, type RunningServer } from '@fmwiss/service-kit';
import type { Logger } from 'pino';
import type { CoordinatorConfig } from './config';
import { pipelineHandlers } from './service';

/**
 * Opens the runs folder (resuming unfinished runs) and serves PipelineService. Shutting the server
 * down first stops the runs (they stay RUNNING on disk and resume at the next start) and ends the
 * WatchRun streams, then closes the server.
 */
export async function startCoordinator(config: CoordinatorConfig, logger: Logger): Promise<RunningServer> {
  const runsDir = resolve(config.runsDir);
  const coordinator = await Coordinator.open({
    runsDir,
    cacheDir: resolve(config.cacheDir ?? join(runsDir, '.cache')),
    maxConcurrentRuns: config.maxConcurrentRuns,
    retry: { attempts: config.serviceAttempts, initialMs: config.retryInitialMs, maxMs: config.retryMaxMs },
    callDeadlineMs: config.callDeadlineMs,
    defaults: {
      services: { clipMask: config.clipMask, seedRefiner: config.seedRefiner, memoryBank: config.memoryBank, trainer: config.trainer },
      memoryPerClass: config.memoryPerClass,
      maskConcurrency: config.maskConcurrency,
    },
    sampleImages: config.sampleImages,
    logger,
  });
  let server: RunningServer;
  try {
    server = await startServer({
      name: 'coordinator',
      config,
      logger,
      services: [
        {
          definition: PipelineServiceService,
          implementation: implementService(PipelineServiceService, pipelineHandlers(coordinator), { logger }),
          serviceName: FMWISS_SERVICE_NAMES.pipeline,
        },
      ],
      descriptors: fmwissDescriptorSet(),
    });
  } catch (error) {
    await coordinator.close();
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    get port() {
      return server.port;
    },
    get address() {
      return server.address;
    },
    get health() {
      return server.health;
    },
    inFlight: () => server.inFlight(),
    closed: server.closed,
    shutdown(reason?: string) {
      stopping ??= coordinator.close().then(() => server.shutdown(reason));
      return stopping;
    },
  };
}
