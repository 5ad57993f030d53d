import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** fsync of a folder, so that a rename or a new file in it survives a power loss. */
export function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse to open or fsync a folder; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Replaces `path` with `content` atomically: a reader (or a crashed process) sees the old file or the
 * new one, complete. Writes `.<name>.tmp-<random>` beside it and renames it over `path`. `durable`
 * (the default) also fsyncs the file and the folder, so that the new content survives a power loss.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array, durable = true): void {
  const temporary = join(dirname(path), `.${basename(path)}.tmp-${randomBytes(6).toString('hex')}`);
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, typeof content === 'string' ? Buffer.from(content) : content);
    if (durable) fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  if (durable) syncDirectory(dirname(path));
}
