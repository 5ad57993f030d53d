// The onnx backend on real ONNX files written by @fmwiss/onnx-format, run by onnxruntime-node on
// worker threads; and the same model served through startKServeServer and read back with the
// kserve backend, which must give the same metadata and the same numbers.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { GraphBuilder, writeModel, writeModelFile } from '@fmwiss/onnx-format';
import { CancelledError, ResourceExhaustedError } from '@fmwiss/service-kit';

import type { ModelBackend } from '../backend';
import { ModelInputError, ModelLoadError } from '../errors';
import { describeModelBackend } from '../describe';
import { openKServeModel } from '../kserve';
import { startKServeServer } from '../kserve/kserve-server';
import { openModel } from '../open-model';
import { hostTensor } from '../tensor';
import { openOnnxModel } from './onnx-backend';

const PROPERTIES = { 'fmwiss.contract': 'test/1', 'fmwiss.note': 'y = 2x + 1' };

/** y [B,3] = 2x + 1, and rounded [B,3] int64 = Cast(y) (truncation toward zero). */
function affineModel(): Uint8Array {
  const g = new GraphBuilder('affine');
  const x = g.input('x', 'float32', ['B', 3]);
  const two = g.initializer('two', Float32Array.of(2), []);
  const one = g.initializer('one', Float32Array.of(1), []);
  const y = g.node('Add', [g.node('Mul', [x, two]), one]);
  g.output(y, 'y', 'float32', ['B', 3]);
  g.output(g.node('Cast', [y], { to: 7 }), 'rounded', 'int64', ['B', 3]);
  return writeModel(g, { metadata: PROPERTIES, producer: { name: 'fmwiss-test' } });
}

/** A model that takes a while: `rounds` chained 512x512 MatMuls on x [1,512]. */
function slowModel(rounds: number): Uint8Array {
  const g = new GraphBuilder('slow');
  let value = g.input('x', 'float32', [64, 512]);
  const weights = new Float32Array(512 * 512).map((_, i) => ((i * 7919) % 1000) / 512000);
  const w = g.initializer('w', weights, [512, 512]);
  for (let round = 0; round < rounds; round++) value = g.node('MatMul', [value, w]);
  g.output(value, 'y', 'float32', [64, 512]);
  return writeModel(g);
}

