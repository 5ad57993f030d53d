// A synthetic run of 15-5 overlap for the report tests: two steps, baselines, loss curves, samples.
import type { LabelImage, RgbImage } from '@fmwiss/imaging';
import { heatMapPng, labelMapPng, rgbPng } from '../src/png';
import type { EvaluationSummaryJSON, LossPoint, ReportData, ReportPanel } from '../src/types';

export const VOC_NAMES = [
  'background', 'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow',
  'diningtable', 'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor',
];

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** IoU of class id at a step: deterministic, class 18 (sofa) absent from the ground truth. */
function evaluation(step: number, classIds: number[], miou: { old: number; new: number | null; all: number }): EvaluationSummaryJSON {
  return {
    miouOld: miou.old,
    miouNew: miou.new,
    miouAll: miou.all,
    pixelAccuracy: 0.9123,
    images: 500,
    classes: classIds.map((id) => ({
      classId: id,
      name: VOC_NAMES[id]!,
      iou: id === 18 ? Number.NaN : 0.3 + ((id * 7 + step * 3) % 60) / 100,
      present: id !== 18,
    })),
  };
}

function lossPoints(step: number, count: number): LossPoint[] {
  return Array.from({ length: count }, (_, i) => {
    const iteration = i + 1;
    const decay = Math.exp(-iteration / count);
    if (step === 0) return { iteration, phase: 'base', losses: { total: 0.9 * decay, seg: 0.9 * decay }, learningRate: 0.01 * (1 - i / count) };
    const warmup = iteration <= count / 4;
    const losses: Record<string, number> = warmup
      ? { total: 1.2 * decay, teacher_bce: 0.7 * decay, dcl: 4 * decay, old_bce: 0.1 * decay }
      : { total: 1.5 * decay, seg: 0.6 * decay, teacher_bce: 0.5 * decay, dcl: 3 * decay, old_bce: 0.08 * decay };
    return { iteration, phase: warmup ? 'teacher-warmup' : 'teacher-and-student', losses, learningRate: 0.001 * (1 - i / count) };
  });
}

/** A 32x32 scene: a gradient with a square of class `classId`. */
async function samplePanels(seed: number, classId: number): Promise<ReportPanel[]> {
  const size = 32;
  const image: RgbImage = { width: size, height: size, data: new Uint8Array(size * size * 3) };
  const labels: LabelImage = { width: size, height: size, data: new Uint8Array(size * size) };
  const heat = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      const inside = x >= 8 + seed && x < 24 && y >= 8 && y < 24;
      image.data.set([(x * 8 + seed * 40) % 256, y * 8, inside ? 220 : 40], i * 3);
      labels.data[i] = inside ? classId : x === 0 ? 255 : 0;
      heat[i] = inside ? 0.6 + 0.4 * Math.sin(x / 3) ** 2 : (x + y) / (4 * size);
    }
  }
  return [
    { title: 'image', png: await rgbPng(image) },
    { title: 'M_init', png: await heatMapPng(heat, size, size) },
    { title: 'seed map', png: await heatMapPng(heat.map((v) => v * v), size, size) },
    { title: 'fused mask', png: await labelMapPng(labels) },
    { title: 'teacher output', png: await labelMapPng(labels) },
    { title: 'student prediction', png: await labelMapPng(labels) },
    { title: 'ground truth', png: await labelMapPng(labels) },
  ];
}

/** A complete ReportData of 15-5 overlap: final old 65.1 / new 42.3 / all 59.9, joint and fine-tuning baselines. */
export async function syntheticReportData(): Promise<ReportData> {
  const base = range(1, 15);
  const added = range(16, 20);
  return {
    title: 'fmwiss run 15-5 overlap',
    runId: 'run-20250101-abcdef',
    createdAt: '2025-01-01T12:00:00.000Z',
    task: '15-5',
    setting: 'overlap',
    method: 'fmwiss',
    label: 'fmwiss (union, lambda 0.1)',
    configuration: { task: '15-5', setting: 'overlap', steps: [{ epochs: 4 }, { epochs: 6, fusion: 'union', lambda: 0.1 }], seed: 1 },
    classes: [{ id: 0, name: 'background', step: 0 }, ...base.map((id) => ({ id, name: VOC_NAMES[id]!, step: 0 })), ...added.map((id) => ({ id, name: VOC_NAMES[id]!, step: 1 }))],
    steps: [
      { step: 0, classIds: base, images: 2400, trainingSeconds: 312.4, evaluation: evaluation(0, range(0, 15), { old: 0.7012, new: null, all: 0.7234 }) },
      { step: 1, classIds: added, images: 600, trainingSeconds: 421, evaluation: evaluation(1, range(0, 20), { old: 0.6512, new: 0.4234, all: 0.5987 }) },
    ],
    baselines: [
      { label: 'joint (pixel labels)', miouOld: 0.7556, miouNew: 0.7012, miouAll: 0.7431, note: 'upper bound' },
      { label: 'fine-tuning (pixel labels)', miouOld: 0.1111, miouNew: 0.3456, miouAll: 0.1834, note: 'lower bound' },
    ],
    lossCurves: [
      { step: 0, points: lossPoints(0, 120) },
      { step: 1, points: lossPoints(1, 160) },
    ],
    pseudoLabelQuality: [
      { step: 1, miou: 0.5321, images: 600, classes: added.map((id) => ({ classId: id, name: VOC_NAMES[id]!, iou: id === 18 ? null : 0.4 + id / 100 })) },
    ],
    samples: [
      { imageId: '2008_000123', panels: await samplePanels(0, 16) },
      { imageId: '2008_000456', panels: await samplePanels(3, 20) },
    ],
  };
}
