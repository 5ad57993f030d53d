// EvaluateRequest / PredictRequest checks, and the answers' messages.
import { MapEncoding, PredictionHead, type ClassSpec, type EvaluateRequest, type EvaluationResult, type Tensor } from '@fmwiss/contracts';
import { checkMapEncoding, encodeTensor } from '@fmwiss/message-codecs';
import { InvalidArgumentError } from '@fmwiss/service-kit';
import type { ClassRef, EvaluateTask, EvaluationSummary, PredictionHeadName } from '@fmwiss/training-jobs';
import { checkClassIds, checkDataset, requireCheckpoint } from './fields';

export const MAX_EVALUATE_BATCH = 256;

export function evaluateTaskOf(request: EvaluateRequest): Omit<EvaluateTask, 'id' | 'type'> {
  const checkpoint = requireCheckpoint(request.checkpoint, 'checkpoint');
  const data = checkDataset(request.data, 'data');
  const baseClassIds = checkClassIds(request.baseClassIds, 'base_class_ids');
  const newClassIds = checkClassIds(request.newClassIds, 'new_class_ids');
  const base = new Set(baseClassIds);
  const both = newClassIds.find((id) => base.has(id));
  if (both !== undefined) throw new InvalidArgumentError(`class ${both} is in both base_class_ids and new_class_ids`);
  const task: Omit<EvaluateTask, 'id' | 'type'> = { checkpoint, data, baseClassIds, newClassIds, includeConfusion: request.includeConfusion };
  if (request.batchSize !== undefined) {
    if (!Number.isInteger(request.batchSize) || request.batchSize < 1 || request.batchSize > MAX_EVALUATE_BATCH) {
      throw new InvalidArgumentError(`batch_size must lie in 1..${MAX_EVALUATE_BATCH}, got ${request.batchSize}`);
    }
    task.batchSize = request.batchSize;
  }
  return task;
}

export function evaluationResult(summary: EvaluationSummary): EvaluationResult {
  let confusion: Tensor | undefined;
  if (summary.confusion) {
    const size = summary.confusion.classIds.length;
    confusion = encodeTensor('int64', [size, size], BigInt64Array.from(summary.confusion.counts, (n) => BigInt(n)), 'confusion');
  }
  return {
    miouOld: summary.miouOld,
    miouNew: summary.miouNew,
    miouAll: summary.miouAll,
    pixelAccuracy: summary.pixelAccuracy,
    classes: summary.classes.map((c) => ({ classId: c.classId, name: c.name, iou: c.iou, present: c.present })),
    images: summary.images,
    confusion,
  };
}

export function headOf(head: PredictionHead): PredictionHeadName {
  if (head === PredictionHead.PREDICTION_HEAD_UNSPECIFIED || head === PredictionHead.PREDICTION_HEAD_STUDENT) return 'student';
  if (head === PredictionHead.PREDICTION_HEAD_TEACHER) return 'teacher';
  throw new InvalidArgumentError(`head must be PREDICTION_HEAD_STUDENT or PREDICTION_HEAD_TEACHER, got ${head}`);
}

export { checkMapEncoding };

/** Per-class probabilities [C,H,W] as FLOAT32, or UINT8 round(255 p). */
export function probabilitiesTensor(values: Float32Array, classes: number, height: number, width: number, encoding: MapEncoding): Tensor {
  const shape = [classes, height, width];
  if (encoding === MapEncoding.MAP_ENCODING_UINT8) {
    const bytes = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) bytes[i] = Math.round(255 * Math.min(1, Math.max(0, values[i]!)));
    return encodeTensor('uint8', shape, bytes, 'probabilities');
  }
  return encodeTensor('float32', shape, values, 'probabilities');
}

export const classSpecs = (classes: readonly ClassRef[]): ClassSpec[] => classes.map((c) => ({ id: c.id, name: c.name, promptName: '' }));
