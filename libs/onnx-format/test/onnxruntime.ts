// Test support: run a model's bytes in onnxruntime-node (CPU, in-process) and compare its outputs
// with a plain-JS reference.
import * as ort from 'onnxruntime-node';

import type { Ref } from './reference';

/** Inputs by name: an onnxruntime tensor, or a reference tensor fed as float32. */
export type Feeds = Record<string, ort.Tensor | Ref>;

/** Runs `bytes` once per feed set on one session (so dynamic dims are exercised) and releases it. */
export async function runModel(bytes: Uint8Array, ...feedSets: Feeds[]): Promise<Record<string, ort.Tensor>[]> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], logSeverityLevel: 3, intraOpNumThreads: 1 });
  try {
    const results: Record<string, ort.Tensor>[] = [];
    for (const feeds of feedSets) {
      const tensors = Object.fromEntries(Object.entries(feeds).map(([name, value]) => [name, isOrtTensor(value) ? value : toOrt(value)]));
      results.push((await session.run(tensors)) as Record<string, ort.Tensor>);
    }
    return results;
  } finally {
    await session.release();
  }
}

/** Runs one feed set and returns the outputs. */
export async function runOnce(bytes: Uint8Array, feeds: Feeds): Promise<Record<string, ort.Tensor>> {
  return (await runModel(bytes, feeds))[0];
}

/** Opens a session only to read what onnxruntime reports about the model's inputs and outputs. */
export async function sessionSignature(bytes: Uint8Array) {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  try {
    return { inputs: session.inputMetadata, outputs: session.outputMetadata };
  } finally {
    await session.release();
  }
}

function isOrtTensor(value: ort.Tensor | Ref): value is ort.Tensor {
  return value instanceof ort.Tensor;
}

export function toOrt(ref: Ref): ort.Tensor {
  return new ort.Tensor('float32', Float32Array.from(ref.data), ref.dims);
}

/** A float32 output against the reference: same dims, max |difference| within `tolerance`. */
export function expectClose(actual: ort.Tensor, expected: Ref, tolerance = 1e-5): void {
  expect(actual.type).toBe('float32');
  expect([...actual.dims]).toEqual(expected.dims);
  expect(maxAbsDiff(actual.data as Float32Array, expected.data)).toBeLessThanOrEqual(tolerance);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const diff = Math.abs(a[i] - b[i]);
    if (!(diff <= max)) max = Number.isNaN(diff) ? Infinity : diff;
  }
  return max;
}

/** int64 elements for initializers and feeds. */
export function int64s(values: readonly number[]): BigInt64Array {
  return BigInt64Array.from(values, (value) => BigInt(value));
}
