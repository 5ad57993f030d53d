// A tiny VOC2012 folder written in a test: 32x32 noisy grey images, each with one or two coloured
// squares of classes 1 (red), 2 (green), 3 (blue); labels with a 255 rim around each square.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeJpeg, encodeLabelPng, type LabelImage, type RgbImage } from '@fmwiss/imaging';
import { SeededRandom } from '@fmwiss/random';

export const TINY_SIZE = 32;
const COLOURS: Record<number, [number, number, number]> = { 1: [220, 30, 30], 2: [30, 200, 40], 3: [40, 60, 230] };

export const TINY_MODEL = { imageSize: TINY_SIZE, encoderWidth: 8, outputStride: 4, asppRates: [1, 2], asppChannels: 8, embeddingDim: 8 };

export interface TinyVoc {
  /** The VOC2012 folder (JPEGImages, SegmentationClass, ImageSets/Segmentation). */
  root: string;
  images: Map<string, { image: RgbImage; labels: LabelImage; classes: number[] }>;
  /** Writes ImageSets/Segmentation/<name>.txt; returns its path. */
  list(name: string, ids: readonly string[]): string;
  /** Writes pseudo labels (the true squares of `classIds`, the rest background) of `ids` into `dir`. */
  pseudoLabels(dir: string, ids: readonly string[], classIds: readonly number[]): string;
}

function drawImage(classes: readonly number[], random: SeededRandom): { image: RgbImage; labels: LabelImage } {
  const n = TINY_SIZE;
  const image: RgbImage = { width: n, height: n, data: new Uint8Array(n * n * 3) };
  for (let i = 0; i < image.data.length; i++) image.data[i] = 110 + random.int(30);
  const labels: LabelImage = { width: n, height: n, data: new Uint8Array(n * n) };
  const corners = [[2, 2], [18, 2], [2, 18], [18, 18]];
  const first = random.int(4);
  classes.forEach((classId, k) => {
    const side = 9 + random.int(4);
    const [cx, cy] = corners[(first + k) % 4]!;
    const x0 = cx! + random.int(14 - side + 1);
    const y0 = cy! + random.int(14 - side + 1);
    for (let y = y0 - 1; y <= y0 + side; y++) {
      for (let x = x0 - 1; x <= x0 + side; x++) {
        if (x < 0 || y < 0 || x >= n || y >= n) continue;
        const p = y * n + x;
        if (x >= x0 && y >= y0 && x < x0 + side && y < y0 + side) {
          labels.data[p] = classId;
          image.data.set(COLOURS[classId]!, p * 3);
        } else if (labels.data[p] === 0) labels.data[p] = 255;
      }
    }
  });
  return { image, labels };
}

/** Images "img-000", "img-001", ... with the given class sets; lists train (all) and val (all). */
export async function writeTinyVoc(base: string, classSets: readonly (readonly number[])[], seed = 1): Promise<TinyVoc> {
  const root = join(base, 'VOC2012');
  for (const dir of ['JPEGImages', 'SegmentationClass', 'ImageSets/Segmentation']) mkdirSync(join(root, dir), { recursive: true });
  const random = new SeededRandom(seed, 'trainer-tiny-voc');
  const images: TinyVoc['images'] = new Map();
  for (const [k, classes] of classSets.entries()) {
    const id = `img-${String(k).padStart(3, '0')}`;
    const drawn = drawImage(classes, random);
    images.set(id, { ...drawn, classes: [...classes] });
    writeFileSync(join(root, 'JPEGImages', `${id}.jpg`), await encodeJpeg(drawn.image, 95));
    writeFileSync(join(root, 'SegmentationClass', `${id}.png`), encodeLabelPng(drawn.labels));
  }
  const list = (name: string, ids: readonly string[]): string => {
    const path = join(root, 'ImageSets', 'Segmentation', `${name}.txt`);
    writeFileSync(path, ids.map((id) => `${id}\n`).join(''));
    return path;
  };
  list('train', [...images.keys()]);
  list('val', [...images.keys()]);
  return {
    root,
    images,
    list,
    pseudoLabels(dir, ids, classIds) {
      mkdirSync(dir, { recursive: true });
      for (const id of ids) {
        const { labels } = images.get(id)!;
        const data = labels.data.map((v) => (classIds.includes(v) || v === 255 ? v : 0));
        writeFileSync(join(dir, `${id}.png`), encodeLabelPng({ width: labels.width, height: labels.height, data }));
      }
      return dir;
    },
  };
}
