import {
  ClipMaskServiceService,
  type ClassMap,
  type ClassSpec,
  type InitialMasksRequest,
  type InitialMasksResponse,
} from '@fmwiss/contracts';
import type { ClipMaskEngine, PromptClass } from '@fmwiss/co-segmentation';
import { checkMapEncoding, decodeImageMessage, encodeSoftMap, encodeTensor } from '@fmwiss/message-codecs';
import { describeModelBackend, type ModelBackend } from '@fmwiss/model-backends';
import { answerEachInOrder, InvalidArgumentError, type ServiceHandlers } from '@fmwiss/service-kit';

import type { ClipMaskConfig } from './config';

/** The request's classes as prompt classes: ids 1..254, distinct, with a name. */
export function promptClasses(classes: readonly ClassSpec[], maxClasses: number, what = 'classes'): PromptClass[] {
  if (classes.length === 0) throw new InvalidArgumentError(`${what} is empty: name at least one class the image contains`);
  if (classes.length > maxClasses) throw new InvalidArgumentError(`${what} holds ${classes.length} classes; at most ${maxClasses} are allowed`);
  const seen = new Set<number>();
  return classes.map((spec, index) => {
    if (!Number.isInteger(spec.id) || spec.id < 1 || spec.id > 254) {
      throw new InvalidArgumentError(`${what}[${index}].id is ${spec.id}; class ids must lie in 1..254 (0 is background)`);
    }
    if (seen.has(spec.id)) throw new InvalidArgumentError(`${what}[${index}].id ${spec.id} appears twice`);
    seen.add(spec.id);
    const promptName = (spec.promptName || spec.name).trim();
    if (promptName === '') throw new InvalidArgumentError(`${what}[${index}] (id ${spec.id}) has neither a name nor a prompt_name`);
    return { id: spec.id, promptName };
  });
}

/** One ComputeInitialMasks call, whole: decode, check, run, encode. */
async function computeOne(engine: ClipMaskEngine, config: ClipMaskConfig, request: InitialMasksRequest, signal: AbortSignal): Promise<InitialMasksResponse> {
  const classes = promptClasses(request.classes, config.maxClassesPerImage);
  const options = request.options;
  const encoding = checkMapEncoding(options?.encoding ?? 0, 'options');
  const temperature = options?.temperature;
  if (temperature !== undefined && !(temperature > 0 && Number.isFinite(temperature))) {
    throw new InvalidArgumentError(`options.temperature must be a finite number > 0, got ${temperature}`);
  }
  const image = await decodeImageMessage(request.image, { maxPixels: config.maxImagePixels });
  const result = await engine.initialMasks(image, classes, {
    templates: options?.templates,
    backgroundPrompts: options?.backgroundPrompts,
    temperature,
    signal,
  });
  const masks: ClassMap[] = classes.map((c, index) => ({
    classId: c.id,
    map: encodeSoftMap(result.masks[index]!, image.width, image.height, encoding, `m_init/${c.id}`),
  }));
  const scores: ClassMap[] = [];
  if (options?.includeScores) {
    const cells = result.gridHeight * result.gridWidth;
    const shape = [result.gridHeight, result.gridWidth];
    classes.forEach((c, index) => {
      scores.push({ classId: c.id, map: encodeTensor('float32', shape, result.classScores.slice(index * cells, (index + 1) * cells), `scores/${c.id}`) });
    });
    if (result.backgroundScores) scores.push({ classId: 0, map: encodeTensor('float32', shape, result.backgroundScores, 'scores/background') });
  }
  return { imageId: request.image?.imageId ?? '', width: image.width, height: image.height, masks, scores, modelMs: result.modelMs, error: undefined };
}

/** The gRPC adapter of ClipMaskService: message plumbing only, the method lives in ClipMaskEngine. */
export function clipMaskHandlers(
  engine: ClipMaskEngine,
  config: ClipMaskConfig,
  models: { image: ModelBackend; text: ModelBackend },
): ServiceHandlers<typeof ClipMaskServiceService> {
  return {
    computeInitialMasks: async (request, ctx) => computeOne(engine, config, request, ctx.signal),

    streamInitialMasks: (requests, ctx, send) =>
      answerEachInOrder({
        requests,
        ctx,
        send,
        concurrency: config.streamConcurrency,
        work: (request) => computeOne(engine, config, request, ctx.signal),
        logFields: (request) => ({ imageId: request.image?.imageId ?? '' }),
        failed: (request, status) => ({
          imageId: request.image?.imageId ?? '',
          width: 0,
          height: 0,
          masks: [],
          scores: [],
          modelMs: 0,
          error: { code: status.code, message: status.details },
        }),
      }),

    encodeClassNames: async (request, ctx) => {
      const classes = promptClasses(request.classes, config.maxEncodeClasses);
      const templates = request.templates.length > 0 ? request.templates : engine.templates;
      const { embeddings } = await engine.encodeNames(classes.map((c) => c.promptName), templates, ctx.signal);
      const dim = engine.models.textContract.embeddingDim;
      return { embeddings: encodeTensor('float32', [classes.length, dim], embeddings, 'text_embeddings') };
    },

    getInfo: async () => ({
      imageModel: describeModelBackend(models.image),
      textModel: describeModelBackend(models.text),
      defaultTemplates: [...engine.templates],
      defaultBackgroundPrompts: [...engine.backgroundPrompts],
      defaultTemperature: engine.temperature,
      maxImagePixels: config.maxImagePixels,
    }),
  };
}
