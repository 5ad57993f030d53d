/**
 * Helpers for wasm-vs-cpu parity tests: seeded data, running one computation on each backend from
 * the same host arrays, and a robust relative error.
 */
import * as tf from '@tensorflow/tfjs';

/** mulberry32: small seeded PRNG, enough for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomArray(rand: () => number, size: number, scale = 1): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (rand() * 2 - 1) * scale;
  return out;
}

export function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)];
}

export function intIn(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

/** max|a-b| / max(1e-6, max|b|): one number per tensor, b is the reference. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / Math.max(1e-6, scale);
}

export interface HostTensor {
  shape: number[];
  values: Float32Array | Int32Array;
}

/** Runs `fn` on `backend` with fresh tensors built from `inputs`; returns every output's shape and values. */
export async function runOn(
  backend: 'wasm' | 'cpu',
  inputs: HostTensor[],
  fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
): Promise<HostTensor[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const xs = inputs.map((t) => tf.tensor(t.values, t.shape, t.values instanceof Int32Array ? 'int32' : 'float32'));
    const out = fn(...xs);
    return (Array.isArray(out) ? out : [out]).map((t) => ({ shape: t.shape.slice(), values: t.dataSync() as Float32Array }));
  });
}

export interface Comparison {
  errors: number[];
  max: number;
}

/** The same computation on wasm and cpu: shapes must match, returns the per-output relative errors. */
export async function compareBackends(
  inputs: HostTensor[],
  fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
): Promise<Comparison> {
  const wasm = await runOn('wasm', inputs, fn);
  const cpu = await runOn('cpu', inputs, fn);
  const errors = wasm.map((w, i) => {
    expect(w.shape).toEqual(cpu[i].shape);
    return relativeError(w.values, cpu[i].values);
  });
  return { errors, max: Math.max(...errors) };
}

export function host(values: Float32Array | Int32Array, shape: number[]): HostTensor {
  return { values, shape };
}

/** Largest error seen per test file, printed once at the end (for the report). */
export class ErrorLog {
  private readonly worst = new Map<string, number>();
  record(label: string, error: number): void {
    this.worst.set(label, Math.max(error, this.worst.get(label) ?? 0));
  }
  summary(): string {
    return [...this.worst.entries()].map(([k, v]) => `${k}: ${v.toExponential(2)}`).join('\n');
  }
}
