import { SeededRandom } from '@fmwiss/random';
import { FailedPreconditionError } from '@fmwiss/service-kit';

/** A stored instance as the sampler sees it. */
export interface SampleCandidate {
  classId: number;
  instanceId: string;
}

export type SampleWeighting = 'class-uniform' | 'instance-uniform';

export interface SamplePlan {
  /** Candidates in a canonical order (by class, then slot): the draws index into it. */
  candidates: readonly SampleCandidate[];
  count: number;
  seed: number;
  weighting: SampleWeighting;
  withoutReplacement: boolean;
}

/**
 * Chooses `count` instance ids from the candidates, deterministically for a given candidate list,
 * count, seed and mode. Class-uniform draws pick a class uniformly among the classes that still have
 * instances, then one of its instances; instance-uniform draws pick among all instances.
 */
export function planDraws(plan: SamplePlan): string[] {
  const { candidates, count, seed, weighting, withoutReplacement } = plan;
  if (candidates.length === 0) {
    throw new FailedPreconditionError('the requested classes hold no instances yet');
  }
  if (withoutReplacement && count > candidates.length) {
    throw new FailedPreconditionError(
      `requested ${count} instances without replacement, but the requested classes hold only ${candidates.length}`,
    );
  }
  const random = new SeededRandom(seed, 'sample', weighting, withoutReplacement ? 'once' : 'again');
  const byClass = groupByClass(candidates);
  const draws: string[] = [];
  for (let i = 0; i < count; i++) {
    const pool = weighting === 'class-uniform' ? pickNonEmptyClass(byClass, random) : allRemaining(byClass);
    const k = random.int(pool.length);
    draws.push(pool[k]!.instanceId);
    if (withoutReplacement) removeCandidate(byClass, pool[k]!);
  }
  return draws;
}

function groupByClass(candidates: readonly SampleCandidate[]): Map<number, SampleCandidate[]> {
  const byClass = new Map<number, SampleCandidate[]>();
  for (const c of candidates) {
    const list = byClass.get(c.classId) ?? [];
    list.push(c);
    byClass.set(c.classId, list);
  }
  return new Map([...byClass.entries()].sort(([a], [b]) => a - b));
}

function pickNonEmptyClass(byClass: Map<number, SampleCandidate[]>, random: SeededRandom): SampleCandidate[] {
  const classes = [...byClass.values()].filter((list) => list.length > 0);
  return classes[random.int(classes.length)]!;
}

function allRemaining(byClass: Map<number, SampleCandidate[]>): SampleCandidate[] {
  return [...byClass.values()].flat();
}

function removeCandidate(byClass: Map<number, SampleCandidate[]>, candidate: SampleCandidate): void {
  const list = byClass.get(candidate.classId)!;
  list.splice(list.indexOf(candidate), 1);
}
