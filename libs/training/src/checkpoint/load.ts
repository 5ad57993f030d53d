import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CheckpointError } from '../errors';
import { decodeLittleEndian } from './bytes';
import { type CheckpointManifest, GROUP_FILES, MANIFEST_FILE, parseManifest } from './manifest';

/** What the caller expects of the weights; a difference refuses the checkpoint. */
export interface CheckpointExpectation {
  /** The exact set of weight names (order free): a missing or an extra name is an error. */
  tensorNames?: string[];
  /** Expected shapes of some weights by name. */
  shapes?: Record<string, number[]>;
}

export interface LoadedCheckpoint {
  /** New tensors, owned by the caller. */
  weights: Map<string, tf.Tensor>;
  /** New tensors, owned by the caller; undefined when the checkpoint was saved without. */
  optimizerState: Map<string, tf.Tensor> | undefined;
  metadata: Record<string, unknown>;
  manifest: CheckpointManifest;
}

/** Manifests larger than this are refused before being read (a real one is a few hundred KiB). */
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

/**
 * Reads a checkpoint folder. Everything is verified BEFORE any tensor is created: the manifest
 * (format, version, schema, consistency), the caller's expectation, then for every data file its
 * presence, its length and its SHA-256. Any problem throws a CheckpointError naming the file and what
 * is wrong, with no tensor allocated. The tensors are then built from the very bytes that were
 * verified, and are bitwise equal to the saved ones.
 */
export async function loadCheckpoint(
  dir: string,
  options: { expect?: CheckpointExpectation } = {},
): Promise<LoadedCheckpoint> {
  const { manifest, contents } = await readVerified(resolve(dir), options.expect, true);
  const weights = new Map<string, tf.Tensor>();
  const optimizer = new Map<string, tf.Tensor>();
  try {
    for (const entry of manifest.tensors) {
      const bytes = contents.get(entry.file) as Uint8Array;
      const values = decodeLittleEndian(entry.dtype, bytes, entry.offset, entry.length);
      (entry.group === 'weights' ? weights : optimizer).set(entry.name, tf.tensor(values, entry.shape, entry.dtype));
    }
  } catch (error) {
    for (const tensor of [...weights.values(), ...optimizer.values()]) tensor.dispose();
    throw error;
  }
  const optimizerState = GROUP_FILES.optimizer in manifest.files ? optimizer : undefined;
  return { weights, optimizerState, metadata: manifest.metadata, manifest };
}

/**
 * Verifies a checkpoint folder as loadCheckpoint does (checksums included) without creating any
 * tensor; returns its manifest or throws the CheckpointError loadCheckpoint would.
 */
export async function verifyCheckpoint(dir: string, expect?: CheckpointExpectation): Promise<CheckpointManifest> {
  return (await readVerified(resolve(dir), expect, true)).manifest;
}

/** Reads and checks the manifest, and the presence and size of every data file (no checksums). */
export async function readManifestChecked(dir: string): Promise<CheckpointManifest> {
  return (await readVerified(resolve(dir), undefined, false)).manifest;
}

async function readVerified(
  dir: string,
  expect: CheckpointExpectation | undefined,
  withChecksums: boolean,
): Promise<{ manifest: CheckpointManifest; contents: Map<string, Uint8Array> }> {
  try {
    return await readVerifiedUnwrapped(dir, expect, withChecksums);
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    throw new CheckpointError('io', `could not read checkpoint ${dir}: ${(error as Error).message}`, dir, { cause: error });
  }
}

async function readVerifiedUnwrapped(
  dir: string,
  expect: CheckpointExpectation | undefined,
  withChecksums: boolean,
): Promise<{ manifest: CheckpointManifest; contents: Map<string, Uint8Array> }> {
  const manifestPath = join(dir, MANIFEST_FILE);
  const manifestSize = await sizeOf(manifestPath);
  if (manifestSize === null) {
    const folder = await sizeOf(dir);
    throw new CheckpointError(
      'not-found',
      folder === null ? `no checkpoint at ${dir}` : `missing file ${MANIFEST_FILE} in ${dir} (incomplete checkpoint)`,
      folder === null ? dir : manifestPath,
    );
  }
  if (manifestSize > MAX_MANIFEST_BYTES) {
    throw new CheckpointError('invalid-manifest', `${manifestPath} is ${manifestSize} bytes, more than a manifest can be`, manifestPath);
  }
  const manifest = parseManifest(await fs.readFile(manifestPath, 'utf8'), manifestPath);
  if (expect !== undefined) checkExpectation(manifest, expect, manifestPath);

  const contents = new Map<string, Uint8Array>();
  for (const [file, { bytes, sha256 }] of Object.entries(manifest.files)) {
    const path = join(dir, file);
    const tensors = manifest.tensors.filter((t) => t.file === file).length;
    const described = `manifest lists ${tensors} tensor${tensors === 1 ? '' : 's'} (${bytes} bytes)`;
    const checkSize = (actual: number | null): void => {
      if (actual === null) throw new CheckpointError('missing-file', `missing file ${file} in ${dir}`, path);
      if (actual < bytes) {
        throw new CheckpointError('size-mismatch', `${described} but ${file} is ${bytes - actual} bytes short (${actual} bytes) in ${dir}`, path);
      }
      if (actual > bytes) {
        throw new CheckpointError('size-mismatch', `${described} but ${file} has ${actual - bytes} extra bytes (${actual} bytes) in ${dir}`, path);
      }
    };
    if (!withChecksums) {
      checkSize(await sizeOf(path));
      continue;
    }
    let data: Uint8Array;
    try {
      data = await fs.readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') checkSize(null);
      throw error;
    }
    checkSize(data.length);
    const actual = createHash('sha256').update(data).digest('hex');
    if (actual !== sha256) {
      throw new CheckpointError(
        'checksum-mismatch',
        `checksum mismatch in ${file} in ${dir}: manifest says sha256 ${sha256}, the file has ${actual}`,
        path,
      );
    }
    contents.set(file, data);
  }
  return { manifest, contents };
}

function checkExpectation(manifest: CheckpointManifest, expect: CheckpointExpectation, where: string): void {
  const weights = new Map(manifest.tensors.filter((t) => t.group === 'weights').map((t) => [t.name, t]));
  if (expect.tensorNames !== undefined) {
    const expected = new Set(expect.tensorNames);
    const missing = [...expected].filter((name) => !weights.has(name));
    const extra = [...weights.keys()].filter((name) => !expected.has(name));
    if (missing.length > 0 || extra.length > 0) {
      const parts: string[] = [];
      if (missing.length > 0) parts.push(`missing ${listNames(missing)}`);
      if (extra.length > 0) parts.push(`unexpected ${listNames(extra)}`);
      throw new CheckpointError('unexpected-tensors', `weights in ${where} differ from the expected names: ${parts.join('; ')}`, where);
    }
  }
  for (const [name, shape] of Object.entries(expect.shapes ?? {})) {
    const entry = weights.get(name);
    if (entry === undefined) {
      throw new CheckpointError('unexpected-tensors', `tensor ${name} is not in ${where} (expected shape [${shape}])`, where);
    }
    if (entry.shape.length !== shape.length || entry.shape.some((size, i) => size !== shape[i])) {
      throw new CheckpointError('shape-mismatch', `tensor ${name} has shape [${entry.shape}], expected [${shape}] (${where})`, where);
    }
  }
}

function listNames(names: string[]): string {
  const shown = names.slice(0, 5).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}

async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await fs.stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
