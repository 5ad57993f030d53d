import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { FailedPreconditionError } from '@fmwiss/service-kit';

export const LOCK_FILE = 'trainer.lock';

/** Lock files this process holds (two managers of one process on one folder are refused too). */
const held = new Set<string>();

export interface StateLock {
  readonly path: string;
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `<stateDir>/trainer.lock`, so that two trainers never run the same jobs. A lock left by a
 * process of this host that is gone (kill -9) is taken over; one held by a live process, or by a
 * process of another host (whose life cannot be checked from here), is refused.
 */
export function acquireStateLock(stateDir: string): StateLock {
  const path = join(resolve(stateDir), LOCK_FILE);
  if (held.has(path)) throw new FailedPreconditionError(`state dir ${stateDir} is already in use by this process`);
  let previous: { pid?: number; host?: string } | undefined;
  try {
    previous = JSON.parse(readFileSync(path, 'utf8')) as { pid?: number; host?: string };
  } catch {
    previous = undefined; // absent or unreadable: free
  }
  if (previous && typeof previous.pid === 'number' && previous.host !== undefined && previous.host !== hostname()) {
    throw new FailedPreconditionError(
      `state dir ${stateDir} is held by a trainer on host ${previous.host} (process ${previous.pid}); ` +
        `if that trainer is gone, delete ${path} and start again`,
    );
  }
  if (previous && typeof previous.pid === 'number' && previous.pid !== process.pid && isAlive(previous.pid)) {
    throw new FailedPreconditionError(`state dir ${stateDir} is in use by another trainer (process ${previous.pid}, lock file ${path})`);
  }
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, `${JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() })}\n`);
  } finally {
    closeSync(fd);
  }
  held.add(path);
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      held.delete(path);
      rmSync(path, { force: true });
    },
  };
}
