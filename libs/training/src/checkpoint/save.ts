import { createHash, randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { CheckpointError } from '../errors';
import { encodeLittleEndian } from './bytes';
import { type CheckpointFileSystem, nodeCheckpointFileSystem } from './file-system';
import {
  BYTES_PER_ELEMENT,
  CHECKPOINT_FORMAT,
  CHECKPOINT_FORMAT_VERSION,
  type CheckpointManifest,
  GROUP_FILES,
  MANIFEST_FILE,
  type TensorEntry,
  type TensorGroup,
} from './manifest';
import { temporaryName } from './naming';

/** What a checkpoint holds. The tensors stay the caller's: saving reads them and disposes nothing. */
export interface Checkpoint {
  weights: Map<string, tf.Tensor>;
  /** Optimiser state (e.g. `SgdMomentum.getState()`); omitted when absent. */
  optimizerState?: Map<string, tf.Tensor>;
  /** JSON-serialisable: step, epoch, classes, config, seed... `epoch` and `step` order listCheckpoints. */
  metadata: Record<string, unknown>;
}

export interface SaveCheckpointOptions {
  /** The file-system seam (tests inject failures); default the real one. */
  fileSystem?: CheckpointFileSystem;
  /** Clock for `createdAt`; default `new Date()`. */
  now?: () => Date;
}

/**
 * Writes a checkpoint to the folder `dir`, atomically: a reader (or a crash) sees either the previous
 * checkpoint at `dir` or the new one, complete, never a mix.
 *
 * 1. Everything is written into a sibling `<dir>.tmp-<random>`: `weights.bin`, `optimizer.bin`
 *    (when there is optimizer state) and last `manifest.json`; each file is fsynced, then the folder.
 * 2. Replace: when `dir` exists it is renamed to `<dir>.old-<random>`, the temporary folder is renamed
 *    to `dir`, the parent folder is fsynced and the old folder removed.
 *
 * A crash between the two renames of step 2 leaves no `dir` but the previous checkpoint complete in
 * `<dir>.old-<random>`: listCheckpoints/latestCheckpoint offer it, and cleanStaleTemporaries renames it
 * back. On an error, everything this call created is removed and the previous checkpoint is put back
 * before the error (a CheckpointError) is thrown. Two saves to the same `dir` must not run at once.
 */
export async function saveCheckpoint(
  dir: string,
  checkpoint: Checkpoint,
  options: SaveCheckpointOptions = {},
): Promise<{ path: string; manifest: CheckpointManifest }> {
  const fileSystem = options.fileSystem ?? nodeCheckpointFileSystem;
  const target = resolve(dir);
  const parent = dirname(target);
  const metadata = checkMetadata(checkpoint.metadata);

  // Read every tensor before touching the disk: an invalid input writes nothing.
  const groups: [TensorGroup, Map<string, tf.Tensor>][] = [['weights', checkpoint.weights]];
  if (checkpoint.optimizerState !== undefined) groups.push(['optimizer', checkpoint.optimizerState]);
  const tensors: TensorEntry[] = [];
  const files: CheckpointManifest['files'] = {};
  const contents = new Map<string, Uint8Array>();
  for (const [group, map] of groups) {
    const file = GROUP_FILES[group];
    const values: (Float32Array | Int32Array)[] = [];
    let offset = 0;
    for (const [name, tensor] of map) {
      if (name.length === 0) throw new CheckpointError('invalid-input', `a ${group} tensor has an empty name`, target);
      if (tensor.isDisposed) throw new CheckpointError('invalid-input', `${group} tensor ${name} is disposed`, target);
      if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32') {
        throw new CheckpointError(
          'invalid-input',
          `${group} tensor ${name} has dtype ${tensor.dtype}; checkpoints store float32 and int32 only`,
          target,
        );
      }
      const data = (await tensor.data()) as Float32Array | Int32Array;
      const length = data.length * BYTES_PER_ELEMENT;
      tensors.push({ name, group, file, dtype: tensor.dtype, shape: [...tensor.shape], offset, length });
      values.push(data);
      offset += length;
    }
    const bytes = new Uint8Array(offset);
    let at = 0;
    for (const data of values) {
      encodeLittleEndian(data, bytes, at);
      at += data.byteLength;
    }
    contents.set(file, bytes);
    files[file] = { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  }
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_FORMAT_VERSION,
    createdAt: (options.now ?? (() => new Date()))().toISOString(),
    files,
    tensors,
    metadata,
  };

  const io = (what: string, error: unknown): CheckpointError =>
    error instanceof CheckpointError
      ? error
      : new CheckpointError('io', `could not ${what} for checkpoint ${target}: ${(error as Error).message}`, target, {
          cause: error,
        });

  // 1. Write everything into the temporary sibling.
  const temporary = join(parent, temporaryName(basename(target), 'tmp', randomBytes(6).toString('hex')));
  try {
    await fileSystem.mkdir(parent);
    await fileSystem.mkdir(temporary);
    for (const [file, bytes] of contents) await fileSystem.writeFileDurable(join(temporary, file), bytes);
    await fileSystem.writeFileDurable(
      join(temporary, MANIFEST_FILE),
      new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`),
    );
    await fileSystem.syncDirectory(temporary);
  } catch (error) {
    await removeQuietly(fileSystem, temporary);
    throw io('write the temporary folder', error);
  }

  // 2. Swap it in.
  let previous: string | undefined;
  try {
    if (await fileSystem.exists(target)) {
      previous = join(parent, temporaryName(basename(target), 'old', randomBytes(6).toString('hex')));
      await fileSystem.rename(target, previous);
    }
    await fileSystem.rename(temporary, target);
  } catch (error) {
    if (previous !== undefined) {
      try {
        if (!(await fileSystem.exists(target))) await fileSystem.rename(previous, target);
      } catch {
        // The previous checkpoint stays complete in `previous`; cleanStaleTemporaries restores it.
      }
    }
    await removeQuietly(fileSystem, temporary);
    throw io('move the new checkpoint into place', error);
  }
  try {
    await fileSystem.syncDirectory(parent);
  } catch (error) {
    // The new checkpoint is in place but its rename may not survive a power loss: report it.
    throw io('fsync the parent folder', error);
  }
  // The new checkpoint is complete and durable; a leftover old folder is only clutter
  // (cleanStaleTemporaries removes it), so a failure to remove it is not an error.
  if (previous !== undefined) await removeQuietly(fileSystem, previous);
  return { path: target, manifest };
}

async function removeQuietly(fileSystem: CheckpointFileSystem, path: string): Promise<void> {
  try {
    await fileSystem.removeTree(path);
  } catch {
    // Best effort: a leftover temporary folder is ignored by readers and removed by cleanStaleTemporaries.
  }
}

/** Checks that metadata survives JSON unchanged (no NaN, Infinity, undefined, functions, class instances). */
function checkMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
  const visit = (value: unknown, path: string): void => {
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) fail(path, `is ${value}, which JSON cannot store`);
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, `${path}[${i}]`));
      return;
    }
    if (typeof value === 'object') {
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) fail(path, 'is not a plain object');
      for (const [key, item] of Object.entries(value)) visit(item, `${path}.${key}`);
      return;
    }
    fail(path, `is ${value === undefined ? 'undefined' : `a ${typeof value}`}, which JSON cannot store`);
  };
  const fail = (path: string, what: string): never => {
    throw new CheckpointError('invalid-input', `checkpoint ${path} ${what}`);
  };
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) fail('metadata', 'is not an object');
  visit(metadata, 'metadata');
  return JSON.parse(JSON.stringify(metadata)) as Record<string, unknown>;
}
