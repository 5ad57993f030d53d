// The checkpoints of one training run: folders `step-<n>` inside the run folder, written atomically by
// @fmwiss/training (manifest + checksums), the newest verified one read back on resume, the oldest
// pruned.
import { readdir, rm } from 'node:fs/promises';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';

import { cleanStaleTemporaries, latestCheckpoint, loadCheckpoint, type LoadedCheckpoint, saveCheckpoint } from '@fmwiss/training';

const FOLDER = /^step-\d+$/;

export function checkpointFolder(runDir: string, step: number): string {
  return path.join(runDir, `step-${String(step).padStart(7, '0')}`);
}

/** Saves the tensors (disposing none) as `step-<step>` and removes all but the newest `keep` checkpoints. */
export async function saveRunCheckpoint(
  runDir: string,
  step: number,
  contents: { weights: Map<string, tf.Tensor>; optimizerState: Map<string, tf.Tensor>; metadata: Record<string, unknown> },
  keep = 2,
): Promise<string> {
  const dir = checkpointFolder(runDir, step);
  await saveCheckpoint(dir, contents);
  const folders = (await readdir(runDir)).filter((name) => FOLDER.test(name)).sort();
  for (const old of folders.slice(0, Math.max(0, folders.length - keep))) await rm(path.join(runDir, old), { recursive: true, force: true });
  return dir;
}

/**
 * The newest checkpoint of the run that passes full verification (checksums), loaded; null when the
 * run has none. Broken or unfinished folders are skipped (reported through `onSkipped`).
 */
export async function loadLatestRunCheckpoint(runDir: string, onSkipped?: (folder: string, reason: string) => void): Promise<LoadedCheckpoint | null> {
  await cleanStaleTemporaries(runDir).catch(() => undefined);
  const { latest, skipped } = await latestCheckpoint(runDir);
  for (const folder of skipped) onSkipped?.(folder.path, folder.reason);
  return latest === null ? null : loadCheckpoint(latest.path);
}

/** Removes every checkpoint folder of the run (`--fresh`); other files are left alone. */
export async function removeRunCheckpoints(runDir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(runDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  const ours = names.filter((name) => FOLDER.test(name) || /^step-\d+\.(tmp|old)-/.test(name));
  for (const name of ours) await rm(path.join(runDir, name), { recursive: true, force: true });
  return ours.length;
}
