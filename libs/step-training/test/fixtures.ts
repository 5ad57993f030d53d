// Tiny real datasets for the step-training tests: a VOC2012 layout written to a temporary folder,
// with synthetic images whose classes are coloured squares (learnable in a few dozen iterations by a
// tiny model), pseudo labels, and an in-memory memory bank.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeJpeg, encodeLabelPng, type LabelImage, type RgbImage } from '@fmwiss/imaging';
import { SeededRandom } from '@fmwiss/random';
import type { ModelConfig } from '@fmwiss/segmentation-models';
import {
  resolveHyperparameters,
  type ClassRef,
  type HyperparameterInput,
  type InstanceOffer,
  type MemoryBankPort,
  type SampledInstance,
  type StepKind,
  type StepSpec,
} from '../src';

export const SIZE = 32;

/** imageSize 32, width 8, stride 4 (8x8 logits): a few ms a step on wasm. */
export const TINY_MODEL: Partial<ModelConfig> = {
  imageSize: SIZE,
  encoderWidth: 8,
  outputStride: 4,
  asppRates: [1, 2],
  asppChannels: 8,
  embeddingDim: 8,
  normGroups: 2,
  atrous: 'native',
};

/** Class colours: 1 red, 2 green, 3 blue, 4 yellow. */
const COLOURS: Record<number, [number, number, number]> = { 1: [220, 30, 30], 2: [30, 200, 40], 3: [40, 60, 230], 4: [230, 220, 30] };
export const CLASSES: Record<number, ClassRef> = {
  1: { id: 1, name: 'red' },
  2: { id: 2, name: 'green' },
  3: { id: 3, name: 'blue' },
  4: { id: 4, name: 'yellow' },
};

export interface TinyImage {
  id: string;
  image: RgbImage;
  labels: LabelImage;
}

/** A grey noisy image with one square per class in `classes` (side 9-13 px), labels with a 255 rim. */
export function tinyImage(id: string, classes: readonly number[], random: SeededRandom): TinyImage {
  const image: RgbImage = { width: SIZE, height: SIZE, data: new Uint8Array(SIZE * SIZE * 3) };
  for (let i = 0; i < image.data.length; i++) image.data[i] = 110 + random.int(30);
  const labels: LabelImage = { width: SIZE, height: SIZE, data: new Uint8Array(SIZE * SIZE) };
  const slots = [[2, 2], [18, 2], [2, 18], [18, 18]]; // one quadrant per class
  const start = random.int(4);
  classes.forEach((classId, k) => {
    const side = 9 + random.int(5);
    const [qx, qy] = slots[(start + k) % 4]!;
    const x0 = qx! + random.int(14 - side + 1);
    const y0 = qy! + random.int(14 - side + 1);
    const colour = COLOURS[classId]!;
    for (let y = y0 - 1; y <= y0 + side; y++) {
      for (let x = x0 - 1; x <= x0 + side; x++) {
        if (x < 0 || y < 0 || x >= SIZE || y >= SIZE) continue;
        const inside = x >= x0 && y >= y0 && x < x0 + side && y < y0 + side;
        const p = y * SIZE + x;
        if (inside) {
          labels.data[p] = classId;
          image.data.set(colour, p * 3);
        } else if (labels.data[p] === 0) labels.data[p] = 255;
      }
    }
  });
  return { id, image, labels };
}

export interface TinyVoc {
  /** The VOC2012 folder. */
  root: string;
  images: Map<string, TinyImage>;
  /** Writes a list file under ImageSets/Segmentation/<name>.txt; returns its path. */
  list(name: string, ids: readonly string[]): string;
  /** Writes pseudo labels (class ids) for ids into a folder; returns it. */
  pseudoLabels(name: string, ids: readonly string[], newClassIds: readonly number[]): string;
  cleanup(): void;
}

