import { COCO_CATEGORIES, COCO_CLASSES, cocoToVocMapping, VOC_CLASS_NAMES, VOC_CLASSES, VOC_COCO_IDS } from './classes';

describe('VOC classes', () => {
  it('has the 21 classes with background at 0 and CLIP prompt names', () => {
    expect(VOC_CLASS_NAMES).toHaveLength(21);
    expect(VOC_CLASSES.map((c) => c.id)).toEqual(Array.from({ length: 21 }, (_, i) => i));
    expect(VOC_CLASSES[15]).toEqual({ id: 15, name: 'person', promptName: 'person' });
    const renamed = VOC_CLASSES.filter((c) => c.name !== c.promptName).map((c) => [c.name, c.promptName]);
    expect(renamed).toEqual([
      ['aeroplane', 'airplane'],
      ['diningtable', 'dining table'],
      ['pottedplant', 'potted plant'],
      ['tvmonitor', 'tv monitor'],
    ]);
  });
});

describe('COCO classes', () => {
  it('has 80 categories with distinct ids in 1..90', () => {
    const ids = COCO_CATEGORIES.map((c) => c.id);
    expect(ids).toHaveLength(80);
    expect(new Set(ids).size).toBe(80);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids[0]).toBe(1);
    expect(ids.at(-1)).toBe(90);
    expect([12, 26, 29, 30, 45, 66, 68, 69, 71, 83].every((gap) => !ids.includes(gap))).toBe(true);
    expect(COCO_CLASSES).toHaveLength(81);
  });

  it('maps the VOC classes to the protocol COCO ids, in VOC order', () => {
    expect([...VOC_COCO_IDS].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 9, 16, 17, 18, 19, 20, 21, 44, 62, 63, 64, 67, 72]);
    const cocoName = (id: number) => COCO_CATEGORIES.find((c) => c.id === id)?.name;
    // COCO's names of the VOC classes (motorbike is "motorcycle", sofa "couch", tvmonitor "tv").
    expect(VOC_COCO_IDS.map(cocoName)).toEqual([
      'airplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow', 'dining table',
      'dog', 'horse', 'motorcycle', 'person', 'potted plant', 'sheep', 'couch', 'train', 'tv',
    ]);
    const mapping = cocoToVocMapping();
    expect(mapping.size).toBe(81);
    expect(mapping.get(72)).toBe(20);
    expect(mapping.get(1)).toBe(15);
    expect(mapping.get(8)).toBe(0); // truck
  });
});
