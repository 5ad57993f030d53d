import type { LabelImage } from '@fmwiss/imaging';
import { join, resolve } from 'node:path';
import { BACKGROUND_ID, COCO_CATEGORIES, COCO_CLASSES, cocoToVocMapping, VOC_CLASSES } from './classes';
import { createDataset, type SegmentationDataset } from './dataset';
import { DatasetError } from './errors';
import { filesEndingWith, kindOf } from './fs-utils';
import { allowedTable, describeBadLabelValues, findBadLabelValues } from './label-values';
import { readIdList } from './list-file';
import { remapLabelSpace } from './remap';

export interface CocoDatasetOptions {
  /** The prepared COCO root (see docs/datasets.md): images/<split>/, annotations/<split>/, <split>.txt. */
  readonly root: string;
  /** 'train2017' | 'val2017' (any folder name of the layout). */
  readonly split: string;
  /**
   * 'coco': label values are COCO category ids (classes: background + 80 categories).
   * 'voc': the 20 VOC categories become VOC ids 1..20 and every other category background 0
   * (classes: the 21 VOC classes), for COCO-to-VOC evaluation on VOC classes.
   */
  readonly labelSpace: 'coco' | 'voc';
}

const COCO_IDS = [BACKGROUND_ID, ...COCO_CATEGORIES.map((c) => c.id)];

/**
 * Opens a split of the prepared COCO layout: <root>/images/<split>/<id>.jpg,
 * <root>/annotations/<split>/<id>.png (8-bit gray or palette PNG, value = COCO category id, 0
 * background, 255 ignore) and the list <root>/<split>.txt (when missing: every PNG of the annotation
 * folder, sorted). In the 'voc' label space a value that is no COCO category id is refused on read
 * (it could not be mapped), so a scan reports it.
 */
export async function openCocoDataset(options: CocoDatasetOptions): Promise<SegmentationDataset> {
  const root = resolve(options.root);
  if ((await kindOf(root)) !== 'dir') throw new DatasetError(root, 'COCO folder not found');
  if (options.labelSpace !== 'coco' && options.labelSpace !== 'voc') {
    throw new DatasetError(root, `unknown label space "${String(options.labelSpace)}" (coco, voc)`);
  }
  if (!/^[A-Za-z0-9][\w.-]*$/.test(options.split)) {
    throw new DatasetError(root, `split "${options.split}" is not a folder name (letters, digits, _ . -)`);
  }
  const imageDir = join(root, 'images', options.split);
  const labelDir = join(root, 'annotations', options.split);
  if ((await kindOf(imageDir)) !== 'dir') throw new DatasetError(imageDir, 'image folder not found');
  if ((await kindOf(labelDir)) !== 'dir') throw new DatasetError(labelDir, 'annotation folder not found');

  const listPath = join(root, `${options.split}.txt`);
  let ids: string[];
  if ((await kindOf(listPath)) !== undefined) {
    ids = await readIdList(listPath);
  } else {
    ids = (await filesEndingWith(labelDir, '.png')).map((name) => name.slice(0, -'.png'.length));
    if (ids.length === 0) {
      throw new DatasetError(labelDir, `no list file ${options.split}.txt and no PNG in the annotation folder`);
    }
  }

  const voc = options.labelSpace === 'voc';
  const mapping = cocoToVocMapping();
  const cocoAllowed = allowedTable(COCO_IDS);
  return createDataset({
    name: `coco-${options.split}-${options.labelSpace}`,
    root,
    classes: voc ? VOC_CLASSES : COCO_CLASSES,
    ids,
    imagePath: (id) => join(imageDir, `${id}.jpg`),
    labelPath: (id) => join(labelDir, `${id}.png`),
    convertLabels: voc
      ? (labels: LabelImage, file: string) => {
          const bad = findBadLabelValues(labels, cocoAllowed);
          if (bad) throw new DatasetError(file, describeBadLabelValues(bad, COCO_IDS, 'COCO category id'));
          return remapLabelSpace(labels, mapping);
        }
      : undefined,
  });
}
