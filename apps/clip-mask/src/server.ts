import { ClipMaskServiceService, FMWISS_SERVICE_NAMES, fmwissDescriptorSet } from '@fmwiss/contracts';
import { ClipMaskEngine, ClipModels } from '@fmwiss/co-segmentation';
import { openModel, openModelOptionsFrom, type ModelBackend } from '@fmwiss/model-backends';
import { implementService, startServer, type RunningServer } from '@fmwiss/service-kit';
import type { Logger } from 'pino';

import type { ClipMaskConfig } from './config';
import { clipMaskHandlers } from './service';

/**
 * Opens both CLIP models, checks them against their contracts, and serves ClipMaskService. A model
 * that cannot be opened or breaks its contract rejects here, before the server reports SERVING.
 * The models are disposed when the server stops.
 */
export async function startClipMask(config: ClipMaskConfig, logger: Logger): Promise<RunningServer> {
  const options = openModelOptionsFrom(config);
  const opened: ModelBackend[] = [];
  try {
    const image = await openModel(config.imageModel, options);
    opened.push(image);
    const text = await openModel(config.textModel, options);
    opened.push(text);
    const models = await ClipModels.open(image, text);
    logger.info(
      { imageModel: config.imageModel, textModel: config.textModel, inputSize: models.imageContract.inputSize, embeddingDim: models.imageContract.embeddingDim },
      'models loaded',
    );
    const engine = new ClipMaskEngine(models, { textCacheSize: config.textCacheSize, temperature: config.defaultTemperature });
    const server = await startServer({
      name: 'clip-mask',
      config,
      logger,
      services: [
        {
          definition: ClipMaskServiceService,
          implementation: implementService(ClipMaskServiceService, clipMaskHandlers(engine, config, { image, text }), { logger }),
          serviceName: FMWISS_SERVICE_NAMES.clipMask,
        },
      ],
      descriptors: fmwissDescriptorSet(),
    });
    void server.closed.finally(() => Promise.all(opened.map((model) => model.dispose())));
    return server;
  } catch (error) {
    await Promise.all(opened.map((model) => model.dispose()));
    throw error;
  }
}
