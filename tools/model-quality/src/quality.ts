// The four quality figures of issue 6 item 5 over a labelled dataset, one image at a time:
//  1. zero-shot multi-label classification mAP (global embedding, and dense: max over patches);
//  2. M_init alone (init-only fusion) given the true labels: mIoU against the ground truth;
//  3. seed-attention maps (N seeds drawn in the ground-truth object) binarised: IoU with the object;
//  4. the fused masks (union) against the same ground truth: mIoU, beside 2.
import {
  binarize,
  DEFAULT_MASS_FRACTION,
  DEFAULT_NUM_SEEDS,
  initialMasks,
  refineMasks,
  sampleSeedPoints,
  seedAttentionMap,
  type ClipMaskEngine,
  type FusionMode,
  type ImageAttention,
  type MapSize,
  type VitAttentionModel,
} from '@fmwiss/co-segmentation';
import { DatasetError, type SegmentationDataset } from '@fmwiss/datasets';
import { ConfusionMatrix, perClassIoU, summarize } from '@fmwiss/metrics';

import { meanAveragePrecision } from './average-precision';
import { denseClassScores, globalClassScores, imageEmbeddings, type ImageEmbeddings } from './clip-scores';
import { classMask, classMaskIoU, IGNORE_LABEL, mean, median, presentClasses } from './mask-iou';

/** A class of the label space: its label value (1..N) and the name that goes into prompts. */
export interface QualityClass {
  id: number;
  promptName: string;
}

export interface QualityInput {
  dataset: SegmentationDataset;
  /** The images evaluated, in order. */
  ids: readonly string[];
  /** The CLIP pair with its templates, background prompts and temperature. */
  engine: ClipMaskEngine;
  vit: VitAttentionModel;
  /** Classes 1..N in id order (background 0 is implicit). */
  classes: readonly QualityClass[];
  /** Seed of every seed-point draw (with the image id and class id). */
  seed: number;
  /** N (default 9). */
  numSeeds?: number;
  /** K of the mass binarisation (default 0.7). */
  massFraction?: number;
  /** Called after each image. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface ClassFigures {
  classId: number;
  promptName: string;
  /** Images with the class in the ground truth. */
  positives: number;
  apGlobal: number | null;
  apDense: number | null;
  /** IoU of the class over the whole set (null where it is neither in the ground truth nor predicted). */
  iouInitOnly: number | null;
  iouUnion: number | null;
  /** Mean seed-attention IoU over this class's (image, class) pairs. */
  seedIoU: number | null;
}

export interface QualityFigures {
  images: number;
  /** Images whose ground truth holds no object class (all background): predicted all background. */
  imagesWithoutObject: number;
  numSeeds: number;
  massFraction: number;
  seed: number;
  /** 1. */
  mAPGlobal: number | null;
  mAPDense: number | null;
  /** 2. mIoU over the classes present in the ground truth, background included. */
  mIoUInitOnly: number | null;
  /** 3. Over (image, class present) pairs. */
  seedIoUMean: number | null;
  seedIoUMedian: number | null;
  seedPairs: number;
  /** 4. */
  mIoUUnion: number | null;
  /** Background's IoU in 2 and 4. */
  backgroundIoUInitOnly: number | null;
  backgroundIoUUnion: number | null;
  perClass: ClassFigures[];
}

/** Text embeddings [C,d] of the classes and [Bg,d] of the engine's background prompts, prompt-ensembled. */
export async function classTextEmbeddings(engine: ClipMaskEngine, classes: readonly QualityClass[], signal?: AbortSignal): Promise<{ classText: Float32Array; backgroundText: Float32Array }> {
  const classText = (await engine.encodeNames(classes.map((c) => c.promptName), engine.templates, signal)).embeddings;
  const backgroundText =
    engine.backgroundPrompts.length > 0 ? (await engine.encodeNames(engine.backgroundPrompts, engine.templates, signal)).embeddings : new Float32Array(0);
  return { classText, backgroundText };
}

/** Rows `indices` of a row-major [R,d] matrix. */
export function pickRows(rows: Float32Array, dim: number, indices: readonly number[]): Float32Array {
  const out = new Float32Array(indices.length * dim);
  indices.forEach((r, i) => out.set(rows.subarray(r * dim, (r + 1) * dim), i * dim));
  return out;
}

/**
 * M_init per class, exactly what ClipMaskEngine.initialMasks computes (the pure initialMasks with the
 * engine's temperature, on embeddings the caller already has), so one image-model call serves both
 * the classification and the masks.
 */
export function initialMasksFromEmbeddings(
  engine: ClipMaskEngine,
  embeddings: ImageEmbeddings,
  classText: Float32Array /* [C,d] of the image's classes */,
  backgroundText: Float32Array /* [Bg,d] */,
  imageSize: MapSize,
): Float32Array[] {
  return initialMasks({
    denseEmbeddings: embeddings.dense,
    grid: { height: embeddings.gridHeight, width: embeddings.gridWidth },
    classTextEmbeddings: classText,
    backgroundEmbeddings: backgroundText,
    imageSize,
    temperature: engine.temperature,
  }).masks;
}

/** The ground truth's label values must be background, a class id or the ignore label. */
function checkLabelValues(labels: Uint8Array, numClasses: number, file: string): void {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    if (v > numClasses && v !== IGNORE_LABEL) {
      throw new DatasetError(file, `label value ${v} at pixel ${i} is not a class: ${numClasses} classes are named (--class-names)`);
    }
  }
}

