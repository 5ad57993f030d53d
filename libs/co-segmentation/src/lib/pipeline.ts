import { InternalError, InvalidArgumentError } from '@fmwiss/service-kit';
import { binarize } from './binarize';
import { fuseMasks } from './fusion';
import { checkTemperature, DEFAULT_TEMPERATURE, initialMasksFromScores } from './initial-mask';
import { buildLabelMap, checkClassIds, type ClassArea } from './label-map';
import { resolveRefineOptions, type RefineOptions } from './refine-options';
import { maxOverMaps, scoreMap } from './score-map';
import { minMaxNormalizeInPlace, upsampleBilinear } from './map-ops';
import { attentionHeads, seedAttentionPatchMap } from './seed-attention';
import { sampleSeedPoints } from './seeds';
import { checkLength, checkMapSize, type MapSize, type Point } from './shapes';

/** Most label classes per image (clip_mask.proto, seed_refiner.proto). */
export const MAX_CLASSES = 64;

/** A text row whose norm is off 1 by more than this is taken for a wiring error (not normalised, wrong d). */
const UNIT_NORM_TOLERANCE = 1e-3;

export interface InitialMasksInput {
  /** The image model's dense projected embeddings [h,w,d], not normalised (clip-image/1 `dense_embeddings` of one image). */
  denseEmbeddings: Float32Array;
  /** [h,w] of denseEmbeddings. */
  grid: MapSize;
  /** Prompt-ensembled text embeddings [C,d] of the image's label classes, in request order, rows L2-normalised. */
  classTextEmbeddings: Float32Array;
  /** Prompt-ensembled text embeddings [Bg,d] of the background prompts, rows L2-normalised; may be empty. */
  backgroundEmbeddings: Float32Array;
  /** [H,W] of the image. */
  imageSize: MapSize;
  /** Softmax temperature > 0; default 0.01. */
  temperature?: number;
}

export interface InitialMasksResult {
  /** M_init per label class, in request order: C maps [H,W], values in [0,1]. */
  masks: Float32Array[];
  /** Cosine scores of the label classes [C,h,w] (ClipMaskService's include_scores). */
  classScores: Float32Array;
  /** The best background prompt's cosine score per location [h,w]; null without background prompts. */
  backgroundScores: Float32Array | null;
}

function checkFinite(name: string, data: Float32Array): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) throw new InternalError(`${name} holds a non-finite value (${data[i]}) at index ${i}`);
  }
}

function checkUnitRows(name: string, rows: Float32Array, dim: number): void {
  for (let r = 0; r * dim < rows.length; r++) {
    let sum = 0;
    for (let k = 0; k < dim; k++) sum += rows[r * dim + k]! * rows[r * dim + k]!;
    const norm = Math.sqrt(sum);
    if (!(Math.abs(norm - 1) <= UNIT_NORM_TOLERANCE)) {
      throw new InternalError(`${name} row ${r} has norm ${norm}; rows must be L2-normalised ${dim}-d embeddings`);
    }
  }
}

/**
 * M_init for one image (METHOD.md section 1, no model calls): the score map of the dense embeddings
 * against the label classes and the background prompts (scoreMap), then initialMasksFromScores
 * (upsample the scores bilinearly to [H,W], softmax with the temperature over classes + background,
 * min-max per class).
 *
 * d is read from denseEmbeddings (its length / (h*w)). Bad request values (temperature, image size,
 * 0 or more than 64 classes) throw an InvalidArgumentError; model outputs that do not fit (lengths,
 * non-finite values, text rows that are not unit vectors of dimension d) throw an InternalError.
 */
export function initialMasks(input: InitialMasksInput): InitialMasksResult {
  const { denseEmbeddings, grid, classTextEmbeddings, backgroundEmbeddings, imageSize } = input;
  const temperature = input.temperature ?? DEFAULT_TEMPERATURE;
  checkTemperature(temperature);
  checkMapSize('imageSize', imageSize);
  checkMapSize('grid', grid, InternalError);
  const n = grid.height * grid.width;
  if (denseEmbeddings.length === 0 || denseEmbeddings.length % n !== 0) {
    throw new InternalError(`denseEmbeddings of ${denseEmbeddings.length} values are not [h,w,d] for a ${grid.height}x${grid.width} grid`);
  }
  const dim = denseEmbeddings.length / n;
  for (const [name, rows] of [
    ['classTextEmbeddings', classTextEmbeddings],
    ['backgroundEmbeddings', backgroundEmbeddings],
  ] as const) {
    if (rows.length % dim !== 0) {
      throw new InternalError(`${name} of ${rows.length} values are not rows of the image embedding dimension ${dim}`);
    }
  }
  const C = classTextEmbeddings.length / dim;
  const Bg = backgroundEmbeddings.length / dim;
  if (C < 1 || C > MAX_CLASSES) throw new InvalidArgumentError(`an image needs 1 to ${MAX_CLASSES} label classes, got ${C}`);
  checkFinite('denseEmbeddings', denseEmbeddings);
  checkUnitRows('classTextEmbeddings', classTextEmbeddings, dim);
  checkUnitRows('backgroundEmbeddings', backgroundEmbeddings, dim);

  const text = new Float32Array((C + Bg) * dim) /* [C+Bg,d] */;
  text.set(classTextEmbeddings, 0);
  text.set(backgroundEmbeddings, C * dim);
  const scores = scoreMap(denseEmbeddings, grid, text, dim, InternalError) /* [C+Bg,h,w] */;
  const masks = initialMasksFromScores({ scores, numLabelClasses: C, grid, imageSize, temperature });
  return {
    masks,
    classScores: scores.slice(0, C * n),
    backgroundScores: Bg > 0 ? maxOverMaps(scores.subarray(C * n), grid) : null,
  };
}

