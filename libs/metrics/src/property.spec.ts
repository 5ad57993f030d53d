import { ConfusionMatrix } from './confusion-matrix';
import { summarize } from './summary';

/** Numerical Recipes LCG: a tiny seeded generator so the cases are the same on every run. */
function lcg(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return Math.floor((state / 2 ** 32) * n);
  };
}

/** The definitions, straight from the protocol, pixel by pixel: no matrix. */
function naive(gt: number[], pred: number[], classIds: number[], oldIds: number[], newIds: number[]) {
  const counted = gt.map((_, i) => i).filter((i) => gt[i] !== 255);
  const perClass = classIds.map((c) => {
    const tp = counted.filter((i) => gt[i] === c && pred[i] === c).length;
    const fp = counted.filter((i) => gt[i] !== c && pred[i] === c).length;
    const fn = counted.filter((i) => gt[i] === c && pred[i] !== c).length;
    return { classId: c, iou: tp + fp + fn > 0 ? tp / (tp + fp + fn) : 0, present: tp + fn > 0 };
  });
  const mean = (ids: number[]) => {
    const present = perClass.filter((e) => ids.includes(e.classId) && e.present);
    return present.length === 0 ? null : present.reduce((s, e) => s + e.iou, 0) / present.length;
  };
  const correct = counted.filter((i) => gt[i] === pred[i]).length;
  return {
    perClass,
    miouOld: mean(oldIds),
    miouNew: mean(newIds),
    miouAll: mean(classIds),
    pixelAccuracy: counted.length > 0 ? correct / counted.length : null,
  };
}

function expectClose(actual: number | null, expected: number | null): void {
  if (expected === null) expect(actual).toBeNull();
  else expect(actual).toBeCloseTo(expected, 12);
}

interface RandomCase {
  classIds: number[];
  oldIds: number[];
  newIds: number[];
  images: Array<[Uint8Array, Uint8Array]>; /* [ground truth, prediction], up to 300 pixels each */
}

function randomCase(seed: number): RandomCase {
  const rand = lcg(seed);
  // A random sorted class set with background 0, e.g. [0, 2, 3, 7, 9]; split into old and new.
  const classIds = [0, ...Array.from({ length: 20 }, (_, i) => i + 1).filter(() => rand(3) > 0)];
  const cut = 1 + rand(classIds.length);
  // Some classes never occur in the ground truth but may be predicted.
  const absent = new Set(classIds.filter((c) => c !== 0 && rand(4) === 0));
  const pick = (allowAbsent: boolean): number => {
    for (;;) {
      const c = classIds[rand(classIds.length)];
      if (allowAbsent || !absent.has(c)) return c;
    }
  };
  const images = Array.from({ length: 1 + rand(6) }, (): [Uint8Array, Uint8Array] => {
    const n = rand(300);
    const gt = new Uint8Array(n);
    const pred = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      gt[i] = rand(10) === 0 ? 255 : pick(false);
      // Half the pixels right (where not ignored), the rest any class.
      pred[i] = rand(2) === 0 && gt[i] !== 255 ? gt[i] : pick(true);
    }
    return [gt, pred];
  });
  return { classIds, oldIds: classIds.slice(1, cut), newIds: classIds.slice(cut), images };
}

const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);

describe('against a naive reference on random data', () => {
  it.each(SEEDS)('seed %d', (seed) => {
    const { classIds, oldIds, newIds, images } = randomCase(seed);
    const matrix = new ConfusionMatrix(classIds);
    const parts: ConfusionMatrix[] = [];
    images.forEach(([gt, pred], i) => {
      matrix.update(gt, pred, `image ${i}`);
      const part = new ConfusionMatrix(classIds);
      part.update(Array.from(gt), Array.from(pred)); // the generic (number array) path
      parts.push(part);
    });
    const allGt = images.flatMap(([gt]) => Array.from(gt));
    const allPred = images.flatMap(([, pred]) => Array.from(pred));

    const reference = naive(allGt, allPred, classIds, oldIds, newIds);
    const summary = summarize(matrix, { oldClassIds: oldIds, newClassIds: newIds });
    expect(summary.perClass.map((e) => [e.classId, e.present])).toEqual(
      reference.perClass.map((e) => [e.classId, e.present]),
    );
    summary.perClass.forEach((e, i) => expect(e.iou).toBeCloseTo(reference.perClass[i].iou, 12));
    expectClose(summary.miouOld, reference.miouOld);
    expectClose(summary.miouNew, reference.miouNew);
    expectClose(summary.miouAll, reference.miouAll);
    expectClose(summary.pixelAccuracy, reference.pixelAccuracy);
    expect(summary.pixels).toBe(allGt.filter((g) => g !== 255).length);

    // Merging per-image matrices in another order, or restoring a checkpoint, changes nothing.
    const merged = new ConfusionMatrix(classIds);
    for (const part of parts.reverse()) merged.merge(part);
    expect(merged.counts()).toEqual(matrix.counts());
    expect(ConfusionMatrix.fromJSON(JSON.parse(JSON.stringify(merged))).counts()).toEqual(matrix.counts());
  });

  it('covers the interesting cases: predicted-but-absent classes, empty columns', () => {
    let predictedAbsent = 0;
    let nullColumns = 0;
    for (const seed of SEEDS) {
      const { classIds, oldIds, newIds, images } = randomCase(seed);
      const matrix = new ConfusionMatrix(classIds);
      for (const [gt, pred] of images) matrix.update(gt, pred);
      const s = summarize(matrix, { oldClassIds: oldIds, newClassIds: newIds });
      predictedAbsent += s.perClass.filter((e) => !e.present && e.predictedPixels > 0).length;
      nullColumns += Number(s.miouOld === null) + Number(s.miouNew === null);
    }
    expect(predictedAbsent).toBeGreaterThan(20);
    expect(nullColumns).toBeGreaterThan(0);
  });
});
