/**
 * A seeded pseudo-random generator: sfc32 (Chris Doty-Humphrey's small fast counter, 128-bit state),
 * its state derived by hashing the seed and a key with cyrb128. The same seed and key give the same
 * sequence on every platform, which makes every random choice in fmwiss reproducible and lets
 * independent choices use independent streams (`new SeededRandom(seed, 'reservoir', classId, n)`).
 */
export type SeedPart = string | number | bigint;

export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: SeedPart, ...key: SeedPart[]) {
    [this.a, this.b, this.c, this.d] = cyrb128([seed, ...key].map(String).join('\u241f'));
    // Discard the first outputs: sfc32 needs a few rounds to mix a hashed state.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A uniform integer in [0, 2^32). */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform float in [0, 1) with 53 random bits. */
  next(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** A uniform integer in [0, n) for 1 <= n <= 2^53. */
  int(n: number): number {
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`int(n) needs a positive safe integer, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }
}

/** cyrb128: a 128-bit string hash (public domain, bryc), used only to seed the generator. */
function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}