/** One class's intermediate maps (seed_refiner.proto's ClassIntermediates). */
export interface ClassIntermediates {
  classId: number;
  /** Binarised M_init [H,W], 0/1. */
  initBinary: Uint8Array;
  /** The seed points, in image pixels. */
  seeds: Point[];
  /** Seed attention averaged over heads and seeds, upsampled, min-max scaled [H,W]. */
  seedMap: Float32Array;
  /** Its binarisation [H,W], 0/1. */
  seedBinary: Uint8Array;
  /** The fused mask [H,W], 0/1. */
  fused: Uint8Array;
}

export interface RefineMasksInput {
  /** M_init per class, C maps [H,W] with values in [0,1], in request order. */
  initialMasks: readonly Float32Array[];
  /** The classes' ids (1..254, distinct), in the same order. */
  classIds: readonly number[];
  /** The ViT's last-block attention for this image [n,T,T] (vit-attention/1 `attention` of one image). */
  attention: Float32Array;
  /** Tokens before the patches (vit-attention/1 `fmwiss.prefix_tokens`). */
  prefixTokens: number;
  /** [h,w], the ViT's patch grid. */
  grid: MapSize;
  /** [H,W] of the image and of every initial mask. */
  imageSize: MapSize;
  options?: RefineOptions;
  /** The image's id: with options.randomSeed and the class id it fixes the seed points. */
  imageId: string;
}

export interface RefineMasksResult {
  /** The pseudo label map [H,W]: class id per pixel, 0 = background. */
  labels: Uint8Array;
  /** Pixels per class in `labels`, in request order. */
  areas: ClassArea[];
  /** Per class in request order when options.includeIntermediates; otherwise empty. */
  intermediates: ClassIntermediates[];
}

/**
 * Seed guidance and fusion for one image (METHOD.md section 2, no model calls). Per class: binarise
 * M_init (options.binarization with K = options.massFraction), draw N seed points in its foreground
 * (sampleSeedPoints, stream (randomSeed, imageId, classId)), average the seeds' attention over heads
 * and seeds and bring it to [H,W] (as seedAttentionMap), binarise it the same way, fuse the two masks
 * (options.fusion). Then the pseudo label map over all classes (buildLabelMap).
 *
 * A class whose M_init binarises to nothing gets no seeds, an all-zero seed map and an empty fused
 * mask. Request problems (options, class ids, mask sizes or values) throw an InvalidArgumentError;
 * attention that does not fit the grid or holds non-finite values throws an InternalError.
 */
export function refineMasks(input: RefineMasksInput): RefineMasksResult {
  const { initialMasks: masks, classIds, attention, prefixTokens, grid, imageSize, imageId } = input;
  const options = resolveRefineOptions(input.options);
  checkMapSize('imageSize', imageSize);
  if (classIds.length < 1 || classIds.length > MAX_CLASSES) {
    throw new InvalidArgumentError(`an image needs 1 to ${MAX_CLASSES} classes, got ${classIds.length}`);
  }
  checkClassIds(classIds);
  if (masks.length !== classIds.length) {
    throw new InvalidArgumentError(`initialMasks holds ${masks.length} maps for ${classIds.length} class ids; they must pair up`);
  }
  masks.forEach((mask, c) => {
    const name = `initial mask of class ${classIds[c]}`;
    checkLength(name, mask, [imageSize.height, imageSize.width]);
    for (let i = 0; i < mask.length; i++) {
      const v = mask[i]!;
      if (!(v >= 0 && v <= 1)) {
        throw new InvalidArgumentError(
          `${name} must hold values in [0, 1]; pixel (${i % imageSize.width}, ${Math.floor(i / imageSize.width)}) holds ${v}`,
        );
      }
    }
  });
  if (typeof imageId !== 'string') throw new InvalidArgumentError(`imageId must be a string, got ${typeof imageId}`);
  checkMapSize('grid', grid, InternalError);
  attentionHeads(attention, prefixTokens, grid, InternalError);

  const { binarization, massFraction, numSeeds, randomSeed, fusion, includeIntermediates } = options;
  const needSeeds = fusion !== 'init-only' || includeIntermediates;
  const fusedMasks: Uint8Array[] = [];
  const intermediates: ClassIntermediates[] = [];
  masks.forEach((mask, c) => {
    const classId = classIds[c]!;
    const initBinary = binarize(mask, binarization, massFraction);
    let seeds: Point[] = [];
    let seedMap: Float32Array = new Float32Array(mask.length);
    let seedBinary: Uint8Array = new Uint8Array(mask.length);
    if (needSeeds) {
      seeds = sampleSeedPoints(initBinary, imageSize, numSeeds, { seed: randomSeed, imageId, classId });
      const patchMap = seedAttentionPatchMap({ attention, prefixTokens, grid, imageSize, seeds });
      checkFinite('attention rows of the seeds', patchMap);
      seedMap = minMaxNormalizeInPlace(upsampleBilinear(patchMap, grid, imageSize));
      seedBinary = binarize(seedMap, binarization, massFraction);
    }
    const fused = fuseMasks(initBinary, seedBinary, fusion);
    fusedMasks.push(fused);
    if (includeIntermediates) intermediates.push({ classId, initBinary, seeds, seedMap, seedBinary, fused });
  });
  const { labels, areas } = buildLabelMap({ classIds, fused: fusedMasks, initialMasks: masks, imageSize });
  return { labels, areas, intermediates };
}
