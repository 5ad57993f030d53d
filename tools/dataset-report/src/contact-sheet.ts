import sharp, { type OverlayOptions } from 'sharp';
import type { ClassInfo, LabelIndex, SegmentationDataset } from '@fmwiss/datasets';
import { IGNORE_LABEL, resizeBilinear, resizeNearest, VOC_PALETTE, type LabelImage, type RgbImage } from '@fmwiss/imaging';

export interface ContactSheetOptions {
  /** Examples per class (one row per class). */
  perClass: number;
  /** Side of one tile in pixels. */
  tile: number;
}

const NAME_WIDTH = 130;

/**
 * One row per class: its name, then for each example the image crop around the class and the same
 * crop with the label map blended in VOC palette colours (ignore pixels white). Examples are the
 * images where the class covers the most pixels, so a person can check the classes look apart.
 */
export async function writeContactSheet(
  dataset: SegmentationDataset,
  index: LabelIndex,
  classes: readonly ClassInfo[],
  path: string,
  options: ContactSheetOptions,
): Promise<void> {
  const { perClass, tile } = options;
  const rows = classes.filter((c) => c.id !== 0);
  const composites: OverlayOptions[] = [];
  for (const [row, info] of rows.entries()) {
    const top = row * tile;
    composites.push({ input: nameTile(info, tile), left: 0, top });
    const examples = [...index.images]
      .filter((image) => (image.pixels[info.id] ?? 0) > 0)
      .sort((a, b) => (b.pixels[info.id] ?? 0) - (a.pixels[info.id] ?? 0) || a.id.localeCompare(b.id))
      .slice(0, perClass);
    for (const [k, image] of examples.entries()) {
      const { image: rgb, labels } = await dataset.read(image.id);
      const box = squareAround(labels, info.id);
      const crop = cropImage(rgb, box, tile);
      const cropLabels = cropLabelMap(labels, box, tile);
      const left = NAME_WIDTH + k * 2 * tile;
      composites.push({ input: await rawPng(crop), left, top });
      composites.push({ input: await rawPng(overlay(crop, cropLabels)), left: left + tile, top });
    }
  }
  await sharp({
    create: { width: NAME_WIDTH + perClass * 2 * tile, height: rows.length * tile, channels: 3, background: '#1e1e1e' },
  })
    .composite(composites)
    .png()
    .toFile(path);
}

interface Box {
  x: number;
  y: number;
  side: number;
}

/** The smallest square (with a margin) around the pixels of `classId`, kept inside the image. */
function squareAround(labels: LabelImage, classId: number): Box {
  let [x0, y0, x1, y1] = [labels.width, labels.height, -1, -1];
  for (let y = 0; y < labels.height; y++) {
    for (let x = 0; x < labels.width; x++) {
      if (labels.data[y * labels.width + x] !== classId) continue;
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
    }
  }
  const side = Math.min(Math.max(x1 - x0, y1 - y0) + 9, labels.width, labels.height);
  const clamp = (v: number, size: number) => Math.max(0, Math.min(v, size - side));
  return { x: clamp(Math.round((x0 + x1 - side) / 2), labels.width), y: clamp(Math.round((y0 + y1 - side) / 2), labels.height), side };
}

function cropImage(image: RgbImage, box: Box, size: number): RgbImage {
  const data = new Uint8Array(box.side * box.side * 3);
  for (let y = 0; y < box.side; y++) {
    const from = ((box.y + y) * image.width + box.x) * 3;
    data.set(image.data.subarray(from, from + box.side * 3), y * box.side * 3);
  }
  return resizeBilinear({ width: box.side, height: box.side, data }, size, size);
}

function cropLabelMap(labels: LabelImage, box: Box, size: number): LabelImage {
  const data = new Uint8Array(box.side * box.side);
  for (let y = 0; y < box.side; y++) {
    const from = (box.y + y) * labels.width + box.x;
    data.set(labels.data.subarray(from, from + box.side), y * box.side);
  }
  return resizeNearest({ width: box.side, height: box.side, data }, size, size);
}

/** The image with labelled pixels blended 60% towards their palette colour, ignore pixels white. */
function overlay(image: RgbImage, labels: LabelImage): RgbImage {
  const data = new Uint8Array(image.data);
  for (let i = 0; i < labels.data.length; i++) {
    const label = labels.data[i]!;
    if (label === 0) continue;
    for (let c = 0; c < 3; c++) {
      const colour = label === IGNORE_LABEL ? 255 : VOC_PALETTE[label * 3 + c]!;
      data[i * 3 + c] = Math.round(0.4 * data[i * 3 + c]! + 0.6 * colour);
    }
  }
  return { width: image.width, height: image.height, data };
}

function rawPng(image: RgbImage): Promise<Buffer> {
  return sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 3 } }).png().toBuffer();
}

function nameTile(info: ClassInfo, tile: number): Buffer {
  const [r, g, b] = [0, 1, 2].map((c) => VOC_PALETTE[info.id * 3 + c]);
  const escaped = info.name.replace(/[<>&]/g, '');
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${NAME_WIDTH}" height="${tile}">` +
      `<rect x="4" y="${tile / 2 - 8}" width="14" height="14" fill="rgb(${r},${g},${b})"/>` +
      `<text x="24" y="${tile / 2 + 4}" font-family="DejaVu Sans, sans-serif" font-size="13" fill="white">${info.id} ${escaped}</text></svg>`,
  );
}
