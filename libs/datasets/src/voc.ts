import { join, resolve } from 'node:path';
import { VOC_CLASSES } from './classes';
import { createDataset, type SegmentationDataset } from './dataset';
import { DatasetError } from './errors';
import { filesEndingWith, kindOf } from './fs-utils';
import { readIdList } from './list-file';

/** Which label folder of a VOC2012 tree to read. */
export type VocLabelFolder = 'SegmentationClass' | 'SegmentationClassAug';

export interface VocDatasetOptions {
  /** The VOC2012 folder (holding JPEGImages/, SegmentationClass/, ImageSets/Segmentation/). */
  readonly root: string;
  /** 'train' | 'val' | 'trainval', or any <split> of ImageSets/Segmentation/<split>.txt. */
  readonly split: string;
  /** An explicit list file (e.g. train_aug.txt) instead of ImageSets/Segmentation/<split>.txt. */
  readonly listPath?: string;
  /**
   * Label folder (default 'auto': SegmentationClassAug/<id>.png when that folder holds the id, else
   * SegmentationClass/<id>.png).
   */
  readonly labels?: VocLabelFolder | 'auto';
}

const SPLIT_NAME = /^[A-Za-z0-9][\w.-]*$/;

/**
 * Opens a Pascal VOC 2012 segmentation split: images JPEGImages/<id>.jpg, labels <labels>/<id>.png
 * (palette or grayscale PNG, value = class, 255 = ignore). Validates the root, the list file (present,
 * non-empty, no duplicate ids) and the label folder; DatasetError names the file and the problem.
 */
export async function openVocDataset(options: VocDatasetOptions): Promise<SegmentationDataset> {
  const root = resolve(options.root);
  if ((await kindOf(root)) !== 'dir') throw new DatasetError(root, 'VOC2012 folder not found');
  if (!SPLIT_NAME.test(options.split)) {
    throw new DatasetError(root, `split "${options.split}" is not a list name (letters, digits, _ . -)`);
  }
  const listPath = options.listPath
    ? resolve(options.listPath)
    : join(root, 'ImageSets', 'Segmentation', `${options.split}.txt`);
  const ids = await readIdList(listPath);

  const imageDir = join(root, 'JPEGImages');
  if ((await kindOf(imageDir)) !== 'dir') throw new DatasetError(imageDir, 'image folder not found');

  const mode = options.labels ?? 'auto';
  const plainDir = join(root, 'SegmentationClass');
  const augDir = join(root, 'SegmentationClassAug');
  const hasPlain = (await kindOf(plainDir)) === 'dir';
  const hasAug = (await kindOf(augDir)) === 'dir';
  let labelPath: (id: string) => string;
  if (mode === 'SegmentationClass' || (mode === 'auto' && !hasAug)) {
    if (!hasPlain) throw new DatasetError(plainDir, 'label folder not found');
    labelPath = (id) => join(plainDir, `${id}.png`);
  } else if (mode === 'SegmentationClassAug') {
    if (!hasAug) throw new DatasetError(augDir, 'label folder not found');
    labelPath = (id) => join(augDir, `${id}.png`);
  } else if (mode === 'auto') {
    const inAug = new Set(await filesEndingWith(augDir, '.png'));
    if (!hasPlain && ids.some((id) => !inAug.has(`${id}.png`))) {
      throw new DatasetError(plainDir, 'label folder not found (and SegmentationClassAug lacks some ids)');
    }
    labelPath = (id) => join(inAug.has(`${id}.png`) ? augDir : plainDir, `${id}.png`);
  } else {
    const known = 'SegmentationClass, SegmentationClassAug, auto';
    throw new DatasetError(root, `unknown label folder "${String(mode)}" (${known})`);
  }

  return createDataset({
    name: `voc2012-${options.split}`,
    root,
    classes: VOC_CLASSES,
    ids,
    imagePath: (id) => join(imageDir, `${id}.jpg`),
    labelPath,
  });
}
