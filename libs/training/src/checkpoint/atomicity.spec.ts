import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CheckpointError } from '../errors';
import { type CheckpointFileSystem, nodeCheckpointFileSystem } from './file-system';
import { cleanStaleTemporaries, latestCheckpoint, listCheckpoints } from './list';
import { loadCheckpoint } from './load';
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

/** Saves a one-tensor checkpoint whose weight value and metadata identify it. */
async function save(name: string, tag: string, value: number, epoch: number, fileSystem?: CheckpointFileSystem) {
  const weights = new Map([['w', tf.tensor1d([value, value + 0.5])]]);
  const optimizerState = new Map([['w', tf.tensor1d([value * 2, 0])]]);
  try {
    return await saveCheckpoint(join(root, name), { weights, optimizerState, metadata: { tag, epoch, step: epoch * 10 } }, { fileSystem });
  } finally {
    for (const t of [...weights.values(), ...optimizerState.values()]) t.dispose();
  }
}

/** Loads `path` and returns its tag after checking that the values are exactly that version's. */
async function loadTag(path: string): Promise<string> {
  const loaded = await loadCheckpoint(path);
  const tag = loaded.metadata['tag'] as string;
  const value = tag === 'old' ? 1 : 2;
  expect(Array.from((loaded.weights.get('w') as tf.Tensor).dataSync())).toEqual([value, value + 0.5]);
  expect(Array.from((loaded.optimizerState?.get('w') as tf.Tensor).dataSync())).toEqual([value * 2, 0]);
  for (const t of [...loaded.weights.values(), ...(loaded.optimizerState?.values() ?? [])]) t.dispose();
  return tag;
}

/**
 * The real file system with one injected fault at operation number `at`: 'fail' makes that one
 * operation throw; 'crash' makes it and every later one throw, as if the process died there (no
 * cleanup runs), so the disk is left exactly as it was before operation `at`.
 */
function faulty(mode: 'fail' | 'crash', at: number): { fileSystem: CheckpointFileSystem; operations: () => number } {
  let count = 0;
  let dead = false;
  const guard =
    <A extends unknown[], R>(name: string, run: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const index = count++;
      if (dead || index === at) {
        if (mode === 'crash') dead = true;
        throw new Error(`injected ${mode} in ${name} (operation ${index})`);
      }
      return run(...args);
    };
  const real = nodeCheckpointFileSystem;
  return {
    fileSystem: {
      mkdir: guard('mkdir', real.mkdir),
      writeFileDurable: guard('writeFileDurable', real.writeFileDurable),
      syncDirectory: guard('syncDirectory', real.syncDirectory),
      rename: guard('rename', real.rename),
      removeTree: guard('removeTree', real.removeTree),
      exists: guard('exists', real.exists),
    },
    operations: () => count,
  };
}

describe('atomic replace', () => {
  it('a save that throws midway (failing writer) leaves the previous checkpoint intact and loadable', async () => {
    await save('ckpt', 'old', 1, 1);
    const failing: CheckpointFileSystem = {
      ...nodeCheckpointFileSystem,
      async writeFileDurable(path, data) {
        if (path.endsWith('manifest.json')) throw new Error('disk full');
        return nodeCheckpointFileSystem.writeFileDurable(path, data);
      },
    };
    const error = await save('ckpt', 'new', 2, 2, failing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).code).toBe('io');
    expect((error as CheckpointError).message).toMatch(/disk full/);
    expect(await loadTag(join(root, 'ckpt'))).toBe('old');
    expect(await fs.readdir(root)).toEqual(['ckpt']); // the temporary folder was removed
  });

  it('keeps the old or the new checkpoint complete when any single operation fails', async () => {
    let completed = false;
    for (let at = 0; !completed; at++) {
      await fs.rm(root, { recursive: true, force: true });
      await fs.mkdir(root);
      await save('ckpt', 'old', 1, 1);
      const { fileSystem, operations } = faulty('fail', at);
      const outcome = await save('ckpt', 'new', 2, 2, fileSystem).then(
        () => 'saved',
        (e: unknown) => e,
      );
      completed = operations() <= at; // the fault was never reached: a clean run
      if (outcome !== 'saved') expect(outcome).toBeInstanceOf(CheckpointError);
      const tag = await loadTag(join(root, 'ckpt')); // readable right away, without any recovery
      if (outcome === 'saved') expect(tag).toBe('new');
      await cleanStaleTemporaries(root);
      expect(await fs.readdir(root)).toEqual(['ckpt']);
      expect(await loadTag(join(root, 'ckpt'))).toBe(tag);
    }
  });

  it('leaves a recoverable old or new checkpoint after a crash at every step of a replace', async () => {
    let completed = false;
    const seen = new Set<string>();
    for (let at = 0; !completed; at++) {
      await fs.rm(root, { recursive: true, force: true });
      await fs.mkdir(root);
      await save('ckpt', 'old', 1, 1);
      const { fileSystem, operations } = faulty('crash', at);
      await save('ckpt', 'new', 2, 2, fileSystem).catch(() => undefined);
      completed = operations() <= at;
      // Straight after the crash, before any recovery: latestCheckpoint finds a complete one.
      const { latest } = await latestCheckpoint(root);
      expect(latest).not.toBeNull();
      const tag = await loadTag(latest?.path as string);
      seen.add(tag);
      // After recovery the checkpoint is back at its name, and no temporary is left.
      await cleanStaleTemporaries(root);
      expect(await fs.readdir(root)).toEqual(['ckpt']);
      expect(await loadTag(join(root, 'ckpt'))).toBe(tag);
    }
    expect(seen).toEqual(new Set(['old', 'new']));
  });
});

