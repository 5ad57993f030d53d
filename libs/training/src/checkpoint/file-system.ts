import { promises as fs } from 'node:fs';

/**
 * The file-system operations a checkpoint save performs, in one seam so that tests can inject
 * failures or simulate a crash at any step. `nodeCheckpointFileSystem` is the real one.
 */
export interface CheckpointFileSystem {
  /** Creates a folder and its missing parents. */
  mkdir(path: string): Promise<void>;
  /** Creates a new file (failing if it exists), writes `data`, fsyncs and closes it. */
  writeFileDurable(path: string, data: Uint8Array): Promise<void>;
  /** fsyncs a folder so that the entries created or renamed in it survive a power loss. */
  syncDirectory(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Removes a folder and everything in it; no error when it does not exist. */
  removeTree(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
}

/** Platforms (Windows, some network file systems) where a folder cannot be opened or fsynced. */
const UNSYNCABLE_DIRECTORY_CODES = new Set(['EISDIR', 'EPERM', 'EINVAL', 'EBADF']);

export const nodeCheckpointFileSystem: CheckpointFileSystem = {
  async mkdir(path) {
    await fs.mkdir(path, { recursive: true });
  },
  async writeFileDurable(path, data) {
    const handle = await fs.open(path, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  async syncDirectory(path) {
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(path, 'r');
      await handle.sync();
    } catch (error) {
      if (!UNSYNCABLE_DIRECTORY_CODES.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    } finally {
      await handle?.close();
    }
  },
  async rename(from, to) {
    await fs.rename(from, to);
  },
  async removeTree(path) {
    await fs.rm(path, { recursive: true, force: true });
  },
  async exists(path) {
    try {
      await fs.stat(path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  },
};
