import { ConfusionMatrix } from './confusion-matrix';
import { MetricsError } from './errors';

const IDS = [0, 1, 2, 3];

// The toy image A of summary.spec.ts, 3x3, row-major (255 = ignore):
//   ground truth    prediction
//   0   0   1       0 1 1
//   1   1   2       1 3 2
//   2 255   0       2 0 3
const GT_A = Uint8Array.from([0, 0, 1, 1, 1, 2, 2, 255, 0]);
const PRED_A = Uint8Array.from([0, 1, 1, 1, 3, 2, 2, 0, 3]);

// Image B, 2x2:  ground truth 3 3 / 0 255, prediction 3 0 / 0 2.
const GT_B = Uint8Array.from([3, 3, 0, 255]);
const PRED_B = Uint8Array.from([3, 0, 0, 2]);

describe('ConfusionMatrix.update', () => {
  it('counts rows = ground truth, columns = prediction, skipping ignored ground truth', () => {
    const m = new ConfusionMatrix(IDS);
    m.update(GT_A, PRED_A, 'A');
    // pixel by pixel (gt -> pred): 0->0, 0->1, 1->1, 1->1, 1->3, 2->2, 2->2, 255->0 (skipped), 0->3
    // prettier-ignore
    expect(Array.from(m.counts())).toEqual([
      /* gt 0 */ 1, 1, 0, 1,
      /* gt 1 */ 0, 2, 0, 1,
      /* gt 2 */ 0, 0, 2, 0,
      /* gt 3 */ 0, 0, 0, 0,
    ]);
    expect(m.pixels()).toBe(8); // 9 pixels, 1 ignored
    expect(m.count(1, 3)).toBe(1);
    expect(m.size).toBe(4);
    expect(m.ignoreLabel).toBe(255);
  });

  it('accepts plain number arrays and gives the same counts as bytes', () => {
    const bytes = new ConfusionMatrix(IDS);
    bytes.update(GT_A, PRED_A);
    const plain = new ConfusionMatrix(IDS);
    plain.update(Array.from(GT_A), Array.from(PRED_A));
    const mixed = new ConfusionMatrix(IDS);
    mixed.update(Int32Array.from(GT_A), PRED_A);
    expect(plain.counts()).toEqual(bytes.counts());
    expect(mixed.counts()).toEqual(bytes.counts());
  });

  it('maps sparse class ids to dense indices', () => {
    const m = new ConfusionMatrix([0, 1, 2, 7]);
    m.update([7, 7, 0, 2], [7, 1, 0, 7]);
    expect(m.count(7, 7)).toBe(1);
    expect(m.count(7, 1)).toBe(1);
    expect(m.count(2, 7)).toBe(1);
    expect(m.counts()[3 * 4 + 3]).toBe(1); // class 7 is dense index 3
    expect(() => m.update([3], [0], 'img')).toThrow(/img: ground-truth value 3 at pixel 0/);
  });

  it('honours a custom ignore label', () => {
    const m = new ConfusionMatrix([0, 1], { ignoreLabel: 9 });
    m.update([9, 1, 0], [0, 1, 1]);
    expect(Array.from(m.counts())).toEqual([0, 1, 0, 1]);
    expect(() => m.update([255], [0], 'x')).toThrow(MetricsError);
  });

  it('returns a copy from counts()', () => {
    const m = new ConfusionMatrix(IDS);
    m.update(GT_A, PRED_A);
    m.counts().fill(99);
    expect(m.pixels()).toBe(8);
  });
});

