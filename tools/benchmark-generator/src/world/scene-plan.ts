import type { SeededRandom } from '@fmwiss/random';
import { classById, WORLD_CLASSES, type Context } from './classes';
import { CLUTTER_KINDS } from './clutter';

/**
 * What a scene holds before anything is placed: its context, the VOC classes in painter's order
 * (first = furthest back) and the clutter kinds. Class frequencies and co-occurrences are shaped like
 * VOC: an anchor class is drawn by frequency, companions from a hand-written co-occurrence table.
 */
export interface ScenePlan {
  readonly context: Context;
  /** Class ids, back to front. */
  readonly classes: readonly number[];
  /** Clutter kinds drawn behind the objects. */
  readonly clutterBehind: readonly string[];
  /** Clutter kinds drawn in front of the objects (they occlude; label 0). */
  readonly clutterFront: readonly string[];
}

export type PlanMode = 'benchmark' | 'corpus';

/** Companions of each anchor class (relative weights; same-class entries make multi-instance scenes). */
export const CO_OCCURRENCE: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  aeroplane: { aeroplane: 1, person: 1.2, car: 0.2 },
  bicycle: { person: 4, bicycle: 1, car: 1, motorbike: 0.3 },
  bird: { bird: 2.5, person: 0.4, boat: 0.3 },
  boat: { boat: 2, person: 2, bird: 0.3 },
  bottle: { person: 2.5, diningtable: 2, bottle: 2, chair: 1, tvmonitor: 0.4, pottedplant: 0.3 },
  bus: { car: 2, person: 2, bus: 0.6, motorbike: 0.3 },
  car: { car: 2, person: 2, bus: 0.8, motorbike: 0.5, bicycle: 0.5 },
  cat: { cat: 0.5, sofa: 1, chair: 0.5, person: 0.5, dog: 0.5, pottedplant: 0.2 },
  chair: { diningtable: 3, sofa: 1, person: 2, chair: 2, pottedplant: 1, tvmonitor: 1, bottle: 1 },
  cow: { cow: 3, person: 0.5, sheep: 0.3, horse: 0.3 },
  diningtable: { chair: 4, person: 3, bottle: 2, pottedplant: 0.6, tvmonitor: 0.3 },
  dog: { person: 2, dog: 1, sofa: 0.5, cat: 0.5, car: 0.3 },
  horse: { person: 3, horse: 1, cow: 0.3 },
  motorbike: { person: 3, car: 1, motorbike: 1 },
  person: {
    person: 3,
    chair: 1,
    car: 0.5,
    bicycle: 0.5,
    motorbike: 0.5,
    horse: 0.5,
    dog: 0.5,
    bottle: 0.6,
    sofa: 0.5,
    boat: 0.3,
    tvmonitor: 0.3,
    diningtable: 0.5,
  },
  pottedplant: { chair: 1, sofa: 1, pottedplant: 1, person: 0.5, tvmonitor: 0.5, diningtable: 0.5 },
  sheep: { sheep: 4, person: 0.3, cow: 0.3 },
  sofa: { person: 1.5, chair: 1, tvmonitor: 1, pottedplant: 1, cat: 0.5, dog: 0.5 },
  train: { person: 0.5, train: 0.3, car: 0.2 },
  tvmonitor: { chair: 1, person: 1, sofa: 1, tvmonitor: 0.5, bottle: 0.3, pottedplant: 0.5 },
};

/**
 * Anchor weights: VOC image counts, with person and the frequent companions (chair, car, bottle) turned
 * down because companions add them again. Calibrated so that the per-class image shares of a sample
 * follow VOC's (person first, then chair, car, cat, dog, ...).
 */
const BENCHMARK_ANCHOR: Readonly<Record<string, number>> = {
  aeroplane: 88,
  bicycle: 50,
  bird: 100,
  boat: 65,
  bottle: 55,
  bus: 70,
  car: 75,
  cat: 125,
  chair: 70,
  cow: 62,
  diningtable: 55,
  dog: 105,
  horse: 55,
  motorbike: 62,
  person: 190,
  pottedplant: 65,
  sheep: 62,
  sofa: 70,
  train: 85,
  tvmonitor: 65,
};

/** How many objects a scene holds, P(n = 1..). */
const OBJECT_COUNTS: Record<PlanMode, readonly number[]> = {
  benchmark: [0.42, 0.26, 0.16, 0.1, 0.06],
  corpus: [0.35, 0.3, 0.2, 0.15],
};
const CLUTTER_COUNTS: Record<PlanMode, readonly number[]> = {
  benchmark: [0.3, 0.35, 0.25, 0.1],
  corpus: [0.3, 0.35, 0.22, 0.13],
};

export function weightedIndex(r: SeededRandom, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let x = r.next() * total;
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i]!;
    if (x < 0) return i;
  }
  return weights.length - 1;
}

const CLASS_NAMES = WORLD_CLASSES.map((c) => c.name);

function anchorWeights(mode: PlanMode): number[] {
  const voc = CLASS_NAMES.map((name) => BENCHMARK_ANCHOR[name]!);
  if (mode === 'benchmark') return voc;
  // The corpus is more balanced: half uniform, half VOC-shaped.
  const total = voc.reduce((a, b) => a + b, 0);
  return voc.map((w) => 0.5 / voc.length + (0.5 * w) / total);
}

/** Chance that a companion comes from the anchor's co-occurrence row rather than any class fitting the context. */
const FROM_TABLE: Record<PlanMode, number> = { benchmark: 0.92, corpus: 0.6 };

/** A companion of the anchor: from its co-occurrence row (classes that do not fit the context damped 10x). */
function companion(r: SeededRandom, mode: PlanMode, anchor: string, context: Context): number {
  if (r.next() < FROM_TABLE[mode]) {
    const table = CO_OCCURRENCE[anchor]!;
    const names = Object.keys(table);
    const weights = names.map((n) => table[n]! * (classById(CLASS_NAMES.indexOf(n) + 1).contexts.includes(context) ? 1 : 0.1));
    return CLASS_NAMES.indexOf(names[weightedIndex(r, weights)]!) + 1;
  }
  const fitting = WORLD_CLASSES.filter((c) => c.contexts.includes(context));
  return fitting[r.int(fitting.length)]!.id;
}

function clutterFor(r: SeededRandom, context: Context, n: number): string[] {
  const fitting = CLUTTER_KINDS.filter((k) => k.contexts.includes(context));
  return Array.from({ length: n }, () => fitting[r.int(fitting.length)]!.name);
}

/** Draws a scene plan. `anchor` forces the first class (the contact sheet uses it). */
export function sampleScenePlan(r: SeededRandom, mode: PlanMode, anchor?: number): ScenePlan {
  const clutterOnly = mode === 'corpus' && anchor === undefined && r.next() < 0.05;
  const anchorId = anchor ?? weightedIndex(r, anchorWeights(mode)) + 1;
  const anchorClass = classById(anchorId);
  const context = anchorClass.contexts[r.int(anchorClass.contexts.length)]!;
  const count = weightedIndex(r, OBJECT_COUNTS[mode]) + 1;
  const classes = [anchorId];
  for (let i = 1; i < count; i++) classes.push(companion(r, mode, anchorClass.name, context));
  r.shuffle(classes);
  const clutterBehind = clutterFor(r, context, clutterOnly ? 1 + r.int(3) : weightedIndex(r, CLUTTER_COUNTS[mode]));
  const clutterFront = mode === 'benchmark' && r.next() < 0.08 ? clutterFor(r, context, 1) : [];
  return { context, classes: clutterOnly ? [] : classes, clutterBehind, clutterFront };
}