/** Writes images "img-<k>" with the given class sets into a temporary VOC2012 folder. */
export async function writeTinyVoc(classSets: readonly (readonly number[])[], seed = 1): Promise<TinyVoc> {
  const base = mkdtempSync(join(tmpdir(), 'step-training-'));
  const root = join(base, 'VOC2012');
  for (const dir of ['JPEGImages', 'SegmentationClass', 'ImageSets/Segmentation']) mkdirSync(join(root, dir), { recursive: true });
  const random = new SeededRandom(seed, 'tiny-voc');
  const images = new Map<string, TinyImage>();
  for (const [k, classes] of classSets.entries()) {
    const id = `img-${String(k).padStart(3, '0')}`;
    const sample = tinyImage(id, classes, random);
    images.set(id, sample);
    writeFileSync(join(root, 'JPEGImages', `${id}.jpg`), await encodeJpeg(sample.image, 95));
    writeFileSync(join(root, 'SegmentationClass', `${id}.png`), encodeLabelPng(sample.labels));
  }
  const list = (name: string, ids: readonly string[]) => {
    const path = join(root, 'ImageSets', 'Segmentation', `${name}.txt`);
    writeFileSync(path, ids.map((id) => `${id}\n`).join(''));
    return path;
  };
  list('train', [...images.keys()]);
  return {
    root,
    images,
    list,
    pseudoLabels(name, ids, newClassIds) {
      const dir = join(base, name);
      mkdirSync(dir, { recursive: true });
      for (const id of ids) {
        const { labels } = images.get(id)!;
        const data = labels.data.map((v) => (newClassIds.includes(v) || v === 255 ? v : 0));
        writeFileSync(join(dir, `${id}.png`), encodeLabelPng({ width: labels.width, height: labels.height, data }));
      }
      return dir;
    },
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}

/** A step spec on a tiny dataset with small, fast hyperparameters. */
export function tinySpec(
  kind: StepKind,
  fields: Omit<Partial<StepSpec>, 'hyperparameters'> & { outputDir: string; trainData: StepSpec['trainData']; newClasses: ClassRef[] },
  hyperparameters: HyperparameterInput = {},
): StepSpec {
  return {
    runId: 'test-run',
    step: kind === 'base' ? 0 : 1,
    kind,
    oldClasses: [],
    ...(kind === 'base' || kind === 'joint' ? { model: TINY_MODEL } : {}),
    ...fields,
    hyperparameters: resolveHyperparameters(kind, { batchSize: 4, epochs: 2, learningRate: 0.05, scaleMin: 0.9, scaleMax: 1.1, ...hyperparameters }),
  };
}

/** A MemoryBankPort in memory: keeps every offer; samples class-uniformly with a seeded stream. */
export class InMemoryMemoryBank implements MemoryBankPort {
  readonly offers: InstanceOffer[] = [];
  created: { capacityPerClass: number; classIds: number[]; seed: number } | null = null;
  sampleCalls: { classIds: number[]; count: number; seed: number }[] = [];

  async create(capacityPerClass: number, classIds: number[], seed: number): Promise<void> {
    this.created = { capacityPerClass, classIds: [...classIds], seed };
  }

  async offer(instances: InstanceOffer[]): Promise<void> {
    for (const instance of instances) {
      if (this.created && !this.created.classIds.includes(instance.classId)) throw new Error(`class ${instance.classId} not in the archive`);
      this.offers.push(instance);
    }
  }

  async sample(classIds: number[], count: number, seed: number): Promise<SampledInstance[]> {
    this.sampleCalls.push({ classIds: [...classIds], count, seed });
    const random = new SeededRandom(seed, 'in-memory-bank');
    const byClass = classIds.map((id) => this.offers.filter((o) => o.classId === id)).filter((list) => list.length > 0);
    if (byClass.length === 0) return [];
    return Array.from({ length: count }, (_, k) => {
      const list = byClass[random.int(byClass.length)]!;
      const o = list[random.int(list.length)]!;
      return { instanceId: `${o.classId}-${k}`, classId: o.classId, image: o.image, mask: o.mask };
    });
  }
}
