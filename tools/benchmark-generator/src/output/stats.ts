import type { AnnotationRecord, CaptionRecord } from '../scene/items';
import { NUM_CLASSES, WORLD_CLASSES } from '../world/classes';

export interface SplitStats {
  readonly images: number;
  readonly objectsPerImage: number;
  /** Images whose label map holds the class, by VOC name. */
  readonly classImages: Record<string, number>;
  /** Share of all pixels labelled with the class, by VOC name (plus background and ignore). */
  readonly pixelShare: Record<string, number>;
}

export interface CorpusStats {
  readonly images: number;
  /** Images whose caption names the thing. */
  readonly objectImages: Record<string, number>;
}

export interface WorldStats {
  readonly train: SplitStats;
  readonly val: SplitStats;
  readonly corpus: CorpusStats;
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

/** Per-split counts from the annotation records and the label-pixel histograms (index 21 = 255). */
export function splitStats(records: readonly AnnotationRecord[], labelPixels: readonly number[][]): SplitStats {
  const images = new Array<number>(NUM_CLASSES + 1).fill(0);
  const pixels = new Array<number>(NUM_CLASSES + 2).fill(0);
  let objects = 0;
  labelPixels.forEach((hist, k) => {
    hist.forEach((v, i) => {
      pixels[i] = pixels[i]! + v;
      if (i >= 1 && i <= NUM_CLASSES && v > 0) images[i] = images[i]! + 1;
    });
    objects += records[k]!.objects.length;
  });
  const total = pixels.reduce((a, b) => a + b, 0) || 1;
  const classImages: Record<string, number> = {};
  const pixelShare: Record<string, number> = { background: round(pixels[0]! / total, 5) };
  for (const c of WORLD_CLASSES) {
    classImages[c.name] = images[c.id]!;
    pixelShare[c.name] = round(pixels[c.id]! / total, 5);
  }
  pixelShare.ignore = round(pixels[NUM_CLASSES + 1]! / total, 5);
  return { images: records.length, objectsPerImage: round(objects / Math.max(1, records.length), 3), classImages, pixelShare };
}

export function corpusStats(records: readonly CaptionRecord[]): CorpusStats {
  const objectImages: Record<string, number> = {};
  for (const r of records) for (const name of r.objects) objectImages[name] = (objectImages[name] ?? 0) + 1;
  const sorted = Object.fromEntries(Object.entries(objectImages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { images: records.length, objectImages: sorted };
}
