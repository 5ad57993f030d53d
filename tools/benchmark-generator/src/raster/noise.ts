/** Integer-hash noise: deterministic, allocation-free, the same on every platform. */

/** A uniform value in [0, 1) for integer lattice point (x, y) and a 32-bit seed. */
export function hash2(x: number, y: number, seed: number): number {
  let h = Math.imul(x | 0, 0x27d4eb2d) ^ Math.imul(y | 0, 0x165667b1) ^ seed;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** Smooth value noise in [0, 1): bilinear interpolation of lattice hashes with a smoothstep. */
export function valueNoise(x: number, y: number, seed: number): number {
  const ix = Math.floor(x);
  const iy = Math.floor(y);
  let fx = x - ix;
  let fy = y - iy;
  fx = fx * fx * (3 - 2 * fx);
  fy = fy * fy * (3 - 2 * fy);
  const a = hash2(ix, iy, seed);
  const b = hash2(ix + 1, iy, seed);
  const c = hash2(ix, iy + 1, seed);
  const d = hash2(ix + 1, iy + 1, seed);
  return a + (b - a) * fx + (c - a) * fy + (a - b - c + d) * fx * fy;
}

/** Fractal sum of `octaves` value-noise layers, normalised to [0, 1). */
export function fbm(x: number, y: number, seed: number, octaves: number): number {
  let sum = 0;
  let amp = 1;
  let norm = 0;
  let f = 1;
  for (let o = 0; o < octaves; o++) {
    sum += amp * valueNoise(x * f, y * f, seed + o * 1013);
    norm += amp;
    amp *= 0.5;
    f *= 2;
  }
  return sum / norm;
}

/**
 * fbm sampled on a whole pixel grid ([H,W], values in [0, 1)): the same value-noise construction as
 * `fbm`, but the lattice of each octave is hashed once and pixels only interpolate, so it costs a few
 * multiplies per pixel. `freq` is in cycles per `side` pixels.
 */
export function fbmField(width: number, height: number, side: number, freq: number, seed: number, octaves: number): Float32Array {
  const out = new Float32Array(width * height);
  const ix = new Int32Array(width);
  const fx = new Float32Array(width);
  let amp = 1;
  let norm = 0;
  let f = freq;
  for (let o = 0; o < octaves; o++) {
    const octaveSeed = seed + o * 1013;
    const gw = Math.ceil((width * f) / side) + 2;
    const gh = Math.ceil((height * f) / side) + 2;
    const lattice = new Float32Array(gw * gh);
    for (let y = 0; y < gh; y++) for (let x = 0; x < gw; x++) lattice[y * gw + x] = hash2(x, y, octaveSeed);
    for (let x = 0; x < width; x++) {
      const p = ((x + 0.5) * f) / side;
      ix[x] = Math.floor(p);
      const t = p - ix[x]!;
      fx[x] = t * t * (3 - 2 * t);
    }
    for (let y = 0; y < height; y++) {
      const p = ((y + 0.5) * f) / side;
      const iy = Math.floor(p);
      let ty = p - iy;
      ty = ty * ty * (3 - 2 * ty);
      const row0 = iy * gw;
      const row1 = row0 + gw;
      const o0 = y * width;
      for (let x = 0; x < width; x++) {
        const i = ix[x]!;
        const tx = fx[x]!;
        const a = lattice[row0 + i]!;
        const b = lattice[row0 + i + 1]!;
        const c = lattice[row1 + i]!;
        const d = lattice[row1 + i + 1]!;
        const top = a + (b - a) * tx;
        const bottom = c + (d - c) * tx;
        out[o0 + x] = out[o0 + x]! + amp * (top + (bottom - top) * ty);
      }
    }
    norm += amp;
    amp *= 0.5;
    f *= 2;
  }
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / norm;
  return out;
}
