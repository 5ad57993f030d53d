import {
  Binarization,
  Fusion,
  SeedRefinerServiceService,
  type RefineOptions as RefineOptionsMessage,
  type RefineRequest,
  type RefineResponse,
} from '@fmwiss/contracts';
import type { BinarizationMode, FusionMode, RefineOptions, SeedRefineEngine } from '@fmwiss/co-segmentation';
import {
  checkMapEncoding,
  decodeClassMap,
  decodeImageMessage,
  encodeBinaryMask,
  encodeLabelMapMessage,
  encodeSoftMap,
} from '@fmwiss/message-codecs';
import { describeModelBackend, type ModelBackend } from '@fmwiss/model-backends';
import { answerEachInOrder, InvalidArgumentError, type ServiceHandlers } from '@fmwiss/service-kit';

import type { SeedRefinerConfig } from './config';

const MAX_CLASSES = 64;

const BINARIZATIONS: ReadonlyMap<Binarization, BinarizationMode> = new Map([
  [Binarization.BINARIZATION_UNSPECIFIED, 'mass'],
  [Binarization.BINARIZATION_MASS, 'mass'],
  [Binarization.BINARIZATION_TOP_FRACTION, 'top-fraction'],
]);

const FUSIONS: ReadonlyMap<Fusion, FusionMode> = new Map([
  [Fusion.FUSION_UNSPECIFIED, 'union'],
  [Fusion.FUSION_UNION, 'union'],
  [Fusion.FUSION_INTERSECTION, 'intersection'],
  [Fusion.FUSION_INIT_ONLY, 'init-only'],
  [Fusion.FUSION_SEEDS_ONLY, 'seeds-only'],
]);

/** The request's options with the server's defaults for unset fields; unknown enum values are refused. */
export function refineOptionsFrom(message: RefineOptionsMessage | undefined, config: SeedRefinerConfig): RefineOptions {
  const binarization = BINARIZATIONS.get(message?.binarization ?? 0);
  if (binarization === undefined) throw new InvalidArgumentError(`options.binarization has unknown value ${message?.binarization}`);
  const fusion = FUSIONS.get(message?.fusion ?? 0);
  if (fusion === undefined) throw new InvalidArgumentError(`options.fusion has unknown value ${message?.fusion}`);
  const massFraction = message?.massFraction ?? config.defaultMassFraction;
  if (!(massFraction > 0 && massFraction <= 1)) throw new InvalidArgumentError(`options.mass_fraction (K) must lie in (0, 1], got ${massFraction}`);
  const numSeeds = message?.numSeeds ?? config.defaultNumSeeds;
  if (!Number.isInteger(numSeeds) || numSeeds < 1 || numSeeds > 1024) {
    throw new InvalidArgumentError(`options.num_seeds (N) must be an integer in 1..1024, got ${numSeeds}`);
  }
  return { binarization, fusion, massFraction, numSeeds, randomSeed: message?.randomSeed ?? 0, includeIntermediates: message?.includeIntermediates ?? false };
}

async function refineOne(engine: SeedRefineEngine, config: SeedRefinerConfig, request: RefineRequest, signal: AbortSignal): Promise<RefineResponse> {
  const options = refineOptionsFrom(request.options, config);
  const encoding = checkMapEncoding(request.options?.encoding ?? 0, 'options');
  const count = request.initialMasks.length;
  if (count === 0) throw new InvalidArgumentError('initial_masks is empty: give M_init of at least one class');
  if (count > MAX_CLASSES) throw new InvalidArgumentError(`initial_masks holds ${count} classes; at most ${MAX_CLASSES} are allowed`);
  const image = await decodeImageMessage(request.image, { maxPixels: config.maxImagePixels });
  const size = { width: image.width, height: image.height };
  const maps = request.initialMasks.map((map, index) => decodeClassMap(map, size, `initial_masks[${index}] (class ${map.classId})`));
  const imageId = request.image?.imageId ?? '';
  const result = await engine.refine({
    image,
    imageId,
    initialMasks: maps.map((map) => map.values),
    classIds: maps.map((map) => map.classId),
    options,
    signal,
  });
  return {
    imageId,
    pseudoLabels: encodeLabelMapMessage({ width: image.width, height: image.height, data: result.labels }),
    areas: result.areas.map((area) => ({ classId: area.classId, pixels: area.pixels })),
    intermediates: result.intermediates.map((item) => ({
      classId: item.classId,
      initBinary: encodeBinaryMask(item.initBinary, image.width, image.height, 'init_binary'),
      seeds: item.seeds.map((point) => ({ x: point.x, y: point.y })),
      seedMap: encodeSoftMap(item.seedMap, image.width, image.height, encoding, 'seed_map'),
      seedBinary: encodeBinaryMask(item.seedBinary, image.width, image.height, 'seed_binary'),
      fused: encodeBinaryMask(item.fused, image.width, image.height, 'fused'),
    })),
    modelMs: result.modelMs,
    error: undefined,
  };
}

/** The gRPC adapter of SeedRefinerService: message plumbing only, the method lives in SeedRefineEngine. */
export function seedRefinerHandlers(engine: SeedRefineEngine, config: SeedRefinerConfig, model: ModelBackend): ServiceHandlers<typeof SeedRefinerServiceService> {
  return {
    refineMasks: async (request, ctx) => refineOne(engine, config, request, ctx.signal),

    streamRefineMasks: (requests, ctx, send) =>
      answerEachInOrder({
        requests,
        ctx,
        send,
        concurrency: config.streamConcurrency,
        work: (request) => refineOne(engine, config, request, ctx.signal),
        logFields: (request) => ({ imageId: request.image?.imageId ?? '' }),
        failed: (request, status) => ({
          imageId: request.image?.imageId ?? '',
          pseudoLabels: undefined,
          areas: [],
          intermediates: [],
          modelMs: 0,
          error: { code: status.code, message: status.details },
        }),
      }),

    getInfo: async () => ({
      model: describeModelBackend(model),
      defaultMassFraction: config.defaultMassFraction,
      defaultNumSeeds: config.defaultNumSeeds,
      maxImagePixels: config.maxImagePixels,
    }),
  };
}