let dir: string;
let affinePath: string;
let slowPath: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'fmwiss-onnx-'));
  affinePath = path.join(dir, 'affine.onnx');
  slowPath = path.join(dir, 'slow.onnx');
  await writeFile(affinePath, affineModel());
  await writeFile(slowPath, slowModel(200));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('openOnnxModel', () => {
  it('reads the declared tensors and metadata_props, and runs the model on a worker', async () => {
    const model = await openModel(`onnx:${affinePath}`);
    try {
      const meta = model.metadata();
      expect(meta).toMatchObject({ name: 'affine', backend: 'onnx', uri: `onnx:${affinePath}`, properties: PROPERTIES, resourceDir: dir });
      expect(meta.fileSha256).toBe(createHash('sha256').update(await readFile(affinePath)).digest('hex'));
      expect(describeModelBackend(model).metadata['file.sha256']).toBe(meta.fileSha256);
      expect(meta.inputs).toEqual([{ name: 'x', dtype: 'float32', shape: [null, 3] }]);
      expect(meta.outputs).toEqual([
        { name: 'y', dtype: 'float32', shape: [null, 3] },
        { name: 'rounded', dtype: 'int64', shape: [null, 3] },
      ]);
      const x = hostTensor('float32', [2, 3], Float32Array.of(0, 1, -1.75, 0.5, 2, 3));
      const out = await model.infer({ x });
      expect(out.y).toEqual({ dtype: 'float32', shape: [2, 3], data: Float32Array.of(1, 3, -2.5, 2, 5, 7) });
      expect(out.rounded).toEqual({ dtype: 'int64', shape: [2, 3], data: BigInt64Array.of(1n, 3n, -2n, 2n, 5n, 7n) });
      const only = await model.infer({ x }, { outputs: ['rounded'] });
      expect(Object.keys(only)).toEqual(['rounded']);
    } finally {
      await model.dispose();
      await model.dispose();
    }
  });

  it('refuses a missing file, a file that is no model, and an unknown URI scheme', async () => {
    await expect(openModel(`onnx:${path.join(dir, 'nope.onnx')}`)).rejects.toThrow(/ONNX model file not found: .*nope\.onnx/);
    const junk = path.join(dir, 'junk.onnx');
    await writeFile(junk, 'this is not a model');
    await expect(openOnnxModel(junk)).rejects.toBeInstanceOf(ModelLoadError);
    await expect(openOnnxModel(junk)).rejects.toThrow(/junk\.onnx .*is not a readable ONNX model/);
    await expect(openModel('tf:/x')).rejects.toThrow(/unknown scheme; expected one of onnx: kserve:\/\/ kserve\+tls:\/\//);
    await expect(openModel('onnx:')).rejects.toThrow(/names no file/);
    await expect(openOnnxModel(affinePath, { workers: 0 })).rejects.toThrow(/workers must be an integer >= 1/);
  });

  it('refuses inputs that do not match the declared specs, and unknown outputs, before running', async () => {
    const model = await openOnnxModel(affinePath);
    try {
      await expect(model.infer({ x: hostTensor('float32', [2, 4], new Float32Array(8)) })).rejects.toBeInstanceOf(ModelInputError);
      await expect(model.infer({ x: hostTensor('float32', [2, 4], new Float32Array(8)) })).rejects.toThrow(/x/);
      await expect(model.infer({ x: hostTensor('int32', [1, 3], new Int32Array(3)) })).rejects.toThrow(/int32/);
      await expect(model.infer({})).rejects.toThrow(/x/);
      await expect(model.infer({ x: hostTensor('float32', [1, 3], new Float32Array(3)) }, { outputs: ['z'] })).rejects.toBeInstanceOf(ModelInputError);
    } finally {
      await model.dispose();
    }
  });

  it('keeps the event loop free while a model runs, and runs calls on several workers at once', async () => {
    const model = await openOnnxModel(slowPath, { workers: 2 });
    try {
      const x = hostTensor('float32', [64, 512], new Float32Array(64 * 512).fill(0.01));
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      const started = performance.now();
      const [a, b] = await Promise.all([model.infer({ x }), model.infer({ x })]);
      const elapsed = performance.now() - started;
      clearInterval(timer);
      expect(a.y!.data).toEqual(b.y!.data);
      // A blocked event loop would fire the 5 ms timer at most once or twice during the run.
      expect(ticks).toBeGreaterThan(Math.min(10, elapsed / 5 / 4));
    } finally {
      await model.dispose();
    }
  });

  it('cancels queued and running calls through an AbortSignal, refuses calls beyond the queue, and recovers', async () => {
    const model = await openOnnxModel(slowPath, { workers: 1, maxQueue: 1 });
    try {
      const x = hostTensor('float32', [64, 512], new Float32Array(64 * 512).fill(0.01));
      const running = new AbortController();
      const first = model.infer({ x }, { signal: running.signal });
      const queued = new AbortController();
      const second = model.infer({ x }, { signal: queued.signal });
      await expect(model.infer({ x })).rejects.toBeInstanceOf(ResourceExhaustedError);
      queued.abort();
      running.abort(new Error('client went away'));
      await expect(first).rejects.toThrow(/inference cancelled: client went away/);
      await expect(second).rejects.toBeInstanceOf(CancelledError);
      const again = await model.infer({ x });
      expect(again.y!.shape).toEqual([64, 512]);
    } finally {
      await model.dispose();
    }
    await expect(model.infer({ x: hostTensor('float32', [64, 512], new Float32Array(64 * 512)) })).rejects.toThrow(/disposed/);
  });
});

describe('kserve versus onnx', () => {
  it('serves an ONNX model through the KServe protocol with the same metadata and the same numbers', async () => {
    const local = await openOnnxModel(affinePath);
    const server = await startKServeServer({ models: new Map<string, ModelBackend>([['affine', local]]) });
    const propertiesPath = path.join(dir, 'affine.properties.json');
    await writeFile(propertiesPath, JSON.stringify(PROPERTIES));
    const remote = await openKServeModel(`kserve://${server.address}/affine?properties=${propertiesPath}`);
    try {
      const { uri: _l, backend: _lb, resourceDir: _lr, fileSha256: _ls, ...localMeta } = local.metadata();
      const { uri: _r, backend: rb, resourceDir: _rr, ...remoteMeta } = remote.metadata();
      expect(rb).toBe('kserve');
      expect(remoteMeta).toEqual(localMeta);
      for (const batch of [1, 3]) {
        const x = hostTensor('float32', [batch, 3], Float32Array.from({ length: batch * 3 }, (_, i) => Math.sin(i) * 10));
        expect(await remote.infer({ x })).toEqual(await local.infer({ x }));
      }
      const bad = { x: hostTensor('float32', [1, 2], new Float32Array(2)) };
      const localError = await local.infer(bad).catch((error: Error) => error);
      const remoteError = await remote.infer(bad).catch((error: Error) => error);
      expect(localError).toBeInstanceOf(ModelInputError);
      expect(remoteError).toBeInstanceOf(ModelInputError);
      expect(remoteError.message).toBe(localError.message);
    } finally {
      await remote.dispose();
      await server.shutdown();
      await local.dispose();
    }
  });
});

describe('writeModelFile output', () => {
  it('opens what onnx-format writes to disk', async () => {
    const file = path.join(dir, 'written.onnx');
    const g = new GraphBuilder('neg');
    g.output(g.node('Neg', [g.input('a', 'float32', [2])]), 'b', 'float32', [2]);
    await writeModelFile(file, g);
    const model = await openOnnxModel(file);
    expect((await model.infer({ a: hostTensor('float32', [2], Float32Array.of(1, -2)) })).b!.data).toEqual(Float32Array.of(-1, 2));
    await model.dispose();
  });
});