describe('ConfusionMatrix errors', () => {
  it('names the image, the value and the pixel for a bad ground-truth value', () => {
    const m = new ConfusionMatrix(IDS);
    const gt = Uint8Array.from([0, 1, 2, 3, 4]);
    const pred = Uint8Array.from([0, 1, 2, 3, 0]);
    let error: unknown;
    try {
      m.update(gt, pred, '2007_000033');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MetricsError);
    expect((error as MetricsError).message).toBe(
      '2007_000033: ground-truth value 4 at pixel 4 is neither a class id (0-3) nor the ignore label 255',
    );
    expect(error).toMatchObject({ what: '2007_000033', value: 4, pixelIndex: 4 });
  });

  it('names the image, the value and the pixel for a bad prediction, even at an ignored pixel', () => {
    const m = new ConfusionMatrix([0, 1, 2, 7]);
    expect(() => m.update([0, 1], [0, 5], 'img_7')).toThrow(
      'img_7: predicted value 5 at pixel 1 is not a class id (0-2, 7)',
    );
    expect(() => m.update([0, 255], [0, 255], 'img_8')).toThrow('img_8: predicted value 255 at pixel 1');
  });

  it.each([
    ['a negative value', -1],
    ['a fraction', 1.5],
    ['NaN', NaN],
    ['a value beyond the lookup table', 70000],
  ])('rejects %s in a number array', (_name, value) => {
    const m = new ConfusionMatrix(IDS);
    expect(() => m.update([0, value], [0, 0], 'n')).toThrow(`n: ground-truth value ${value} at pixel 1`);
    expect(() => m.update([0, 0], [0, value], 'n')).toThrow(`n: predicted value ${value} at pixel 1`);
  });

  it('rejects arrays of different length, naming the image', () => {
    const m = new ConfusionMatrix(IDS);
    expect(() => m.update(new Uint8Array(9), new Uint8Array(8), 'img_3')).toThrow(
      'img_3: ground truth has 9 pixels but the prediction has 8',
    );
    expect(() => m.update([0], [])).toThrow(/^update: /);
  });

  it('leaves the matrix unchanged when an update is rejected', () => {
    const m = new ConfusionMatrix(IDS);
    m.update(GT_A, PRED_A);
    const before = m.counts();
    // 5 valid pixels are counted before the bad one at index 5; they must be rolled back.
    expect(() => m.update(Uint8Array.from([0, 1, 255, 2, 3, 9]), Uint8Array.from([0, 1, 1, 2, 3, 0]), 'bad')).toThrow(
      MetricsError,
    );
    expect(m.counts()).toEqual(before);
    expect(() => m.update([0, 1, 255, 2, 3, 0], [0, 1, 1, 2, 3, 4], 'bad')).toThrow(MetricsError);
    expect(m.counts()).toEqual(before);
  });

  it.each([
    ['no class ids', [], undefined, /at least one class id/],
    ['unsorted ids', [0, 2, 1], undefined, /distinct and ascending/],
    ['duplicate ids', [0, 1, 1], undefined, /distinct and ascending/],
    ['a negative id', [-1, 0], undefined, /class id -1 must be an integer/],
    ['a fractional id', [0, 0.5], undefined, /class id 0.5/],
    ['the ignore label as a class', [0, 255], undefined, /ignore label 255 cannot also be a class id/],
    ['a bad ignore label', [0, 1], -3, /the ignore label must be an integer/],
  ])('rejects construction with %s', (_name, ids, ignoreLabel, message) => {
    expect(() => new ConfusionMatrix(ids as number[], { ignoreLabel })).toThrow(message);
  });
});

describe('ConfusionMatrix.merge', () => {
  it('equals updating with the concatenation of the images', () => {
    const a = new ConfusionMatrix(IDS);
    a.update(GT_A, PRED_A, 'A');
    const b = new ConfusionMatrix(IDS);
    b.update(GT_B, PRED_B, 'B');
    const concatenated = new ConfusionMatrix(IDS);
    concatenated.update(Uint8Array.from([...GT_A, ...GT_B]), Uint8Array.from([...PRED_A, ...PRED_B]), 'A+B');

    expect(a.merge(b)).toBe(a);
    expect(a.counts()).toEqual(concatenated.counts());
    expect(b.pixels()).toBe(3); // b itself is unchanged
    // A's counts plus B's: 3->3, 3->0, 0->0 (255->2 skipped)
    // prettier-ignore
    expect(Array.from(a.counts())).toEqual([
      2, 1, 0, 1,
      0, 2, 0, 1,
      0, 0, 2, 0,
      1, 0, 0, 1,
    ]);
  });

  it('refuses matrices over different class ids', () => {
    const a = new ConfusionMatrix([0, 1, 2]);
    expect(() => a.merge(new ConfusionMatrix([0, 1, 3]))).toThrow(
      'cannot merge confusion matrices over different class ids: 0-2 and 0, 1, 3',
    );
    expect(() => a.merge(new ConfusionMatrix([0, 1]))).toThrow(MetricsError);
  });
});

describe('ConfusionMatrix JSON', () => {
  it('round-trips through JSON text', () => {
    const m = new ConfusionMatrix([0, 1, 2, 7], { ignoreLabel: 254 });
    m.update([0, 7, 7, 254, 2], [0, 7, 1, 2, 2]);
    const text = JSON.stringify(m);
    const back = ConfusionMatrix.fromJSON(JSON.parse(text));
    expect(back.classIds).toEqual([0, 1, 2, 7]);
    expect(back.ignoreLabel).toBe(254);
    expect(back.counts()).toEqual(m.counts());
    expect(JSON.stringify(back)).toBe(text);
    // The restored matrix keeps counting.
    back.update([1], [1]);
    expect(back.pixels()).toBe(m.pixels() + 1);
  });

  it.each([
    ['not an object', 3, /not an object/],
    ['a wrong format', { format: 'x', classIds: [0], ignoreLabel: 255, counts: [0] }, /format must be/],
    ['missing counts', { format: 'fmwiss.confusion-matrix/v1', classIds: [0], ignoreLabel: 255 }, /needs classIds/],
    ['the wrong count length', { format: 'fmwiss.confusion-matrix/v1', classIds: [0, 1], ignoreLabel: 255, counts: [0] }, /need 4 counts, got 1/],
    ['a negative count', { format: 'fmwiss.confusion-matrix/v1', classIds: [0], ignoreLabel: 255, counts: [-1] }, /count 0 must be a non-negative integer/],
    ['a fractional count', { format: 'fmwiss.confusion-matrix/v1', classIds: [0], ignoreLabel: 255, counts: [0.5] }, /non-negative integer/],
    ['bad class ids', { format: 'fmwiss.confusion-matrix/v1', classIds: ['a'], ignoreLabel: 255, counts: [0] }, /class id a/],
  ])('rejects %s', (_name, json, message) => {
    expect(() => ConfusionMatrix.fromJSON(json)).toThrow(message);
  });
});
