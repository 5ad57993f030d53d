// The pseudo labels of a weak step: each training image with its image-level labels (dataset labels
// ∩ the step's new classes) goes to clip-mask (M_init) then seed-refiner (seeds, fusion, label map),
// a few images at once; each label map is cached by content hash, so a rerun finds it.
import { access, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  MapEncoding,
  type ClassSpec,
  type ClipMaskInfo,
  type Image,
  type InitialMasksResponse,
  type RefineOptions,
  type RefineResponse,
  type SeedRefinerInfo,
} from '@fmwiss/contracts';
import { imageLevelLabels, type LabelIndex, type SegmentationDataset } from '@fmwiss/datasets';
import { encodeLabelPng } from '@fmwiss/imaging';
import { decodeLabelMapMessage } from '@fmwiss/message-codecs';
import { orderedConcurrentMap, unary } from '@fmwiss/service-kit';
import { contentKey, sha256OfBytes } from './content-key';
import type { RetryHooks } from './retry';
import { copyFileAtomic, writeFileAtomic, writeJsonAtomic, type CacheFolder } from './run-folder';
import type { RunServices } from './run-services';

/** What the mask services say about themselves: part of every cache key. */
export interface MaskServiceInfo {
  clipMask: ClipMaskInfo;
  seedRefiner: SeedRefinerInfo;
}

export async function fetchMaskServiceInfo(services: RunServices, hooks: RetryHooks): Promise<MaskServiceInfo> {
  const [clipMask, seedRefiner] = await Promise.all([
    services.clipMask.call('GetInfo', (client) => unary(client, 'getInfo', {}), hooks),
    services.seedRefiner.call('GetInfo', (client) => unary(client, 'getInfo', {}), hooks),
  ]);
  return { clipMask, seedRefiner };
}

/** The cache key of one image's pseudo label: everything its label map depends on. */
export function pseudoLabelKey(parts: {
  imageSha256: string;
  classes: ClassSpec[];
  refine: RefineOptions;
  templates: string[];
  info: MaskServiceInfo;
}): string {
  const { clipMask, seedRefiner } = parts.info;
  return contentKey({
    format: 'fmwiss-pseudo-label/1',
    image: parts.imageSha256,
    classes: parts.classes.map((c) => ({ id: c.id, name: c.name, promptName: c.promptName })),
    refine: { ...parts.refine, includeIntermediates: false, encoding: 0 },
    templates: parts.templates,
    clipMask: {
      imageModel: clipMask.imageModel,
      textModel: clipMask.textModel,
      defaultTemplates: parts.templates.length === 0 ? clipMask.defaultTemplates : [],
      defaultBackgroundPrompts: clipMask.defaultBackgroundPrompts,
      defaultTemperature: clipMask.defaultTemperature,
    },
    seedRefiner: {
      model: seedRefiner.model,
      defaultMassFraction: seedRefiner.defaultMassFraction,
      defaultNumSeeds: seedRefiner.defaultNumSeeds,
    },
  });
}

/** The ClassSpecs of class ids, with the dataset's names and prompt names. */
export function classSpecs(dataset: SegmentationDataset, ids: readonly number[]): ClassSpec[] {
  return ids.map((id) => {
    const info = dataset.classes.find((c) => c.id === id);
    return { id, name: info?.name ?? `class ${id}`, promptName: info?.promptName ?? '' };
  });
}

/** An encoded image file as an Image message (the services sniff PNG or JPEG). */
export function imageMessage(imageId: string, bytes: Buffer): Image {
  return { imageId, source: { $case: 'encoded', encoded: { format: 0, data: bytes } } };
}

export interface MaskResult {
  initial: InitialMasksResponse;
  refined: RefineResponse;
}

/** M_init from clip-mask, then the refined pseudo label from seed-refiner, each call retried. */
export async function requestMasks(
  services: RunServices,
  request: { image: Image; classes: ClassSpec[]; refine: RefineOptions; templates: string[]; includeIntermediates: boolean },
  hooks: RetryHooks,
): Promise<MaskResult> {
  const id = request.image.imageId;
  const initial = await services.clipMask.call(
    `ComputeInitialMasks of image ${id}`,
    (client) =>
      unary(
        client,
        'computeInitialMasks',
        {
          image: request.image,
          classes: request.classes,
          options: {
            templates: request.templates,
            backgroundPrompts: [],
            temperature: undefined,
            includeScores: false,
            encoding: MapEncoding.MAP_ENCODING_UINT8,
          },
        },
        { signal: hooks.signal },
      ),
    hooks,
  );
  const refined = await services.seedRefiner.call(
    `RefineMasks of image ${id}`,
    (client) =>
      unary(
        client,
        'refineMasks',
        {
          image: request.image,
          initialMasks: initial.masks,
          options: {
            ...request.refine,
            includeIntermediates: request.includeIntermediates,
            encoding: request.includeIntermediates ? MapEncoding.MAP_ENCODING_FLOAT32 : request.refine.encoding,
          },
        },
        { signal: hooks.signal },
      ),
    hooks,
  );
  return { initial, refined };
}

