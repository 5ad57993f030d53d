import { readImageFile, readLabelFile, type LabelImage, type RgbImage } from '@fmwiss/imaging';
import type { ClassInfo } from './classes';
import { DatasetError } from './errors';
import { orderedConcurrentMap } from '@fmwiss/service-kit';

/** One image of a dataset with its label map (same size; label 255 = ignore). */
export interface Sample {
  readonly id: string;
  readonly image: RgbImage;
  readonly labels: LabelImage;
}

export interface SampleOptions {
  /** Which ids, in this order (default: all of the dataset, in its order). */
  readonly ids?: readonly string[];
  /** Samples read ahead at once (default 2). At most concurrency + 1 samples are alive. */
  readonly concurrency?: number;
}

/**
 * A semantic segmentation dataset: an ordered id list (kept in memory) and, per id, an image file and
 * a label map file read on demand. `samples()` streams with bounded look-ahead.
 */
export interface SegmentationDataset {
  /** A short name such as "voc2012-train_aug" or "coco-val2017-voc". */
  readonly name: string;
  /** The folder the dataset was opened from (VOC2012 folder, prepared COCO root, manifest folder). */
  readonly root: string;
  /** Every class of the label space, background (0) first, sorted by id. */
  readonly classes: readonly ClassInfo[];
  /** The image ids, in the dataset's order (the list file's order). */
  readonly ids: readonly string[];
  imagePath(id: string): string;
  labelPath(id: string): string;
  /** Decodes the image to 8-bit RGB (ImageError naming the file on failure). */
  readImage(id: string): Promise<RgbImage>;
  /** Decodes the label map, already in the dataset's label space (ImageError/DatasetError naming the file). */
  readLabels(id: string): Promise<LabelImage>;
  /** Both, checked to be of the same size. */
  read(id: string): Promise<Sample>;
  samples(options?: SampleOptions): AsyncIterable<Sample>;
}

/** What a reader provides; createDataset adds the reading and streaming. */
export interface DatasetSource {
  readonly name: string;
  readonly root: string;
  readonly classes: readonly ClassInfo[];
  readonly ids: readonly string[];
  imagePath(id: string): string;
  labelPath(id: string): string;
  /** Turns a decoded label map into the dataset's label space (e.g. COCO ids -> VOC ids). */
  convertLabels?(labels: LabelImage, file: string): LabelImage;
}

/** "image is 500x375 but label is 500x374", or undefined when the sizes agree. */
export function sizeMismatch(image: { width: number; height: number }, labels: { width: number; height: number }) {
  return image.width === labels.width && image.height === labels.height
    ? undefined
    : `image is ${image.width}x${image.height} but label is ${labels.width}x${labels.height}`;
}

/** Builds the SegmentationDataset of a reader's source. Unknown ids are a RangeError. */
export function createDataset(source: DatasetSource): SegmentationDataset {
  const known = new Set(source.ids);
  const check = (id: string): string => {
    if (!known.has(id)) throw new RangeError(`dataset ${source.name} has no image "${id}"`);
    return id;
  };
  const imagePath = (id: string): string => source.imagePath(check(id));
  const labelPath = (id: string): string => source.labelPath(check(id));
  const readImage = (id: string): Promise<RgbImage> => readImageFile(imagePath(id));
  const readLabels = async (id: string): Promise<LabelImage> => {
    const file = labelPath(id);
    const labels = await readLabelFile(file);
    return source.convertLabels ? source.convertLabels(labels, file) : labels;
  };
  const read = async (id: string): Promise<Sample> => {
    const [image, labels] = await Promise.all([readImage(id), readLabels(id)]);
    const mismatch = sizeMismatch(image, labels);
    if (mismatch) throw new DatasetError(labelPath(id), mismatch);
    return { id, image, labels };
  };
  const dataset: SegmentationDataset = {
    name: source.name,
    root: source.root,
    classes: source.classes,
    ids: source.ids,
    imagePath,
    labelPath,
    readImage,
    readLabels,
    read,
    samples: (options: SampleOptions = {}) => {
      const ids = options.ids ?? source.ids;
      ids.forEach(check);
      return orderedConcurrentMap(ids, options.concurrency ?? 2, (id) => dataset.read(id));
    },
  };
  return dataset;
}
