// A diagnostic, never an input of training: how well a weak step's pseudo labels match the hidden
// ground truth of those training images, over background + the step's new classes (other classes'
// pixels count as background, 255 is ignored, as in the step's own supervision).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { remapForStep, type SegmentationDataset } from '@fmwiss/datasets';
import { decodeLabelPng } from '@fmwiss/imaging';
import { ConfusionMatrix, summarize } from '@fmwiss/metrics';
import { orderedConcurrentMap } from '@fmwiss/service-kit';

export interface PseudoLabelQuality {
  step: number;
  /** mIoU over the classes present in the ground truth (background included), in [0,1]. */
  miou: number;
  images: number;
  classes: { classId: number; name: string; iou: number }[];
}

/**
 * Compares `<labelDir>/<id>.png` with each image's ground truth. Images whose files do not fit
 * (another size, a label outside the step) are skipped and reported through `onWarning`.
 */
export async function measurePseudoLabelQuality(options: {
  step: number;
  dataset: SegmentationDataset;
  ids: string[];
  newClassIds: number[];
  labelDir: string;
  onWarning?(message: string): void;
  signal?: AbortSignal;
}): Promise<PseudoLabelQuality> {
  const { dataset, newClassIds } = options;
  const matrix = new ConfusionMatrix([0, ...newClassIds]);
  let images = 0;
  const pairs = orderedConcurrentMap(options.ids, 4, async (id) => {
    options.signal?.throwIfAborted();
    const [truth, pseudo] = await Promise.all([
      dataset.readLabels(id),
      readFile(join(options.labelDir, `${id}.png`)).then((bytes) => decodeLabelPng(bytes, `pseudo label of ${id}`)),
    ]);
    return { id, truth: remapForStep(truth, newClassIds), pseudo };
  });
  for await (const { id, truth, pseudo } of pairs) {
    if (truth.width !== pseudo.width || truth.height !== pseudo.height) {
      options.onWarning?.(`pseudo label of ${id} is ${pseudo.width}x${pseudo.height} but the image is ${truth.width}x${truth.height}; left out of the quality figure`);
      continue;
    }
    try {
      matrix.update(truth.data, pseudo.data, id);
      images++;
    } catch (error) {
      options.onWarning?.(`pseudo label of ${id} left out of the quality figure: ${(error as Error).message}`);
    }
  }
  const names = Object.fromEntries(dataset.classes.map((c) => [c.id, c.name]));
  const summary = summarize(matrix, { oldClassIds: [], newClassIds, classNames: names, images });
  return {
    step: options.step,
    miou: summary.miouAll ?? 0,
    images,
    classes: summary.perClass.filter((c) => c.present).map((c) => ({ classId: c.classId, name: c.name, iou: c.iou })),
  };
}
