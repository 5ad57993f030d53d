import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CheckpointError } from '../errors';
import { loadCheckpoint, verifyCheckpoint } from './load';
import type { CheckpointManifest } from './manifest';
import { saveCheckpoint } from './save';

beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  await tf.setBackend('cpu');
});

let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(join(tmpdir(), 'fmwiss-ckpt-'));
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/** Float32 values whose bits a lossy path would change: NaN payload, -0, infinities, subnormals. */
function trickyFloats(): Float32Array {
  const values = new Float32Array([0.1, -0, Infinity, -Infinity, 1.4e-45, 3.4028234663852886e38, 1 / 3, -7.25]);
  new Uint32Array(values.buffer)[7] = 0x7fc01234; // a NaN with a payload
  return values;
}

function sample(): { weights: Map<string, tf.Tensor>; optimizerState: Map<string, tf.Tensor> } {
  const weights = new Map<string, tf.Tensor>([
    ['student/head/kernel', tf.tensor4d(trickyFloats(), [1, 1, 4, 2])],
    ['student/head/bias', tf.tensor1d([1, 2])],
    ['step', tf.tensor1d([-2147483648, 2147483647, 0], 'int32')],
    ['scalar', tf.scalar(42)],
    ['empty', tf.zeros([0, 3])],
  ]);
  const optimizerState = new Map<string, tf.Tensor>([
    ['student/head/kernel', tf.fill([1, 1, 4, 2], 0.5)],
    ['student/head/bias', tf.tensor1d([-1e-30, 1e30])],
  ]);
  return { weights, optimizerState };
}

const bits = (t: tf.Tensor): Buffer => {
  const data = t.dataSync() as Float32Array | Int32Array;
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
};

function disposeAll(...maps: (Map<string, tf.Tensor> | undefined)[]): void {
  for (const map of maps) for (const t of map?.values() ?? []) t.dispose();
}

async function saved(name = 'ckpt', withOptimizer = true): Promise<string> {
  const { weights, optimizerState } = sample();
  const dir = join(root, name);
  await saveCheckpoint(dir, {
    weights,
    optimizerState: withOptimizer ? optimizerState : undefined,
    metadata: { epoch: 3 },
  });
  disposeAll(weights, optimizerState);
  return dir;
}

async function expectRefused(dir: string, pattern: RegExp, code: string, expect_?: Parameters<typeof loadCheckpoint>[1]) {
  const before = tf.memory().numTensors;
  const error = await loadCheckpoint(dir, expect_).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CheckpointError);
  expect((error as CheckpointError).message).toMatch(pattern);
  expect((error as CheckpointError).code).toBe(code);
  expect(tf.memory().numTensors).toBe(before);
}

async function editManifest(dir: string, edit: (manifest: CheckpointManifest) => void): Promise<void> {
  const path = join(dir, 'manifest.json');
  const manifest = JSON.parse(await fs.readFile(path, 'utf8')) as CheckpointManifest;
  edit(manifest);
  await fs.writeFile(path, JSON.stringify(manifest));
}

