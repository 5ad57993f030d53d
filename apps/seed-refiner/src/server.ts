import { FMWISS_SERVICE_NAMES, SeedRefinerServiceService, fmwissDescriptorSet } from '@fmwiss/contracts';
import { SeedRefineEngine, VitAttentionModel } from '@fmwiss/co-segmentation';
import { openModel, openModelOptionsFrom } from '@fmwiss/model-backends';
import { implementService, startServer, type RunningServer } from '@fmwiss/service-kit';
import type { Logger } from 'pino';

import type { SeedRefinerConfig } from './config';
import { seedRefinerHandlers } from './service';

/**
 * Opens the ViT, checks it against `vit-attention/1`, and serves SeedRefinerService. A model that
 * cannot be opened or breaks its contract rejects here, before the server reports SERVING.
 */
export async function startSeedRefiner(config: SeedRefinerConfig, logger: Logger): Promise<RunningServer> {
  const model = await openModel(config.model, openModelOptionsFrom(config));
  try {
    const vit = VitAttentionModel.open(model);
    logger.info({ model: config.model, inputSize: vit.contract.inputSize, patchSize: vit.contract.patchSize, heads: vit.contract.heads }, 'model loaded');
    const engine = new SeedRefineEngine(vit);
    const server = await startServer({
      name: 'seed-refiner',
      config,
      logger,
      services: [
        {
          definition: SeedRefinerServiceService,
          implementation: implementService(SeedRefinerServiceService, seedRefinerHandlers(engine, config, model), { logger }),
          serviceName: FMWISS_SERVICE_NAMES.seedRefiner,
        },
      ],
      descriptors: fmwissDescriptorSet(),
    });
    void server.closed.finally(() => model.dispose());
    return server;
  } catch (error) {
    await model.dispose();
    throw error;
  }
}
