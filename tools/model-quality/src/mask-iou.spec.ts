import { classMask, classMaskIoU, mean, median, presentClasses } from './mask-iou';

describe('classMaskIoU', () => {
  it('is |P ∩ G| / |P ∪ G| of the prediction and the class pixels', () => {
    const labels = Uint8Array.of(1, 1, 1, 0, 2, 0);
    expect(classMaskIoU(Uint8Array.of(1, 1, 0, 0, 0, 0), labels, 1)).toBeCloseTo(2 / 3, 12);
    // A predicted pixel of another class counts in the union.
    expect(classMaskIoU(Uint8Array.of(1, 1, 1, 0, 1, 0), labels, 1)).toBeCloseTo(3 / 4, 12);
    expect(classMaskIoU(Uint8Array.of(0, 0, 0, 1, 0, 1), labels, 1)).toBe(0);
    expect(classMaskIoU(Uint8Array.of(1, 1, 1, 0, 0, 0), labels, 1)).toBe(1);
  });

  it('leaves out pixels whose ground truth is the ignore label', () => {
    const labels = Uint8Array.of(1, 255, 1, 0);
    // Pixel 1 is ignored: intersection {0}, union {0, 2}.
    expect(classMaskIoU(Uint8Array.of(1, 1, 0, 0), labels, 1)).toBeCloseTo(1 / 2, 12);
    expect(classMaskIoU(Uint8Array.of(1, 1, 1, 0), labels, 1)).toBe(1);
    expect(classMaskIoU(Uint8Array.of(1, 1), Uint8Array.of(1, 9), 1, 9)).toBe(1);
  });

  it('is null for an empty union and refuses different sizes', () => {
    expect(classMaskIoU(Uint8Array.of(0, 0), Uint8Array.of(0, 255), 3)).toBeNull();
    expect(() => classMaskIoU(Uint8Array.of(0), Uint8Array.of(0, 0), 1)).toThrow(/1 pixels but the label map 2/);
  });
});

describe('helpers', () => {
  it('finds the object classes of a label map and their masks', () => {
    const labels = Uint8Array.of(0, 3, 255, 1, 3, 0);
    expect(presentClasses(labels)).toEqual([1, 3]);
    expect(presentClasses(Uint8Array.of(0, 255))).toEqual([]);
    expect(Array.from(classMask(labels, 3))).toEqual([0, 1, 0, 0, 1, 0]);
  });

  it('takes means and medians', () => {
    expect(mean([])).toBeNull();
    expect(mean([1, 2, 6])).toBe(3);
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