export interface PseudoLabelProgressUpdate {
  done: number;
  cached: number;
  total: number;
  imagesPerSecond: number;
}

export interface PseudoLabelStageOptions {
  dataset: SegmentationDataset;
  index: LabelIndex;
  ids: string[];
  newClassIds: number[];
  /** Where the step's "<image_id>.png" files go (the trainer's pseudo_label_dir). */
  outDir: string;
  cache: CacheFolder;
  services: RunServices;
  info: MaskServiceInfo;
  refine: RefineOptions;
  templates: string[];
  concurrency: number;
  signal: AbortSignal;
  onRetry(message: string): void;
  /** About twice a second and once at the end. */
  onProgress(progress: PseudoLabelProgressUpdate): void;
  progressIntervalMs?: number;
}

export interface PseudoLabelStageResult {
  done: number;
  cached: number;
  seconds: number;
}

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/** Image ids become file names: refuse any that could leave the folder. */
function checkFileName(id: string): void {
  if (id === '' || id === '.' || id === '..' || /[/\\\0]/.test(id)) {
    throw new Error(`image id "${id}" cannot be a file name; rename it in the dataset`);
  }
}

/**
 * Writes a pseudo label PNG for every image of the step into `outDir`, from the cache when it holds
 * one, else through both mask services (`concurrency` images at once). A failure of one image (after
 * its retries) cancels the images in flight and fails the stage.
 */
export async function computePseudoLabels(options: PseudoLabelStageOptions): Promise<PseudoLabelStageResult> {
  const { dataset, index, ids, cache } = options;
  const started = performance.now();
  const stage = new AbortController();
  const onRunAbort = () => stage.abort(options.signal.reason);
  options.signal.addEventListener('abort', onRunAbort, { once: true });
  const hooks: RetryHooks = { signal: stage.signal, onRetry: (message) => options.onRetry(message) };
  await mkdir(options.outDir, { recursive: true });

  let done = 0;
  let cached = 0;
  let computed = 0;
  let lastReport = 0;
  const interval = options.progressIntervalMs ?? 500;
  const report = (force: boolean) => {
    const now = performance.now();
    if (!force && now - lastReport < interval) return;
    lastReport = now;
    const seconds = (now - started) / 1000;
    options.onProgress({ done, cached, total: ids.length, imagesPerSecond: seconds > 0 ? computed / seconds : 0 });
  };

  const one = async (id: string): Promise<void> => {
    checkFileName(id);
    const bytes = await readFile(dataset.imagePath(id));
    const classes = classSpecs(dataset, imageLevelLabels(index, id, options.newClassIds));
    if (classes.length === 0) throw new Error(`image ${id} has none of the step's classes ${options.newClassIds.join(', ')}`);
    const key = pseudoLabelKey({ imageSha256: sha256OfBytes(bytes), classes, refine: options.refine, templates: options.templates, info: options.info });
    const cachedPng = cache.pseudoLabel(key);
    const target = join(options.outDir, `${id}.png`);
    if (await exists(cachedPng)) {
      await copyFileAtomic(cachedPng, target);
      cached++;
    } else {
      const { refined } = await requestMasks(
        options.services,
        { image: imageMessage(id, bytes), classes, refine: options.refine, templates: options.templates, includeIntermediates: false },
        hooks,
      );
      const labels = decodeLabelMapMessage(refined.pseudoLabels, `seed-refiner's pseudo labels of image ${id}`);
      await writeFileAtomic(cachedPng, encodeLabelPng(labels));
      await writeJsonAtomic(cache.pseudoLabelMeta(key), {
        imageId: id,
        imageSha256: sha256OfBytes(bytes),
        classes,
        areas: refined.areas,
        createdAt: new Date().toISOString(),
      });
      await copyFileAtomic(cachedPng, target);
      computed++;
    }
    done++;
    report(false);
  };

  try {
    const results = orderedConcurrentMap(ids, options.concurrency, async (id) => {
      try {
        await one(id);
      } catch (error) {
        stage.abort(error);
        throw error;
      }
    });
    for await (const _ of results) void _;
  } finally {
    options.signal.removeEventListener('abort', onRunAbort);
  }
  report(true);
  return { done, cached, seconds: (performance.now() - started) / 1000 };
}
