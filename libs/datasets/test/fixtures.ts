// Builders of tiny on-disk datasets for the specs: real JPEG and PNG files in temporary folders.
import { encodeGrayPng, encodeJpeg, encodeLabelPng, type LabelImage } from '@fmwiss/imaging';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const SIZE = 8;

/** A fresh temporary folder; remove it with removeTempDir. */
export function makeTempDir(prefix = 'fmwiss-datasets-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export function removeTempDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/**
 * An 8x8 label map painted with the given classes: row 0 background, class k fills row 1 + k (so at
 * most 6 classes), and pixel (7,7) is the ignore value 255. Row 7 is otherwise background.
 */
export function paintLabels(classes: readonly number[], width = SIZE, height = SIZE): LabelImage {
  if (classes.length > height - 2) throw new RangeError(`at most ${height - 2} classes fit in ${height} rows`);
  const data = new Uint8Array(width * height);
  classes.forEach((value, k) => data.fill(value, (1 + k) * width, (2 + k) * width));
  data[width * height - 1] = 255;
  return { width, height, data };
}

/** A JPEG of the given size with a smooth colour pattern. */
export async function jpegBytes(width = SIZE, height = SIZE): Promise<Buffer> {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    data[3 * i] = (i * 37) % 256;
    data[3 * i + 1] = (i * 11) % 256;
    data[3 * i + 2] = 128;
  }
  return encodeJpeg({ width, height, data });
}

export async function writeBytes(path: string, bytes: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
}

/** A file without its last `cut` bytes (a truncated download). */
export function truncated(bytes: Uint8Array, cut: number): Uint8Array {
  return bytes.subarray(0, bytes.length - cut);
}

/**
 * Writes a VOC2012-layout folder: JPEGImages/<id>.jpg (8x8), SegmentationClass/<id>.png (palette PNG
 * painted by paintLabels) and ImageSets/Segmentation/<split>.txt listing the ids in the given order.
 */
export async function writeVocFixture(
  root: string,
  images: ReadonlyArray<readonly [id: string, classes: readonly number[]]>,
  split = 'train',
): Promise<void> {
  const jpeg = await jpegBytes();
  for (const [id, classes] of images) {
    await writeBytes(join(root, 'JPEGImages', `${id}.jpg`), jpeg);
    await writeBytes(join(root, 'SegmentationClass', `${id}.png`), encodeLabelPng(paintLabels(classes)));
  }
  await writeBytes(join(root, 'ImageSets', 'Segmentation', `${split}.txt`), `${images.map(([id]) => id).join('\n')}\n`);
}

/** Writes a prepared-COCO layout: images/<split>/<id>.jpg (of the label's size) and annotations/<split>/<id>.png (grayscale). */
export async function writeCocoFixture(
  root: string,
  split: string,
  images: ReadonlyArray<readonly [id: string, labels: LabelImage]>,
): Promise<void> {
  for (const [id, labels] of images) {
    await writeBytes(join(root, 'images', split, `${id}.jpg`), await jpegBytes(labels.width, labels.height));
    await writeBytes(join(root, 'annotations', split, `${id}.png`), encodeGrayPng(labels));
  }
}
