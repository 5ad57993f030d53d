import { openCocoDataset, openManifestDataset, openVocDataset, type SegmentationDataset } from '@fmwiss/datasets';

export type DatasetFormat = 'voc' | 'coco' | 'manifest';

/** Opens a dataset of any supported layout; `root` is the VOC2012 folder, the COCO root or the manifest file. */
export function openDataset(format: DatasetFormat, root: string, split: string): Promise<SegmentationDataset> {
  switch (format) {
    case 'voc':
      return openVocDataset({ root, split, labels: 'auto' });
    case 'coco':
      return openCocoDataset({ root, split, labelSpace: 'coco' });
    case 'manifest':
      return openManifestDataset(root, { split });
  }
}
