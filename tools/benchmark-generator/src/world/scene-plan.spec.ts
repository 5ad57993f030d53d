import { SeededRandom } from '@fmwiss/random';
import { classById, NUM_CLASSES, WORLD_CLASSES } from './classes';
import { CLUTTER_KINDS } from './clutter';
import { CO_OCCURRENCE, sampleScenePlan } from './scene-plan';

function imagesPerClass(n: number, mode: 'benchmark' | 'corpus'): { counts: number[]; together: (a: number, b: number) => number } {
  const counts = new Array<number>(NUM_CLASSES + 1).fill(0);
  const sets: Set<number>[] = [];
  for (let i = 0; i < n; i++) {
    const plan = sampleScenePlan(new SeededRandom(5, 'plan-test', i), mode);
    const set = new Set(plan.classes);
    sets.push(set);
    for (const c of set) counts[c]!++;
  }
  return { counts, together: (a, b) => sets.filter((s) => s.has(a) && s.has(b)).length };
}

describe('sampleScenePlan', () => {
  it('shapes class frequencies like VOC: person is by far the most frequent class in 500 images', () => {
    const { counts } = imagesPerClass(500, 'benchmark');
    const person = counts[15]!;
    const others = counts.filter((_, id) => id !== 15 && id !== 0);
    expect(person).toBeGreaterThan(1.8 * Math.max(...others));
    expect(Math.min(...others)).toBeGreaterThan(5); // every class occurs
  });

  it('follows the co-occurrence table: chairs come with dining tables, cows with cows not sofas', () => {
    const { together } = imagesPerClass(1500, 'benchmark');
    expect(together(9, 11)).toBeGreaterThan(30); // chair + diningtable
    expect(together(10, 18)).toBeLessThan(3); // cow + sofa (almost) never together
    expect(together(6, 7)).toBeGreaterThan(together(6, 18)); // bus + car more than bus + sofa
  });

  it('makes the corpus more balanced than the benchmark', () => {
    const bench = imagesPerClass(800, 'benchmark').counts.slice(1);
    const corpus = imagesPerClass(800, 'corpus').counts.slice(1);
    const share = (c: number[], id: number): number => c[id - 1]! / c.reduce((a, b) => a + b, 0);
    expect(share(corpus, 15)).toBeLessThan(share(bench, 15)); // less person-heavy
    expect(Math.min(...corpus)).toBeGreaterThan(Math.min(...bench));
  });

  it('plans valid classes, clutter that fits the context, and honours a forced anchor', () => {
    for (let i = 0; i < 200; i++) {
      const plan = sampleScenePlan(new SeededRandom(1, 'valid', i), 'benchmark', 1 + (i % 20));
      expect(plan.classes).toContain(1 + (i % 20));
      for (const c of plan.classes) expect(classById(c).id).toBe(c);
      for (const k of [...plan.clutterBehind, ...plan.clutterFront]) {
        expect(CLUTTER_KINDS.find((x) => x.name === k)!.contexts).toContain(plan.context);
      }
    }
  });

  it('has a co-occurrence row for every class naming only known classes', () => {
    const names = new Set(WORLD_CLASSES.map((c) => c.name));
    for (const c of WORLD_CLASSES) {
      const row = CO_OCCURRENCE[c.name];
      expect(row).toBeDefined();
      for (const k of Object.keys(row!)) expect(names.has(k)).toBe(true);
    }
  });
});
