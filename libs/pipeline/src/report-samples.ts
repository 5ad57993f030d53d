// The report's sample rows: for a few validation images, side by side, the image, M_init and the
// seed map of each class (seed-refiner intermediates), the fused pseudo mask, the teacher's output on
// the last weak step's checkpoint, the student's prediction and the ground truth.
import * as grpc from '@grpc/grpc-js';
import { readFile } from 'node:fs/promises';
import { PredictionHead, type RefineOptions } from '@fmwiss/contracts';
import type { SegmentationDataset } from '@fmwiss/datasets';
import { decodeImage, type LabelImage } from '@fmwiss/imaging';
import { decodeClassMap, decodeLabelMapMessage } from '@fmwiss/message-codecs';
import { heatMapPng, labelMapPng, rgbPng, type ReportData, type ReportPanel } from '@fmwiss/run-report';
import { classSpecs, imageMessage, requestMasks } from './pseudo-labels';
import { statusCodeOf, type RetryHooks } from './retry';
import type { RunServices } from './run-services';
import { predictImage } from './trainer-driver';

export interface SampleOptions {
  dataset: SegmentationDataset;
  /** Validation ids in list order. */
  ids: readonly string[];
  count: number;
  services: RunServices;
  /** The student whose prediction is shown (the final checkpoint). */
  finalCheckpoint: string;
  /** The method's last weak step: its classes go to the mask services, its teacher is shown. */
  weakStep?: { step: number; checkpoint: string; newClassIds: number[]; refine: RefineOptions; templates: string[] };
  hooks: RetryHooks;
  onWarning(message: string): void;
}

/** The first `count` validation images holding a class of the weak step (any images without one). */
async function chooseImages(options: SampleOptions): Promise<{ id: string; truth: LabelImage; classIds: number[] }[]> {
  const wanted = new Set(options.weakStep?.newClassIds ?? []);
  const chosen: { id: string; truth: LabelImage; classIds: number[] }[] = [];
  for (const id of options.ids.slice(0, Math.max(50 * options.count, 200))) {
    if (chosen.length >= options.count) break;
    const truth = await options.dataset.readLabels(id);
    const present = new Set<number>();
    for (const value of truth.data) if (wanted.has(value)) present.add(value);
    if (wanted.size === 0 || present.size > 0) chosen.push({ id, truth, classIds: [...present].sort((a, b) => a - b) });
  }
  return chosen;
}

const className = (dataset: SegmentationDataset, id: number): string => dataset.classes.find((c) => c.id === id)?.name ?? String(id);

async function predictedPanel(options: SampleOptions, title: string, checkpoint: string, image: ReturnType<typeof imageMessage>, head: PredictionHead): Promise<ReportPanel | undefined> {
  try {
    const response = await predictImage(options.services, checkpoint, image, head, options.hooks);
    return { title, png: await labelMapPng(decodeLabelMapMessage(response.labels, `trainer's prediction of ${image.imageId}`)) };
  } catch (error) {
    if (options.hooks.signal?.aborted) throw error;
    const cause = (error as { cause?: unknown }).cause;
    if (head === PredictionHead.PREDICTION_HEAD_TEACHER && statusCodeOf(cause) === grpc.status.FAILED_PRECONDITION) return undefined; // no teacher (ablation)
    options.onWarning(`report sample ${image.imageId}: ${title} left out: ${(error as Error).message}`);
    return undefined;
  }
}

/**
 * The sample rows of report.html. A panel that cannot be made is left out with a warning; only the
 * run's cancellation stops the collection.
 */
export async function collectSamples(options: SampleOptions): Promise<ReportData['samples']> {
  if (options.count <= 0) return [];
  const samples: ReportData['samples'] = [];
  const { dataset, weakStep } = options;
  for (const { id, truth, classIds } of await chooseImages(options)) {
    const bytes = await readFile(dataset.imagePath(id));
    const image = imageMessage(id, bytes);
    const decoded = await decodeImage(bytes, id);
    const panels: ReportPanel[] = [{ title: 'image', png: await rgbPng(decoded) }];
    if (weakStep && classIds.length > 0) {
      try {
        const { initial, refined } = await requestMasks(
          options.services,
          { image, classes: classSpecs(dataset, classIds), refine: weakStep.refine, templates: weakStep.templates, includeIntermediates: true },
          options.hooks,
        );
        const size = { width: decoded.width, height: decoded.height };
        for (const map of initial.masks) {
          const { values } = decodeClassMap(map, size, `M_init of ${id}`);
          panels.push({ title: `M_init: ${className(dataset, map.classId)}`, png: await heatMapPng(values, size.width, size.height) });
        }
        for (const item of refined.intermediates) {
          if (!item.seedMap) continue;
          const { values } = decodeClassMap({ classId: item.classId, map: item.seedMap }, size, `seed map of ${id}`);
          panels.push({ title: `seed map: ${className(dataset, item.classId)}`, png: await heatMapPng(values, size.width, size.height) });
        }
        panels.push({ title: 'fused pseudo mask', png: await labelMapPng(decodeLabelMapMessage(refined.pseudoLabels, `pseudo labels of ${id}`)) });
      } catch (error) {
        if (options.hooks.signal?.aborted) throw error;
        options.onWarning(`report sample ${id}: mask panels left out: ${(error as Error).message}`);
      }
      const teacher = await predictedPanel(options, `teacher output (step ${weakStep.step})`, weakStep.checkpoint, image, PredictionHead.PREDICTION_HEAD_TEACHER);
      if (teacher) panels.push(teacher);
    }
    const student = await predictedPanel(options, 'student prediction', options.finalCheckpoint, image, PredictionHead.PREDICTION_HEAD_STUDENT);
    if (student) panels.push(student);
    panels.push({ title: 'ground truth', png: await labelMapPng(truth) });
    samples.push({ imageId: id, panels });
  }
  return samples;
}