describe('saveCheckpoint / loadCheckpoint', () => {
  it('round-trips weights, optimizer state and metadata bitwise', async () => {
    const { weights, optimizerState } = sample();
    const metadata = { step: 1200, epoch: 3, classes: [0, 1, 2], config: { lr: 1e-3, name: '15-5' }, seed: 7, note: null };
    const before = tf.memory().numTensors;
    const { path, manifest } = await saveCheckpoint(join(root, 'ckpt'), { weights, optimizerState, metadata });
    expect(tf.memory().numTensors).toBe(before); // saving allocates nothing and disposes nothing
    expect(path).toBe(join(root, 'ckpt'));
    expect(manifest.metadata).toEqual(metadata);

    const loaded = await loadCheckpoint(path);
    expect(tf.memory().numTensors).toBe(before + weights.size + optimizerState.size);
    expect([...loaded.weights.keys()]).toEqual([...weights.keys()]);
    for (const [name, tensor] of weights) {
      const back = loaded.weights.get(name) as tf.Tensor;
      expect(back.dtype).toBe(tensor.dtype);
      expect(back.shape).toEqual(tensor.shape);
      expect(bits(back).equals(bits(tensor))).toBe(true);
    }
    for (const [name, tensor] of optimizerState) {
      expect(bits(loaded.optimizerState?.get(name) as tf.Tensor).equals(bits(tensor))).toBe(true);
    }
    expect(loaded.metadata).toEqual(metadata);
    disposeAll(loaded.weights, loaded.optimizerState, weights, optimizerState);
  });

  it('writes the documented layout: binary files with checksums, tensor table, metadata', async () => {
    const { weights, optimizerState } = sample();
    const dir = join(root, 'ckpt');
    const createdAt = new Date('2024-05-01T12:00:00Z');
    await saveCheckpoint(dir, { weights, optimizerState, metadata: { epoch: 1 } }, { now: () => createdAt });
    disposeAll(weights, optimizerState);
    expect((await fs.readdir(dir)).sort()).toEqual(['manifest.json', 'optimizer.bin', 'weights.bin']);
    expect((await fs.readdir(root)).sort()).toEqual(['ckpt']); // no temporary left
    const manifest = JSON.parse(await fs.readFile(join(dir, 'manifest.json'), 'utf8')) as CheckpointManifest;
    expect(manifest).toMatchObject({ format: 'fmwiss-checkpoint', version: 1, createdAt: '2024-05-01T12:00:00.000Z' });
    for (const [file, entry] of Object.entries(manifest.files)) {
      const bytes = await fs.readFile(join(dir, file));
      expect(entry.bytes).toBe(bytes.length);
      expect(entry.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    expect(manifest.tensors[0]).toEqual({
      name: 'student/head/kernel',
      group: 'weights',
      file: 'weights.bin',
      dtype: 'float32',
      shape: [1, 1, 4, 2],
      offset: 0,
      length: 32,
    });
    expect(manifest.tensors[1]).toMatchObject({ name: 'student/head/bias', offset: 32, length: 8 });
    // little-endian on disk: the bias [1, 2] as float32 LE
    const weightsBin = await fs.readFile(join(dir, 'weights.bin'));
    expect(weightsBin.readFloatLE(32)).toBe(1);
    expect(weightsBin.readFloatLE(36)).toBe(2);
    expect(weightsBin.readInt32LE(40)).toBe(-2147483648);
    expect(await verifyCheckpoint(dir)).toEqual(manifest);
  });

  it('without optimizer state writes no optimizer.bin and loads optimizerState as undefined', async () => {
    const dir = await saved('ckpt', false);
    expect(await fs.readdir(dir)).not.toContain('optimizer.bin');
    const loaded = await loadCheckpoint(dir);
    expect(loaded.optimizerState).toBeUndefined();
    disposeAll(loaded.weights);
  });

  it('refuses a corrupted byte with a checksum error', async () => {
    const dir = await saved();
    const path = join(dir, 'weights.bin');
    const bytes = await fs.readFile(path);
    bytes[5] = (bytes[5] as number) ^ 0x01;
    await fs.writeFile(path, bytes);
    await expectRefused(dir, /checksum mismatch in weights\.bin/, 'checksum-mismatch');
  });

  it('refuses a truncated file, and one with extra bytes, naming the difference', async () => {
    const dir = await saved();
    const path = join(dir, 'weights.bin');
    const bytes = await fs.readFile(path);
    await fs.writeFile(path, bytes.subarray(0, bytes.length - 8));
    await expectRefused(dir, /manifest lists 5 tensors \(56 bytes\) but weights\.bin is 8 bytes short/, 'size-mismatch');
    await fs.writeFile(path, Buffer.concat([bytes, Buffer.alloc(3)]));
    await expectRefused(dir, /weights\.bin has 3 extra bytes/, 'size-mismatch');
  });

  it('refuses a checkpoint with a missing file, after the weights verified fine', async () => {
    const dir = await saved();
    await fs.rm(join(dir, 'optimizer.bin'));
    await expectRefused(dir, /missing file optimizer\.bin/, 'missing-file');
  });

  it('refuses a tampered manifest (wrong shape) without allocating a tensor', async () => {
    const dir = await saved();
    // A shape whose size disagrees with the byte length: the manifest is inconsistent.
    await editManifest(dir, (m) => {
      (m.tensors[0] as { shape: number[] }).shape = [1, 1, 4, 3];
    });
    await expectRefused(dir, /student\/head\/kernel \(weights\) has shape \[1,1,4,3\] \(48 bytes\) but length 32/, 'invalid-manifest');
    // A shape of the same size passes the manifest checks; the caller's expectation catches it.
    await editManifest(dir, (m) => {
      (m.tensors[0] as { shape: number[] }).shape = [1, 1, 8, 1];
    });
    await expectRefused(dir, /tensor student\/head\/kernel has shape \[1,1,8,1\], expected \[1,1,4,2\]/, 'shape-mismatch', {
      expect: { shapes: { 'student/head/kernel': [1, 1, 4, 2] } },
    });
  });

  it('checks the expected tensor names and shapes', async () => {
    const dir = await saved();
    await expectRefused(dir, /missing student\/aux\/kernel; unexpected empty/, 'unexpected-tensors', {
      expect: { tensorNames: ['student/head/kernel', 'student/head/bias', 'step', 'scalar', 'student/aux/kernel'] },
    });
    await expectRefused(dir, /tensor student\/head\/kernel has shape \[1,1,4,2\], expected \[1,1,4,3\]/, 'shape-mismatch', {
      expect: { shapes: { 'student/head/kernel': [1, 1, 4, 3] } },
    });
    const loaded = await loadCheckpoint(dir, {
      expect: {
        tensorNames: ['scalar', 'step', 'empty', 'student/head/bias', 'student/head/kernel'],
        shapes: { scalar: [], empty: [0, 3] },
      },
    });
    disposeAll(loaded.weights, loaded.optimizerState);
  });

  it('refuses unsupported versions, foreign formats, broken JSON and unsafe file names', async () => {
    const dir = await saved();
    const original = await fs.readFile(join(dir, 'manifest.json'), 'utf8');
    await editManifest(dir, (m) => {
      (m as { version: number }).version = 3;
    });
    await expectRefused(dir, /unsupported checkpoint format version 3/, 'unsupported-version');
    await editManifest(dir, (m) => {
      (m as { version: number }).version = 1;
      (m as { format: string }).format = 'something-else';
    });
    await expectRefused(dir, /format "something-else"/, 'unsupported-version');
    await fs.writeFile(join(dir, 'manifest.json'), original.slice(0, 100));
    await expectRefused(dir, /not valid JSON/, 'invalid-manifest');
    await fs.writeFile(join(dir, 'manifest.json'), original);
    await editManifest(dir, (m) => {
      m.files['../weights.bin'] = m.files['weights.bin'] as { bytes: number; sha256: string };
      delete m.files['weights.bin'];
      for (const t of m.tensors) if (t.file === 'weights.bin') t.file = '../weights.bin';
    });
    await expectRefused(dir, /not a plain file name/, 'invalid-manifest');
    await fs.writeFile(join(dir, 'manifest.json'), original);
    await editManifest(dir, (m) => {
      (m.tensors[1] as { offset: number }).offset = 36;
    });
    await expectRefused(dir, /starts at byte 36 of weights\.bin, expected 32/, 'invalid-manifest');
  });

  it('reports a missing checkpoint or manifest as not-found', async () => {
    await expectRefused(join(root, 'nothing'), /no checkpoint at/, 'not-found');
    await fs.mkdir(join(root, 'half'));
    await expectRefused(join(root, 'half'), /missing file manifest\.json/, 'not-found');
  });

  it('rejects what it cannot store before writing anything', async () => {
    const dir = join(root, 'ckpt');
    const flag = tf.tensor1d([1], 'bool');
    await expect(saveCheckpoint(dir, { weights: new Map([['flag', flag]]), metadata: {} })).rejects.toThrow(
      /flag has dtype bool/,
    );
    flag.dispose();
    const ok = new Map([['w', tf.tensor1d([1])]]);
    await expect(saveCheckpoint(dir, { weights: ok, metadata: { lr: Number.NaN } })).rejects.toThrow(/metadata\.lr is NaN/);
    await expect(saveCheckpoint(dir, { weights: ok, metadata: { when: new Date() } })).rejects.toThrow(
      /metadata\.when is not a plain object/,
    );
    await expect(saveCheckpoint(dir, { weights: ok, metadata: { f: undefined } })).rejects.toThrow(/metadata\.f is undefined/);
    disposeAll(ok);
    expect(await fs.readdir(root)).toEqual([]);
  });

  it('replaces an existing checkpoint and leaves no sibling folder', async () => {
    const dir = await saved();
    const weights = new Map([['w', tf.tensor1d([9])]]);
    await saveCheckpoint(dir, { weights, metadata: { epoch: 4 } });
    disposeAll(weights);
    expect(await fs.readdir(root)).toEqual(['ckpt']);
    const loaded = await loadCheckpoint(dir);
    expect(loaded.metadata).toEqual({ epoch: 4 });
    expect(Array.from((loaded.weights.get('w') as tf.Tensor).dataSync())).toEqual([9]);
    disposeAll(loaded.weights);
  });
});