describe('listCheckpoints / latestCheckpoint / cleanStaleTemporaries', () => {
  it('lists checkpoints by epoch, not by name, and skips folders that are not checkpoints', async () => {
    await save('c', 'old', 1, 2);
    await save('a', 'old', 1, 10);
    await save('b', 'old', 1, 0);
    await fs.mkdir(join(root, 'notes'));
    await fs.writeFile(join(root, 'README'), 'not a folder');
    const { checkpoints, skipped } = await listCheckpoints(root);
    expect(checkpoints.map((c) => [c.name, c.epoch, c.step])).toEqual([
      ['b', 0, 0],
      ['c', 2, 20],
      ['a', 10, 100],
    ]);
    expect(skipped).toEqual([{ path: join(root, 'notes'), reason: expect.stringMatching(/missing file manifest\.json/) }]);
    expect(await listCheckpoints(join(root, 'absent'))).toEqual({ checkpoints: [], skipped: [] });
  });

  it('ignores a partial .tmp-* folder left by a crash, even one that claims a later epoch', async () => {
    await save('epoch-1', 'old', 1, 1);
    const partial = join(root, 'epoch-2.tmp-0123456789ab');
    await fs.mkdir(partial);
    await fs.writeFile(join(partial, 'weights.bin'), Buffer.alloc(3));
    const complete = join(root, 'epoch-3.tmp-abcdef012345'); // even a complete one is not offered
    await save('epoch-3', 'new', 2, 3);
    await fs.rename(join(root, 'epoch-3'), complete);
    const { latest, skipped } = await latestCheckpoint(root);
    expect(latest?.name).toBe('epoch-1');
    expect(skipped.map((s) => s.path).sort()).toEqual([partial, complete].sort());
    expect(skipped[0]?.reason).toMatch(/temporary folder of an unfinished save/);
    const cleaned = await cleanStaleTemporaries(root);
    expect(cleaned.removed.sort()).toEqual([partial, complete].sort());
    expect(await fs.readdir(root)).toEqual(['epoch-1']);
  });

  it('skips and reports a newer corrupt or incomplete checkpoint and returns the newest good one', async () => {
    await save('epoch-1', 'old', 1, 1);
    await save('epoch-2', 'new', 2, 2);
    await save('epoch-3', 'new', 2, 3);
    const bin = join(root, 'epoch-3', 'weights.bin');
    const bytes = await fs.readFile(bin);
    bytes[0] = (bytes[0] as number) ^ 0xff;
    await fs.writeFile(bin, bytes);
    await fs.rm(join(root, 'epoch-2', 'optimizer.bin'));
    const { latest, skipped } = await latestCheckpoint(root);
    expect(latest?.name).toBe('epoch-1');
    expect(skipped).toEqual([
      { path: join(root, 'epoch-2'), reason: expect.stringMatching(/missing file optimizer\.bin/) },
      { path: join(root, 'epoch-3'), reason: expect.stringMatching(/checksum mismatch in weights\.bin/) },
    ]);
    expect(await latestCheckpoint(join(root, 'absent'))).toEqual({ latest: null, skipped: [] });
  });

  it('offers the previous checkpoint of an interrupted replace and restores it on cleanup', async () => {
    await save('ckpt', 'old', 1, 1);
    const aside = join(root, 'ckpt.old-00000000000a');
    await fs.rename(join(root, 'ckpt'), aside); // the crash came between the two renames
    const { latest } = await latestCheckpoint(root);
    expect(latest).toMatchObject({ path: aside, name: 'ckpt', interruptedReplace: true });
    expect(await cleanStaleTemporaries(root)).toEqual({ removed: [], restored: [join(root, 'ckpt')] });
    expect(await loadTag(join(root, 'ckpt'))).toBe('old');
    // An .old-* folder whose checkpoint exists is a leftover: skipped, then removed.
    await save('ckpt.tmp', 'old', 1, 1);
    await fs.rename(join(root, 'ckpt.tmp'), aside);
    const listed = await listCheckpoints(root);
    expect(listed.checkpoints.map((c) => c.path)).toEqual([join(root, 'ckpt')]);
    expect(listed.skipped).toEqual([{ path: aside, reason: expect.stringMatching(/previous version of ckpt/) }]);
    expect(await cleanStaleTemporaries(root)).toEqual({ removed: [aside], restored: [] });
  });
});
