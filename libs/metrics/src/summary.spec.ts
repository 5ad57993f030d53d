import { ConfusionMatrix } from './confusion-matrix';
import { MetricsError } from './errors';
import { summaryToJSON, summaryToMarkdown } from './format';
import { perClassIoU } from './iou';
import { summarize } from './summary';

// Toy example, classes [0, 1, 2, 3]: old = [1, 2], new = [3]. 255 = ignore.
//
// Image A, 3x3:   ground truth    prediction
//                 0   0   1       0 1 1
//                 1   1   2       1 3 2
//                 2 255   0       2 0 3
// Class 3 never occurs in A's ground truth but is predicted twice (pixels 4 and 8).
//
// Confusion matrix of A (rows gt, cols pred), ignored pixel 7 skipped:
//            p0 p1 p2 p3 | row sum
//   g0        1  1  0  1 |  3
//   g1        0  2  0  1 |  3
//   g2        0  0  2  0 |  2
//   g3        0  0  0  0 |  0
//   col sum   1  3  2  2 |  8 pixels, trace 1+2+2 = 5
const GT_A = Uint8Array.from([0, 0, 1, 1, 1, 2, 2, 255, 0]);
const PRED_A = Uint8Array.from([0, 1, 1, 1, 3, 2, 2, 0, 3]);

// Image B, 2x2:   ground truth 3 3 / 0 255, prediction 3 0 / 0 2 (pixel 3 ignored).
const GT_B = Uint8Array.from([3, 3, 0, 255]);
const PRED_B = Uint8Array.from([3, 0, 0, 2]);

const NAMES = { 0: 'background', 1: 'aeroplane', 2: 'bicycle', 3: 'bird' };
const GROUPS = { oldClassIds: [1, 2], newClassIds: [3] };

function matrixOf(...images: Array<[Uint8Array, Uint8Array]>): ConfusionMatrix {
  const m = new ConfusionMatrix([0, 1, 2, 3]);
  images.forEach(([gt, pred], i) => m.update(gt, pred, `image ${i}`));
  return m;
}

describe('perClassIoU', () => {
  it('matches the hand computation on image A', () => {
    expect(perClassIoU(matrixOf([GT_A, PRED_A]))).toEqual([
      // class 0: TP 1, FP = col 1 - 1 = 0, FN = row 3 - 1 = 2 -> 1 / 3
      { classId: 0, iou: 1 / 3, present: true, truePositives: 1, falsePositives: 0, falseNegatives: 2, groundTruthPixels: 3, predictedPixels: 1 },
      // class 1: TP 2, FP = 3 - 2 = 1 (a background pixel), FN = 3 - 2 = 1 (lost to class 3) -> 2 / 4
      { classId: 1, iou: 0.5, present: true, truePositives: 2, falsePositives: 1, falseNegatives: 1, groundTruthPixels: 3, predictedPixels: 3 },
      // class 2: TP 2, FP 0, FN 0 (its third "pixel" is the ignored one, predicted 0 but not counted) -> 1
      { classId: 2, iou: 1, present: true, truePositives: 2, falsePositives: 0, falseNegatives: 0, groundTruthPixels: 2, predictedPixels: 2 },
      // class 3: TP 0, FP 2, FN 0 -> 0 / 2 = 0, absent from the ground truth
      { classId: 3, iou: 0, present: false, truePositives: 0, falsePositives: 2, falseNegatives: 0, groundTruthPixels: 0, predictedPixels: 2 },
    ]);
  });

  it('gives 0 (not NaN) and present false to a class neither in the ground truth nor predicted', () => {
    const m = new ConfusionMatrix([0, 1, 2]);
    m.update([0, 1], [0, 1]);
    const [, , two] = perClassIoU(m);
    expect(two).toMatchObject({ classId: 2, iou: 0, present: false, truePositives: 0, falsePositives: 0, falseNegatives: 0 });
  });
});

