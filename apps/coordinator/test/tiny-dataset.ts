// A tiny VOC-layout dataset written by the tests: 48x48 gray images with one square object per class
// present, each class in its own colour (class 1 red, 2 green, 3 blue), labels with a 255 ring
// around each object.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeLabelPng, encodePng, type LabelImage, type RgbImage } from '@fmwiss/imaging';

export const SIZE = 48;
export const CLASS_COLOURS: Record<number, [number, number, number]> = { 1: [230, 20, 20], 2: [20, 210, 20], 3: [20, 20, 230] };

/** Image id -> the classes it shows (one square each). */
export const TRAIN_IMAGES: Record<string, number[]> = {
  t01: [1],
  t02: [2],
  t03: [1, 2],
  t04: [1],
  t05: [1, 3],
  t06: [3],
  t07: [3],
  t08: [2, 3],
  t09: [3],
  t10: [1],
};
export const VAL_IMAGES: Record<string, number[]> = { v01: [1], v02: [3], v03: [2, 3], v04: [1, 3] };

/** Squares: the k-th class of an image goes to the k-th slot. */
const SLOTS = [
  [4, 4],
  [26, 26],
];
const SIDE = 16;

/** The squares move with `shift` (the image's index), so no two images hold the same bytes. */
function draw(classes: number[], shift: number): { image: RgbImage; labels: LabelImage } {
  const image = { width: SIZE, height: SIZE, data: new Uint8Array(SIZE * SIZE * 3).fill(128) };
  const labels = { width: SIZE, height: SIZE, data: new Uint8Array(SIZE * SIZE) };
  classes.forEach((classId, k) => {
    const [x0, y0] = SLOTS[k]!.map((v) => v! + (shift % 5)) as [number, number];
    for (let y = y0! - 1; y < y0! + SIDE + 1; y++) {
      for (let x = x0! - 1; x < x0! + SIDE + 1; x++) {
        const inside = x >= x0! && x < x0! + SIDE && y >= y0! && y < y0! + SIDE;
        labels.data[y * SIZE + x] = inside ? classId : 255;
        if (inside) image.data.set(CLASS_COLOURS[classId]!, (y * SIZE + x) * 3);
      }
    }
  });
  return { image, labels };
}

/** Writes <dir>/VOC2012 (JPEGImages, SegmentationClass, ImageSets/Segmentation/{train,val}.txt); returns the VOC2012 folder. */
export async function writeTinyVoc(dir: string): Promise<string> {
  const root = join(dir, 'VOC2012');
  await mkdir(join(root, 'JPEGImages'), { recursive: true });
  await mkdir(join(root, 'SegmentationClass'), { recursive: true });
  await mkdir(join(root, 'ImageSets', 'Segmentation'), { recursive: true });
  for (const [split, images] of [
    ['train', TRAIN_IMAGES],
    ['val', VAL_IMAGES],
  ] as const) {
    for (const [index, [id, classes]] of Object.entries(images).entries()) {
      const { image, labels } = draw(classes, index);
      // Lossless PNG bytes behind the .jpg name keep the colours exact (readers sniff the format).
      await writeFile(join(root, 'JPEGImages', `${id}.jpg`), await encodePng(image));
      await writeFile(join(root, 'SegmentationClass', `${id}.png`), encodeLabelPng(labels));
    }
    await writeFile(join(root, 'ImageSets', 'Segmentation', `${split}.txt`), `${Object.keys(images).join('\n')}\n`);
  }
  return root;
}

/** The same images as a manifest dataset whose classes are named red, green and blue (for the colour CLIP). */
export async function writeColourManifest(dir: string): Promise<string> {
  await writeTinyVoc(dir);
  const entries = (images: Record<string, number[]>) =>
    Object.keys(images).map((id) => ({ id, image: `VOC2012/JPEGImages/${id}.jpg`, labels: `VOC2012/SegmentationClass/${id}.png` }));
  const manifest = {
    name: 'colour-squares',
    classes: [
      { id: 1, name: 'red' },
      { id: 2, name: 'green' },
      { id: 3, name: 'blue' },
    ],
    splits: { train: entries(TRAIN_IMAGES), val: entries(VAL_IMAGES) },
  };
  const path = join(dir, 'manifest.json');
  await writeFile(path, JSON.stringify(manifest, null, 2));
  return path;
}
