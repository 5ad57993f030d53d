import { resizeBilinear, resizeNearest, VOC_PALETTE, type LabelImage, type RgbImage } from '@fmwiss/imaging';
import { SeededRandom } from '@fmwiss/random';
import sharp from 'sharp';
import { renderLabelledScene } from './scene/items';
import { WORLD_CLASSES } from './world/classes';
import { sampleScenePlan } from './world/scene-plan';

/**
 * A contact sheet to check by eye that the 20 stand-ins are recognisably apart: one row per class, a
 * few instances each, the image crop around the instance next to its label overlay (VOC palette colours
 * blended over the image, 255 borders white).
 */
export interface ContactSheetOptions {
  readonly seed: number;
  /** Side of the rendered scenes. */
  readonly size: number;
  readonly examples?: number;
  /** Side of one crop on the sheet. */
  readonly cell?: number;
}

const LABEL_WIDTH = 120;
const GAP = 6;

/** The square crop around [x, y, w, h] with a margin, clamped to the image. */
function cropBox(bbox: readonly [number, number, number, number], size: number): [number, number, number] {
  const [x, y, w, h] = bbox;
  const side = Math.min(size, Math.round(Math.max(w, h) * 1.2) + 4);
  const x0 = Math.min(size - side, Math.max(0, Math.round(x + w / 2 - side / 2)));
  const y0 = Math.min(size - side, Math.max(0, Math.round(y + h / 2 - side / 2)));
  return [x0, y0, side];
}

function cropRgb(image: RgbImage, x0: number, y0: number, side: number): RgbImage {
  const data = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) {
    const from = ((y0 + y) * image.width + x0) * 3;
    data.set(image.data.subarray(from, from + side * 3), y * side * 3);
  }
  return { width: side, height: side, data };
}

function cropLabels(labels: LabelImage, x0: number, y0: number, side: number): LabelImage {
  const data = new Uint8Array(side * side);
  for (let y = 0; y < side; y++) {
    const from = (y0 + y) * labels.width + x0;
    data.set(labels.data.subarray(from, from + side), y * side);
  }
  return { width: side, height: side, data };
}

/** Image blended with the label colours: background dimmed, classes 55% palette colour, 255 white. */
export function overlayLabels(image: RgbImage, labels: LabelImage): RgbImage {
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < labels.data.length; i++) {
    const v = labels.data[i]!;
    for (let c = 0; c < 3; c++) {
      const p = image.data[i * 3 + c]!;
      data[i * 3 + c] = v === 255 ? 255 : v === 0 ? Math.round(p * 0.35) : Math.round(p * 0.45 + VOC_PALETTE[v * 3 + c]! * 0.55);
    }
  }
  return { width: image.width, height: image.height, data };
}

function blit(sheet: Uint8Array, sheetWidth: number, img: RgbImage, x0: number, y0: number): void {
  for (let y = 0; y < img.height; y++) {
    sheet.set(img.data.subarray(y * img.width * 3, (y + 1) * img.width * 3), ((y0 + y) * sheetWidth + x0) * 3);
  }
}

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Renders the sheet as a PNG. */
export async function makeContactSheet(options: ContactSheetOptions): Promise<Buffer> {
  const examples = options.examples ?? 5;
  const cell = options.cell ?? 80;
  const width = LABEL_WIDTH + examples * (2 * cell + GAP * 2);
  const rowHeight = cell + GAP;
  const height = WORLD_CLASSES.length * rowHeight + GAP;
  const sheet = new Uint8Array(width * height * 3).fill(235);
  const texts: string[] = [];
  WORLD_CLASSES.forEach((cls, row) => {
    const y0 = GAP + row * rowHeight;
    const swatch = [VOC_PALETTE[cls.id * 3]!, VOC_PALETTE[cls.id * 3 + 1]!, VOC_PALETTE[cls.id * 3 + 2]!];
    for (let y = y0; y < y0 + 14; y++) for (let x = 6; x < 20; x++) sheet.set(swatch, (y * width + x) * 3);
    texts.push(`<text x="26" y="${y0 + 12}">${cls.id} ${escapeXml(cls.name)}</text>`);
    let found = 0;
    for (let attempt = 0; found < examples && attempt < examples * 8; attempt++) {
      const r = new SeededRandom(options.seed, 'contact-sheet', cls.id, attempt);
      const item = renderLabelledScene(r, sampleScenePlan(r, 'benchmark', cls.id), options.size, 'sheet', 'val');
      const best = item.record.objects
        .filter((o) => o.classId === cls.id && o.bbox !== null && o.visiblePixels > 0)
        .sort((a, b) => b.visiblePixels - a.visiblePixels)[0];
      if (!best?.bbox) continue;
      const [cx, cy, side] = cropBox(best.bbox, options.size);
      const crop = resizeBilinear(cropRgb(item.image, cx, cy, side), cell, cell) as RgbImage;
      const lab = resizeNearest(cropLabels(item.labels, cx, cy, side), cell, cell);
      const x0 = LABEL_WIDTH + found * (2 * cell + GAP * 2);
      blit(sheet, width, crop, x0, y0);
      blit(sheet, width, overlayLabels(crop, lab), x0 + cell, y0);
      found++;
    }
  });
  const svg = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<g font-family="DejaVu Sans, sans-serif" font-size="13" fill="#111">${texts.join('')}</g></svg>`,
  );
  return sharp(sheet, { raw: { width, height, channels: 3 } })
    .composite([{ input: svg, top: 0, left: 0 }])
    .png()
    .toBuffer();
}
