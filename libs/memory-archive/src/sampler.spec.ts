import { FailedPreconditionError } from '@fmwiss/service-kit';
import { planDraws, type SampleCandidate } from './sampler';

const candidates: SampleCandidate[] = [
  ...Array.from({ length: 30 }, (_, i) => ({ classId: 1, instanceId: `1-${i}` })),
  ...Array.from({ length: 2 }, (_, i) => ({ classId: 2, instanceId: `2-${i}` })),
];

describe('planDraws', () => {
  it('is deterministic for a given seed and changes with it', () => {
    const plan = { candidates, count: 20, weighting: 'class-uniform' as const, withoutReplacement: false };
    expect(planDraws({ ...plan, seed: 5 })).toEqual(planDraws({ ...plan, seed: 5 }));
    expect(planDraws({ ...plan, seed: 5 })).not.toEqual(planDraws({ ...plan, seed: 6 }));
  });

  it('class-uniform draws pick each class about equally often, however unequal their sizes', () => {
    const draws = planDraws({ candidates, count: 4000, seed: 1, weighting: 'class-uniform', withoutReplacement: false });
    const rare = draws.filter((id) => id.startsWith('2-')).length;
    expect(rare / draws.length).toBeGreaterThan(0.45);
    expect(rare / draws.length).toBeLessThan(0.55);
  });

  it('instance-uniform draws follow the classes sizes', () => {
    const draws = planDraws({ candidates, count: 4000, seed: 1, weighting: 'instance-uniform', withoutReplacement: false });
    const rare = draws.filter((id) => id.startsWith('2-')).length / draws.length;
    expect(rare).toBeGreaterThan(0.03);
    expect(rare).toBeLessThan(0.1);
  });

  it('without replacement returns distinct instances, all of them when count equals the total', () => {
    const draws = planDraws({ candidates, count: 32, seed: 2, weighting: 'class-uniform', withoutReplacement: true });
    expect(new Set(draws).size).toBe(32);
  });

  it('refuses more draws without replacement than there are instances, and an empty archive', () => {
    expect(() => planDraws({ candidates, count: 33, seed: 2, weighting: 'class-uniform', withoutReplacement: true })).toThrow(
      FailedPreconditionError,
    );
    expect(() => planDraws({ candidates: [], count: 1, seed: 2, weighting: 'class-uniform', withoutReplacement: false })).toThrow(
      /hold no instances/,
    );
  });
});
