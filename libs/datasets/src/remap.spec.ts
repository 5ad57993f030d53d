import type { LabelImage } from '@fmwiss/imaging';
import { cocoToVocMapping } from './classes';
import { remapForStep, remapLabelSpace } from './remap';

// 4x3 label map of the 15-5 task:
//   0  15  16  255
//   3  17  17   20
//   255 1   0   16
const MAP: LabelImage = { width: 4, height: 3, data: Uint8Array.from([0, 15, 16, 255, 3, 17, 17, 20, 255, 1, 0, 16]) };

describe('remapForStep', () => {
  it('keeps the step classes, turns every other class to 0 and keeps 255 (pixel by pixel)', () => {
    // Step 1 of 15-5 learns 16..20: 15, 3 and 1 become background.
    const out = remapForStep(MAP, [16, 17, 18, 19, 20]);
    expect(out).toEqual({
      width: 4,
      height: 3,
      data: Uint8Array.from([0, 0, 16, 255, 0, 17, 17, 20, 255, 0, 0, 16]),
    });
    // Step 0 (with background): 16, 17, 20 become background.
    expect([...remapForStep(MAP, [0, ...Array.from({ length: 15 }, (_, i) => i + 1)]).data]).toEqual([
      0, 15, 0, 255, 3, 0, 0, 0, 255, 1, 0, 0,
    ]);
    expect([...MAP.data]).toEqual([0, 15, 16, 255, 3, 17, 17, 20, 255, 1, 0, 16]); // input untouched
  });

  it('refuses a class id that is no label value and a malformed map', () => {
    expect(() => remapForStep(MAP, [256])).toThrow(RangeError);
    expect(() => remapForStep({ width: 2, height: 2, data: new Uint8Array(3) }, [1])).toThrow(RangeError);
  });
});

describe('remapLabelSpace', () => {
  it('maps COCO ids to VOC ids, other categories to 0, 255 stays', () => {
    // person 1 -> 15, bottle 44 -> 5, tv 72 -> 20, toothbrush 90 -> 0, 255, 0
    const coco: LabelImage = { width: 3, height: 2, data: Uint8Array.from([1, 44, 72, 90, 255, 0]) };
    expect([...remapLabelSpace(coco, cocoToVocMapping()).data]).toEqual([15, 5, 20, 0, 255, 0]);
  });

  it('sends values outside the mapping to `unmapped`', () => {
    const labels: LabelImage = { width: 4, height: 1, data: Uint8Array.from([1, 2, 3, 255]) };
    expect([...remapLabelSpace(labels, new Map([[1, 7]]), 255).data]).toEqual([7, 255, 255, 255]);
    expect([...remapLabelSpace(labels, new Map([[2, 1]])).data]).toEqual([0, 1, 0, 255]);
  });
});