describe('summarize', () => {
  it('matches the hand computation on image A (class 3 predicted but absent)', () => {
    const s = summarize(matrixOf([GT_A, PRED_A]), { ...GROUPS, classNames: NAMES, images: 1 });
    // old = mean(IoU1, IoU2) = (0.5 + 1) / 2 = 0.75
    expect(s.miouOld).toBe(0.75);
    // new = mean over present new classes: class 3 is absent -> no class -> null
    expect(s.miouNew).toBeNull();
    // all = mean(IoU0, IoU1, IoU2) = (1/3 + 1/2 + 1) / 3 = (11/6) / 3 = 11/18 (class 3 not averaged)
    expect(s.miouAll).toBeCloseTo(11 / 18, 15);
    // accuracy = trace / total = 5 / 8
    expect(s.pixelAccuracy).toBe(0.625);
    expect(s.pixels).toBe(8);
    expect(s.images).toBe(1);
    expect(s.perClass.map((e) => [e.name, e.group])).toEqual([
      ['background', 'background'],
      ['aeroplane', 'old'],
      ['bicycle', 'old'],
      ['bird', 'new'],
    ]);
  });

  it('shows that an absent class\'s false positives lower the others: A with pixels 4 and 8 predicted right', () => {
    const fixed = PRED_A.slice();
    fixed[4] = 1; // gt 1
    fixed[8] = 0; // gt 0
    const s = summarize(matrixOf([GT_A, fixed]), GROUPS);
    // IoU0 = 2 / (3 + 2 - 2) = 2/3 (was 1/3); IoU1 = 3 / (3 + 4 - 3) = 3/4 (was 1/2); IoU2 = 1
    expect(s.perClass.map((e) => e.iou)).toEqual([2 / 3, 3 / 4, 1, 0]);
    expect(s.miouOld).toBe((3 / 4 + 1) / 2); // 0.875
    expect(s.miouAll).toBeCloseTo((2 / 3 + 3 / 4 + 1) / 3, 15); // 29/36
  });

  it('matches the hand computation on images A and B (class 3 present)', () => {
    // A + B (B adds 3->3, 3->0, 0->0):
    //            p0 p1 p2 p3 | row
    //   g0        2  1  0  1 |  4
    //   g1        0  2  0  1 |  3
    //   g2        0  0  2  0 |  2
    //   g3        1  0  0  1 |  2
    //   col       3  3  2  3 | 11 pixels, trace 2+2+2+1 = 7
    // IoU0 = 2 / (4 + 3 - 2) = 2/5; IoU1 = 2 / (3 + 3 - 2) = 1/2; IoU2 = 2 / (2 + 2 - 2) = 1;
    // IoU3 = 1 / (2 + 3 - 1) = 1/4
    const s = summarize(matrixOf([GT_A, PRED_A], [GT_B, PRED_B]), GROUPS);
    expect(s.perClass.map((e) => e.iou)).toEqual([0.4, 0.5, 1, 0.25]);
    expect(s.perClass.every((e) => e.present)).toBe(true);
    expect(s.miouOld).toBe(0.75); // (1/2 + 1) / 2
    expect(s.miouNew).toBe(0.25); // 1/4
    expect(s.miouAll).toBeCloseTo(0.5375, 15); // (2/5 + 1/2 + 1 + 1/4) / 4 = 2.15 / 4
    expect(s.pixelAccuracy).toBe(7 / 11);
    expect(s.images).toBeUndefined();
    expect(s.perClass[1].name).toBe('1'); // no names given: the id
  });

  it('gives null, not NaN, for an empty matrix', () => {
    const s = summarize(new ConfusionMatrix([0, 1, 2, 3]), GROUPS);
    expect([s.miouOld, s.miouNew, s.miouAll, s.pixelAccuracy]).toEqual([null, null, null, null]);
    expect(s.pixels).toBe(0);
  });

  it('counts a class in neither list only in "all"', () => {
    const m = new ConfusionMatrix([0, 1, 2]);
    m.update([1, 2], [1, 0]);
    const s = summarize(m, { oldClassIds: [1], newClassIds: [] });
    expect(s.perClass[2].group).toBe('other');
    expect([s.miouOld, s.miouNew, s.miouAll]).toEqual([1, null, 0.5]); // all = (IoU1 1 + IoU2 0) / 2
  });

  it.each([
    ['background in old', { oldClassIds: [0, 1], newClassIds: [3] }, 'oldClassIds must not contain background 0'],
    ['background in new', { oldClassIds: [1], newClassIds: [0] }, 'newClassIds must not contain background 0'],
    ['overlapping groups', { oldClassIds: [1, 2], newClassIds: [2, 3] }, 'class 2 is in both oldClassIds and newClassIds'],
    ['a duplicate', { oldClassIds: [1, 1], newClassIds: [3] }, 'oldClassIds lists 1 twice'],
    ['a class outside the matrix', { oldClassIds: [1], newClassIds: [4] }, 'newClassIds: 4 is not a class id of the confusion matrix'],
    ['a bad image count', { oldClassIds: [1], newClassIds: [3], images: -1 }, 'images must be a non-negative integer, got -1'],
  ])('rejects %s', (_name, options, message) => {
    const run = () => summarize(matrixOf([GT_A, PRED_A]), options);
    expect(run).toThrow(MetricsError);
    expect(run).toThrow(message);
  });
});

