// M_init for an image and its classes, on a CLIP pair (METHOD.md section 1): prompt-ensembled text
// embeddings (cached), dense image embeddings, then the pure initialMasks.
import type { RgbImage } from '@fmwiss/imaging';
import { InvalidArgumentError } from '@fmwiss/service-kit';

import { initialMasks, MAX_CLASSES, type InitialMasksResult } from '../pipeline';
import { classPrompts, DEFAULT_BACKGROUND_PROMPTS, DEFAULT_TEMPLATES, validateTemplates } from '../prompts';
import { ensembleClassEmbeddings } from '../text-ensemble';
import { templatesHash, TextEmbeddingCache } from '../text-embedding-cache';
import { DEFAULT_TEMPERATURE } from '../initial-mask';
import type { ClipModels } from '../models';

/** A class as the engine sees it: its label value and the name that goes into prompts. */
export interface PromptClass {
  id: number;
  promptName: string;
}

export interface ClipMaskEngineOptions {
  /** Prompt-ensembled embeddings kept (0: none). Default 4096. */
  textCacheSize?: number;
  templates?: readonly string[];
  backgroundPrompts?: readonly string[];
  temperature?: number;
}

export interface InitialMasksRequestOptions {
  /** Empty or unset: the engine's templates. */
  templates?: readonly string[];
  /** Empty or unset: the engine's background prompts. */
  backgroundPrompts?: readonly string[];
  temperature?: number;
  signal?: AbortSignal;
}

export interface ImageInitialMasks extends InitialMasksResult {
  gridHeight: number;
  gridWidth: number;
  /** Milliseconds inside the image and text models for this call. */
  modelMs: number;
}

export class ClipMaskEngine {
  readonly templates: readonly string[];
  readonly backgroundPrompts: readonly string[];
  readonly temperature: number;
  private readonly cache: TextEmbeddingCache | undefined;

  constructor(
    readonly models: ClipModels,
    options: ClipMaskEngineOptions = {},
  ) {
    this.templates = options.templates ?? DEFAULT_TEMPLATES;
    this.backgroundPrompts = options.backgroundPrompts ?? DEFAULT_BACKGROUND_PROMPTS;
    this.temperature = options.temperature ?? DEFAULT_TEMPERATURE;
    validateTemplates(this.templates);
    const size = options.textCacheSize ?? 4096;
    this.cache = size > 0 ? new TextEmbeddingCache(size) : undefined;
  }

  /**
   * Prompt-ensembled, L2-normalised embeddings [C,d] of the names, each encoded with every template;
   * names already cached for these templates are not encoded again.
   */
  async encodeNames(names: readonly string[], templates: readonly string[], signal?: AbortSignal): Promise<{ embeddings: Float32Array; modelMs: number }> {
    validateTemplates(templates);
    const dim = this.models.textContract.embeddingDim;
    const hash = templatesHash(templates);
    const known = new Map<string, Float32Array>();
    for (const name of names) {
      const cached = this.cache?.get(name, hash);
      if (cached) known.set(name, cached);
    }
    const missing = [...new Set(names.filter((name) => !known.has(name)))];
    let modelMs = 0;
    if (missing.length > 0) {
      const prompts = missing.flatMap((name) => classPrompts(name, templates));
      const started = performance.now();
      const raw = await this.models.encodeTexts(prompts, signal) /* [M*numTemplates,d] */;
      modelMs = performance.now() - started;
      const ensembled = ensembleClassEmbeddings(raw, missing.length, templates.length, dim) /* [M,d] */;
      missing.forEach((name, index) => {
        const embedding = ensembled.slice(index * dim, (index + 1) * dim);
        if (embedding.every((value) => value === 0)) {
          throw new InvalidArgumentError(
            `the text model embeds the prompt "${name}" to a zero vector with every template (${templates.length}), so it cannot be scored; use another name or background prompt`,
          );
        }
        known.set(name, embedding);
        this.cache?.set(name, hash, embedding);
      });
    }
    const embeddings = new Float32Array(names.length * dim) /* [C,d] */;
    names.forEach((name, index) => embeddings.set(known.get(name)!, index * dim));
    return { embeddings, modelMs };
  }

  /** M_init per class for one image, at the image's size, in the order of `classes`. */
  async initialMasks(image: RgbImage, classes: readonly PromptClass[], options: InitialMasksRequestOptions = {}): Promise<ImageInitialMasks> {
    if (classes.length < 1 || classes.length > MAX_CLASSES) {
      throw new InvalidArgumentError(`an image needs 1 to ${MAX_CLASSES} classes, got ${classes.length}`);
    }
    const templates = options.templates && options.templates.length > 0 ? options.templates : this.templates;
    const background = options.backgroundPrompts && options.backgroundPrompts.length > 0 ? options.backgroundPrompts : this.backgroundPrompts;
    const classText = await this.encodeNames(classes.map((c) => c.promptName), templates, options.signal);
    const backgroundText = background.length > 0 ? await this.encodeNames(background, templates, options.signal) : { embeddings: new Float32Array(0), modelMs: 0 };
    const dense = await this.models.denseEmbeddings(image, options.signal);
    const result = initialMasks({
      denseEmbeddings: dense.data,
      grid: { height: dense.gridHeight, width: dense.gridWidth },
      classTextEmbeddings: classText.embeddings,
      backgroundEmbeddings: backgroundText.embeddings,
      imageSize: { height: image.height, width: image.width },
      temperature: options.temperature ?? this.temperature,
    });
    return { ...result, gridHeight: dense.gridHeight, gridWidth: dense.gridWidth, modelMs: dense.modelMs + classText.modelMs + backgroundText.modelMs };
  }
}
