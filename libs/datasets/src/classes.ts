/** One class of a dataset: its label value, its dataset name, and the name given to CLIP prompts. */
export interface ClassInfo {
  /** The label value of the class in the dataset's label maps (0 = background). */
  readonly id: number;
  /** The dataset's own name ("pottedplant"). */
  readonly name: string;
  /** The name used in text prompts ("potted plant"). */
  readonly promptName: string;
}

/** The ignore label: object borders and unlabelled pixels. Never a class. */
export const IGNORE_VALUE = 255;
/** The background class, label value 0 in every dataset. */
export const BACKGROUND_ID = 0;

/** Pascal VOC 2012 class names; the index is the label value. */
export const VOC_CLASS_NAMES: readonly string[] = Object.freeze([
  'background',
  'aeroplane',
  'bicycle',
  'bird',
  'boat',
  'bottle',
  'bus',
  'car',
  'cat',
  'chair',
  'cow',
  'diningtable',
  'dog',
  'horse',
  'motorbike',
  'person',
  'pottedplant',
  'sheep',
  'sofa',
  'train',
  'tvmonitor',
]);

/** VOC names that read badly in a sentence, and the name CLIP prompts use instead (WILSS protocol). */
const VOC_PROMPT_NAMES: Readonly<Record<string, string>> = {
  aeroplane: 'airplane',
  diningtable: 'dining table',
  pottedplant: 'potted plant',
  tvmonitor: 'tv monitor',
};

/** The 21 VOC classes, background (0) included, index = label value. */
export const VOC_CLASSES: readonly ClassInfo[] = Object.freeze(
  VOC_CLASS_NAMES.map((name, id) => Object.freeze({ id, name, promptName: VOC_PROMPT_NAMES[name] ?? name })),
);

/** The 80 COCO 2017 "things" categories with their official ids (1..90, with gaps). */
export const COCO_CATEGORIES: readonly { readonly id: number; readonly name: string }[] = Object.freeze(
  (
    [
      [1, 'person'], [2, 'bicycle'], [3, 'car'], [4, 'motorcycle'], [5, 'airplane'], [6, 'bus'], [7, 'train'],
      [8, 'truck'], [9, 'boat'], [10, 'traffic light'], [11, 'fire hydrant'], [13, 'stop sign'],
      [14, 'parking meter'], [15, 'bench'], [16, 'bird'], [17, 'cat'], [18, 'dog'], [19, 'horse'], [20, 'sheep'],
      [21, 'cow'], [22, 'elephant'], [23, 'bear'], [24, 'zebra'], [25, 'giraffe'], [27, 'backpack'],
      [28, 'umbrella'], [31, 'handbag'], [32, 'tie'], [33, 'suitcase'], [34, 'frisbee'], [35, 'skis'],
      [36, 'snowboard'], [37, 'sports ball'], [38, 'kite'], [39, 'baseball bat'], [40, 'baseball glove'],
      [41, 'skateboard'], [42, 'surfboard'], [43, 'tennis racket'], [44, 'bottle'], [46, 'wine glass'],
      [47, 'cup'], [48, 'fork'], [49, 'knife'], [50, 'spoon'], [51, 'bowl'], [52, 'banana'], [53, 'apple'],
      [54, 'sandwich'], [55, 'orange'], [56, 'broccoli'], [57, 'carrot'], [58, 'hot dog'], [59, 'pizza'],
      [60, 'donut'], [61, 'cake'], [62, 'chair'], [63, 'couch'], [64, 'potted plant'], [65, 'bed'],
      [67, 'dining table'], [70, 'toilet'], [72, 'tv'], [73, 'laptop'], [74, 'mouse'], [75, 'remote'],
      [76, 'keyboard'], [77, 'cell phone'], [78, 'microwave'], [79, 'oven'], [80, 'toaster'], [81, 'sink'],
      [82, 'refrigerator'], [84, 'book'], [85, 'clock'], [86, 'vase'], [87, 'scissors'], [88, 'teddy bear'],
      [89, 'hair drier'], [90, 'toothbrush'],
    ] as const
  ).map(([id, name]) => Object.freeze({ id, name })),
);

/** Background plus the 80 COCO categories, label value = COCO id; COCO names are prompt-ready. */
export const COCO_CLASSES: readonly ClassInfo[] = Object.freeze([
  Object.freeze({ id: BACKGROUND_ID, name: 'background', promptName: 'background' }),
  ...COCO_CATEGORIES.map(({ id, name }) => Object.freeze({ id, name, promptName: name })),
]);

/**
 * The COCO id of each VOC class, in VOC order: `VOC_COCO_IDS[vocId - 1]` (aeroplane -> 5, ...,
 * tvmonitor -> 72). Sorted, these are the 20 ids of the protocol's COCO-to-VOC task.
 */
export const VOC_COCO_IDS: readonly number[] = Object.freeze([
  5, 2, 16, 9, 44, 6, 3, 17, 62, 21, 67, 18, 19, 4, 1, 64, 20, 63, 7, 72,
]);

/**
 * COCO label value -> VOC label value, for `remapLabelSpace`: background 0 -> 0, the 20 VOC categories
 * -> 1..20, the 60 other categories -> 0 (background). 255 is not listed: it stays ignore.
 */
export function cocoToVocMapping(): Map<number, number> {
  const mapping = new Map<number, number>([[BACKGROUND_ID, BACKGROUND_ID]]);
  for (const { id } of COCO_CATEGORIES) mapping.set(id, 0);
  VOC_COCO_IDS.forEach((cocoId, index) => mapping.set(cocoId, index + 1));
  return mapping;
}

/** The ids of a class list, sorted ascending. */
export function classIdsOf(classes: readonly ClassInfo[]): number[] {
  return classes.map((c) => c.id).sort((a, b) => a - b);
}
