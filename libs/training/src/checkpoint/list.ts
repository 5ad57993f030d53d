import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { CheckpointError } from '../errors';
import { type CheckpointFileSystem, nodeCheckpointFileSystem } from './file-system';
import { readManifestChecked, verifyCheckpoint } from './load';
import type { CheckpointManifest } from './manifest';
import { parseSiblingName } from './naming';

export interface CheckpointEntry {
  /** Absolute path of the folder to pass to loadCheckpoint. */
  path: string;
  /** The checkpoint's name: its folder name, or for an interrupted replace the folder it belongs in. */
  name: string;
  manifest: CheckpointManifest;
  /** `metadata.epoch` / `metadata.step` when they are numbers, else null. */
  epoch: number | null;
  step: number | null;
  /**
   * True for the previous checkpoint of a replace that was interrupted between its two renames: it
   * lives in `<name>.old-*` and `<name>` is absent. cleanStaleTemporaries moves it back.
   */
  interruptedReplace: boolean;
}

/** A folder that was not offered as a checkpoint, and why. */
export interface SkippedFolder {
  path: string;
  reason: string;
}

/**
 * The checkpoint folders directly inside `parentDir`, oldest first: by epoch, then step, then
 * creation time, then name (a checkpoint without a numeric epoch sorts first). Each has a valid
 * manifest and data files of the right size; checksums are NOT read here (see latestCheckpoint).
 * Everything else is reported in `skipped`: `.tmp-*` folders of unfinished saves, `.old-*` leftovers,
 * folders without or with a broken manifest, missing or truncated files. A missing `parentDir` is an
 * empty list.
 */
export async function listCheckpoints(
  parentDir: string,
): Promise<{ checkpoints: CheckpointEntry[]; skipped: SkippedFolder[] }> {
  const parent = resolve(parentDir);
  const folders = await subfolders(parent);
  const names = new Set(folders);
  const checkpoints: CheckpointEntry[] = [];
  const skipped: SkippedFolder[] = [];
  for (const folder of folders) {
    const path = join(parent, folder);
    const sibling = parseSiblingName(folder);
    if (sibling?.kind === 'tmp') {
      skipped.push({ path, reason: 'temporary folder of an unfinished save' });
      continue;
    }
    if (sibling?.kind === 'old' && names.has(sibling.name)) {
      skipped.push({ path, reason: `previous version of ${sibling.name} left by a replace` });
      continue;
    }
    try {
      const manifest = await readManifestChecked(path);
      const { epoch, step } = manifest.metadata;
      checkpoints.push({
        path,
        name: sibling?.name ?? folder,
        manifest,
        epoch: typeof epoch === 'number' ? epoch : null,
        step: typeof step === 'number' ? step : null,
        interruptedReplace: sibling !== null,
      });
    } catch (error) {
      if (!(error instanceof CheckpointError)) throw error;
      skipped.push({ path, reason: error.message });
    }
  }
  checkpoints.sort(
    (a, b) =>
      (a.epoch ?? -Infinity) - (b.epoch ?? -Infinity) ||
      (a.step ?? -Infinity) - (b.step ?? -Infinity) ||
      a.manifest.createdAt.localeCompare(b.manifest.createdAt) ||
      a.name.localeCompare(b.name),
  );
  return { checkpoints, skipped };
}

/**
 * The newest checkpoint in `parentDir` (listCheckpoints order) that passes full verification,
 * checksums included. Newer ones that fail are reported in `skipped` with the reason, along with
 * what listCheckpoints skipped. `latest` is null when none is usable.
 */
export async function latestCheckpoint(
  parentDir: string,
): Promise<{ latest: CheckpointEntry | null; skipped: SkippedFolder[] }> {
  const { checkpoints, skipped } = await listCheckpoints(parentDir);
  for (let i = checkpoints.length - 1; i >= 0; i--) {
    const entry = checkpoints[i] as CheckpointEntry;
    try {
      await verifyCheckpoint(entry.path);
      return { latest: entry, skipped };
    } catch (error) {
      if (!(error instanceof CheckpointError)) throw error;
      skipped.push({ path: entry.path, reason: error.message });
    }
  }
  return { latest: null, skipped };
}

/**
 * Tidies what interrupted saves left in `parentDir`: removes every `<name>.tmp-*` folder and every
 * `<name>.old-*` folder whose `<name>` exists, and renames an `<name>.old-*` folder back to `<name>`
 * when `<name>` is missing (a replace interrupted between its renames). Must not run while a save
 * into `parentDir` is in progress, whose temporary folder it would remove.
 */
export async function cleanStaleTemporaries(
  parentDir: string,
  options: { fileSystem?: CheckpointFileSystem } = {},
): Promise<{ removed: string[]; restored: string[] }> {
  const fileSystem = options.fileSystem ?? nodeCheckpointFileSystem;
  const parent = resolve(parentDir);
  const removed: string[] = [];
  const restored: string[] = [];
  // Restore first, so that an `.old-*` whose checkpoint is missing is never removed.
  const folders = await subfolders(parent);
  for (const folder of folders) {
    const sibling = parseSiblingName(folder);
    if (sibling?.kind !== 'old') continue;
    const target = join(parent, sibling.name);
    if (await fileSystem.exists(target)) continue;
    await fileSystem.rename(join(parent, folder), target);
    restored.push(target);
  }
  if (restored.length > 0) await fileSystem.syncDirectory(parent);
  for (const folder of folders) {
    const path = join(parent, folder);
    // An `.old-*` restored above no longer exists under its name.
    if (parseSiblingName(folder) === null || !(await fileSystem.exists(path))) continue;
    await fileSystem.removeTree(path);
    removed.push(path);
  }
  return { removed, restored };
}

async function subfolders(parent: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(parent, { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
