import * as tf from '@tensorflow/tfjs';
import type { Sample } from '@fmwiss/datasets';
import type { LabelImage } from '@fmwiss/imaging';
import { ConfusionMatrix, MetricsError, summarize } from '@fmwiss/metrics';
import { openData } from './data-source';
import { StepPreconditionError, StepSpecError, throwIfCancelled } from './errors';
import { asStepModel, headProbabilities, loadStepModel, modelInput } from './predict';
import type { ClassScore, EvaluationOptions, EvaluationSummary } from './types';

const IGNORE = 255;
export const DEFAULT_EVALUATION_BATCH = 16;

/**
 * Ground truth restricted to the checkpoint's classes: a class the model has not learned (a future
 * class in an intermediate evaluation) becomes 255 and is not evaluated.
 */
export function restrictGroundTruth(labels: LabelImage, classIds: readonly number[]): Uint8Array {
  const keep = new Uint8Array(256);
  for (const id of classIds) keep[id] = 1;
  const out = new Uint8Array(labels.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = labels.data[i]!;
    out[i] = keep[v] ? v : IGNORE;
  }
  return out;
}

/**
 * The protocol's evaluation of a checkpoint's student on a dataset list: each image resized to the
 * model's input size, predicted, the probabilities resized back (bilinear) and arg-maxed; one
 * confusion matrix over background + the checkpoint's classes (255 and unlearned classes ignored);
 * mIoU old (baseClassIds), new (newClassIds) and all (background + every class), each over the
 * classes present in the ground truth.
 */
export async function evaluateCheckpoint(options: EvaluationOptions): Promise<EvaluationSummary> {
  const batchSize = options.batchSize ?? DEFAULT_EVALUATION_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1024) throw new StepSpecError(`batchSize must be an integer in [1, 1024], got ${batchSize}`);
  for (const [field, ids] of [['baseClassIds', options.baseClassIds], ['newClassIds', options.newClassIds]] as const) {
    if (!Array.isArray(ids) || ids.some((id) => !Number.isInteger(id) || id < 1 || id > 254)) throw new StepSpecError(`${field} must be class ids in 1..254, got ${JSON.stringify(ids)}`);
  }
  const both = options.baseClassIds.filter((id) => options.newClassIds.includes(id));
  if (both.length > 0) throw new StepSpecError(`class(es) ${both.join(', ')} are in both baseClassIds and newClassIds`);
  const loaded = await loadStepModel(options.checkpoint);
  try {
    const model = asStepModel(loaded);
    const dataset = await openData(options.data, 'data');
    const channelIds = model.channelIds;
    const classIds = [...channelIds].sort((a, b) => a - b);
    const matrix = new ConfusionMatrix(classIds);
    const side = model.model.imageSize;
    const ids = dataset.ids;
    let done = 0;
    const read = (batch: readonly string[]) =>
      Promise.all(
        batch.map(async (id) => {
          try {
            return await dataset.read(id);
          } catch (error) {
            throw new StepPreconditionError(`cannot read evaluation image "${id}": ${(error as Error).message}`);
          }
        }),
      );
    let pending: Promise<Sample[]> | null = ids.length > 0 ? read(ids.slice(0, batchSize)) : null;
    for (let start = 0; start < ids.length; start += batchSize) {
      throwIfCancelled(options.signal, `while evaluating (${done} of ${ids.length} images done)`);
      const samples = await pending!;
      pending = start + batchSize < ids.length ? read(ids.slice(start + batchSize, start + 2 * batchSize)) : null;
      pending?.catch(() => undefined);
      const inputs = new Float32Array(samples.length * side * side * 3);
      samples.forEach((s, b) => inputs.set(modelInput(s.image, side), b * side * side * 3));
      const batch = tf.tensor4d(inputs, [samples.length, side, side, 3]);
      try {
        const sameSize = samples.every((s) => s.image.width === side && s.image.height === side);
        const predictions: Int32Array[] = [];
        if (sameSize) {
          const argmax = tf.tidy(() => headProbabilities(model, batch, 'student', [side, side]).argMax(3));
          const all = argmax.dataSync() as Int32Array;
          argmax.dispose();
          samples.forEach((_, b) => predictions.push(all.subarray(b * side * side, (b + 1) * side * side)));
        } else {
          samples.forEach((s, b) => {
            const argmax = tf.tidy(() => headProbabilities(model, batch.slice([b, 0, 0, 0], [1, side, side, 3]), 'student', [s.image.height, s.image.width]).argMax(3));
            predictions.push(argmax.dataSync() as Int32Array);
            argmax.dispose();
          });
        }
        samples.forEach((s, b) => {
          const prediction = new Uint8Array(predictions[b]!.length);
          for (let i = 0; i < prediction.length; i++) prediction[i] = channelIds[predictions[b]![i]!]!;
          matrix.update(restrictGroundTruth(s.labels, classIds), prediction, s.id);
        });
      } finally {
        batch.dispose();
      }
      done += samples.length;
      options.onProgress?.(done, ids.length);
    }
    const present = new Set(channelIds);
    const names: Record<number, string> = { 0: 'background' };
    for (const c of model.classes) names[c.id] = c.name;
    let summary;
    try {
      summary = summarize(matrix, {
        oldClassIds: options.baseClassIds.filter((id) => present.has(id)),
        newClassIds: options.newClassIds.filter((id) => present.has(id)),
        classNames: names,
        images: ids.length,
      });
    } catch (error) {
      if (error instanceof MetricsError) throw new StepSpecError(error.message);
      throw error;
    }
    const byId = new Map(summary.perClass.map((c) => [c.classId, c]));
    const classes: ClassScore[] = channelIds.map((id) => {
      const c = byId.get(id)!;
      return { classId: id, name: names[id]!, iou: c.iou, present: c.present };
    });
    return {
      miouOld: summary.miouOld ?? 0,
      miouNew: summary.miouNew ?? 0,
      miouAll: summary.miouAll ?? 0,
      pixelAccuracy: summary.pixelAccuracy ?? 0,
      classes,
      images: ids.length,
      ...(options.includeConfusion ? { confusion: { classIds, counts: Array.from(matrix.counts()) } } : {}),
    };
  } finally {
    loaded.dispose();
  }
}