/** Seed-attention IoU of one (image, class): N seeds in the ground-truth object, their attention map binarised, IoU with the object. */
export function seedAttentionIoU(
  labels: Uint8Array /* [H,W] */,
  imageSize: MapSize,
  classId: number,
  attention: ImageAttention,
  stream: { seed: number; imageId: string },
  numSeeds: number,
  massFraction: number,
): number | null {
  const object = classMask(labels, classId);
  const seeds = sampleSeedPoints(object, imageSize, numSeeds, { seed: stream.seed, imageId: stream.imageId, classId });
  const map = seedAttentionMap({
    attention: attention.data,
    prefixTokens: attention.prefixTokens,
    grid: { height: attention.gridHeight, width: attention.gridWidth },
    imageSize,
    seeds,
  });
  return classMaskIoU(binarize(map, 'mass', massFraction), labels, classId);
}

/** Runs the models over the images and computes the four figures. */
export async function evaluateQuality(input: QualityInput): Promise<QualityFigures> {
  const { dataset, ids, engine, vit, classes, seed, signal } = input;
  const numSeeds = input.numSeeds ?? DEFAULT_NUM_SEEDS;
  const massFraction = input.massFraction ?? DEFAULT_MASS_FRACTION;
  classes.forEach((c, i) => {
    if (c.id !== i + 1) throw new RangeError(`classes must be ids 1..N in order; entry ${i} has id ${c.id}`);
  });
  const N = classes.length;
  const classIds = classes.map((c) => c.id);
  const dim = engine.models.textContract.embeddingDim;
  const { classText, backgroundText } = await classTextEmbeddings(engine, classes, signal);

  const matrixIds = [0, ...classIds];
  const initOnly = new ConfusionMatrix(matrixIds);
  const union = new ConfusionMatrix(matrixIds);
  const globalScores: number[] = [];
  const denseScores: number[] = [];
  const positives: number[] = [];
  const seedIoUs: number[] = [];
  const seedIoUsByClass = classes.map((): number[] => []);
  let imagesWithoutObject = 0;
  let done = 0;

  for await (const sample of dataset.samples({ ids })) {
    signal?.throwIfAborted();
    const { id, image, labels } = sample;
    checkLabelValues(labels.data, N, dataset.labelPath(id));
    const imageSize = { height: labels.height, width: labels.width };
    const present = presentClasses(labels.data);
    const [embeddings, attention] = await Promise.all([imageEmbeddings(engine.models, image, signal), vit.attention(image, signal)]);

    globalScores.push(...globalClassScores(embeddings.global, classText, dim));
    denseScores.push(...denseClassScores(embeddings, classText));
    const isPresent = new Set(present);
    positives.push(...classIds.map((c) => (isPresent.has(c) ? 1 : 0)));

    if (present.length === 0) {
      imagesWithoutObject++;
      const background = new Uint8Array(labels.data.length);
      initOnly.update(labels.data, background, id);
      union.update(labels.data, background, id);
    } else {
      const masks = initialMasksFromEmbeddings(engine, embeddings, pickRows(classText, dim, present.map((c) => c - 1)), backgroundText, imageSize);
      const refine = (fusion: FusionMode) =>
        refineMasks({
          initialMasks: masks,
          classIds: present,
          attention: attention.data,
          prefixTokens: attention.prefixTokens,
          grid: { height: attention.gridHeight, width: attention.gridWidth },
          imageSize,
          options: { fusion, numSeeds, massFraction, randomSeed: seed, binarization: 'mass' },
          imageId: id,
        }).labels;
      initOnly.update(labels.data, refine('init-only'), id);
      union.update(labels.data, refine('union'), id);
      for (const classId of present) {
        const iou = seedAttentionIoU(labels.data, imageSize, classId, attention, { seed, imageId: id }, numSeeds, massFraction);
        if (iou === null) continue; // unreachable: the class is present
        seedIoUs.push(iou);
        seedIoUsByClass[classId - 1]!.push(iou);
      }
    }
    done++;
    input.onProgress?.(done, ids.length);
  }

  const apGlobal = meanAveragePrecision(globalScores, positives, classIds);
  const apDense = meanAveragePrecision(denseScores, positives, classIds);
  const iouInit = perClassIoU(initOnly);
  const iouUnion = perClassIoU(union);
  // The protocol's mIoU (libs/metrics): mean IoU over the classes present in the ground truth.
  const miou = (matrix: ConfusionMatrix) => summarize(matrix, { oldClassIds: [], newClassIds: [] }).miouAll;
  const iouOf = (entries: ReturnType<typeof perClassIoU>, index: number) => {
    const e = entries[index]!;
    return e.truePositives + e.falsePositives + e.falseNegatives > 0 ? e.iou : null;
  };
  return {
    images: done,
    imagesWithoutObject,
    numSeeds,
    massFraction,
    seed,
    mAPGlobal: apGlobal.mAP,
    mAPDense: apDense.mAP,
    mIoUInitOnly: miou(initOnly),
    seedIoUMean: mean(seedIoUs),
    seedIoUMedian: median(seedIoUs),
    seedPairs: seedIoUs.length,
    mIoUUnion: miou(union),
    backgroundIoUInitOnly: iouOf(iouInit, 0),
    backgroundIoUUnion: iouOf(iouUnion, 0),
    perClass: classes.map((c, i) => ({
      classId: c.id,
      promptName: c.promptName,
      positives: apGlobal.perClass[i]!.positives,
      apGlobal: apGlobal.perClass[i]!.ap,
      apDense: apDense.perClass[i]!.ap,
      iouInitOnly: iouOf(iouInit, i + 1),
      iouUnion: iouOf(iouUnion, i + 1),
      seedIoU: mean(seedIoUsByClass[i]!),
    })),
  };
}
