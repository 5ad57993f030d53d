// The quick sanity figure of a mini-DINO run, without labels in training: for each held-out image,
// does its nearest training image (cosine of the teacher's class-token features) show one of the
// same objects? Compared with chance (a random training image) and with the untrained network.

export interface NeighbourFigures {
  queries: number;
  bank: number;
  /** Share of queries whose nearest bank image has at least one object in common. */
  sharesObject: number;
  /** Share of queries whose nearest bank image has exactly the same object set. */
  sameObjects: number;
  /** The expected share for a random bank image. */
  chanceSharesObject: number;
}

function normalizeRows(x: Float32Array, d: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i += d) {
    let s = 0;
    for (let k = 0; k < d; k++) s += x[i + k]! ** 2;
    const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
    for (let k = 0; k < d; k++) out[i + k] = x[i + k]! * inv;
  }
  return out;
}

/** Nearest-neighbour object agreement of `query` [Q,d] against `bank` [N,d] (cosine). */
export function neighbourAgreement(query: Float32Array, bank: Float32Array, d: number, queryObjects: readonly (readonly string[])[], bankObjects: readonly (readonly string[])[]): NeighbourFigures {
  const q = normalizeRows(query, d);
  const b = normalizeRows(bank, d);
  const Q = query.length / d;
  const N = bank.length / d;
  let shares = 0;
  let same = 0;
  let chance = 0;
  const setOf = (objects: readonly string[]) => new Set(objects);
  const bankSets = bankObjects.map(setOf);
  for (let i = 0; i < Q; i++) {
    let best = -1;
    let bestScore = -Infinity;
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += q[i * d + k]! * b[j * d + k]!;
      if (s > bestScore) [best, bestScore] = [j, s];
    }
    const mine = setOf(queryObjects[i]!);
    const theirs = bankSets[best]!;
    if ([...mine].some((o) => theirs.has(o))) shares++;
    if (mine.size === theirs.size && [...mine].every((o) => theirs.has(o))) same++;
    chance += bankSets.filter((set) => [...mine].some((o) => set.has(o))).length / N;
  }
  return { queries: Q, bank: N, sharesObject: shares / Q, sameObjects: same / Q, chanceSharesObject: chance / Q };
}