describe('summaryToJSON', () => {
  it('is plain, NaN-free JSON at full precision that survives a round trip', () => {
    const s = summarize(matrixOf([GT_A, PRED_A]), { ...GROUPS, classNames: NAMES, images: 1 });
    const json = summaryToJSON(s);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    expect(json.miouAll).toBe(s.miouAll); // 0.6111111111111112, not rounded
    expect(json.miouNew).toBeNull();
    expect(json.images).toBe(1);
    expect(json.perClass[3]).toEqual({
      classId: 3, name: 'bird', group: 'new', iou: 0, present: false,
      truePositives: 0, falsePositives: 2, falseNegatives: 0, groundTruthPixels: 0, predictedPixels: 2,
    });
    expect(Object.keys(json)).toEqual([
      'miouOld', 'miouNew', 'miouAll', 'pixelAccuracy', 'pixels', 'oldClassIds', 'newClassIds', 'perClass', 'images',
    ]);
    expect('images' in summaryToJSON(summarize(matrixOf(), GROUPS))).toBe(false);
  });
});

describe('summaryToMarkdown', () => {
  it('writes the method table with baselines and the per-class table, "–" for absent figures', () => {
    const s = summarize(matrixOf([GT_A, PRED_A]), { ...GROUPS, classNames: NAMES });
    const markdown = summaryToMarkdown(s, {
      title: '15-5 disjoint (toy)',
      baselines: [
        { name: 'MiB, pixel labels', old: 71.8, new: 43.3, all: 64.7 },
        { name: 'foundation-model method', old: null, new: null, all: 70.7 },
      ],
    });
    expect(markdown.split('\n')).toEqual([
      '## 15-5 disjoint (toy)',
      '',
      '| method | old | new | all |',
      '| --- | ---: | ---: | ---: |',
      '| MiB, pixel labels | 71.8 | 43.3 | 64.7 |',
      '| foundation-model method | – | – | 70.7 |',
      '| this run | 75.0 | – | 61.1 |', // 0.75, null, 11/18 = 0.6111
      '',
      '| class | IoU | present |',
      '| --- | ---: | --- |',
      '| background | 33.3 | yes |', // 1/3
      '| aeroplane | 50.0 | yes |',
      '| bicycle | 100.0 | yes |',
      '| bird | – | no |', // predicted, absent: not 0.0
      '',
    ]);
  });

  it('names the run, omits the title, and escapes pipes in names', () => {
    const s = summarize(matrixOf([GT_B, PRED_B]), { oldClassIds: [], newClassIds: [3], classNames: { 3: 'a|b' } });
    const lines = summaryToMarkdown(s, { method: 'ours' }).split('\n');
    expect(lines[0]).toBe('| method | old | new | all |');
    // B: IoU0 = 1 / (1 + 2 - 1) = 1/2, IoU3 = 1 / (2 + 1 - 1) = 1/2; no old class present
    expect(lines[2]).toBe('| ours | – | 50.0 | 50.0 |');
    expect(lines).toContain('| a\\|b | 50.0 | yes |');
    expect(lines).toContain('| 1 | – | no |');
  });
});
