import { FMWISS_SERVICE_NAMES, MemoryBankServiceService, fmwissDescriptorSet } from '@fmwiss/contracts';
import { ArchiveStore, MemoryArchive } from '@fmwiss/memory-archive';
import { implementService, startServer, type RunningServer } from '@fmwiss/service-kit';
import type { Logger } from 'pino';
import type { MemoryBankConfig } from './config';
import { memoryBankHandlers } from './service';

/** Opens the archive database and serves MemoryBankService on it; the database closes with the server. */
export async function startMemoryBank(config: MemoryBankConfig, logger: Logger): Promise<RunningServer> {
  const store = ArchiveStore.open(config.databasePath, config.durability);
  const archive = new MemoryArchive(store, {
    maxInstanceSide: config.maxInstanceSide,
    maxSampleCount: config.maxSampleCount,
    maxCapacityPerClass: config.maxCapacityPerClass,
  });
  try {
    const server = await startServer({
      name: 'memory-bank',
      config,
      logger,
      services: [
        {
          definition: MemoryBankServiceService,
          implementation: implementService(MemoryBankServiceService, memoryBankHandlers(archive), { logger }),
          serviceName: FMWISS_SERVICE_NAMES.memoryBank,
        },
      ],
      descriptors: fmwissDescriptorSet(),
    });
    void server.closed.finally(() => store.close());
    return server;
  } catch (error) {
    store.close();
    throw error;
  }
}
