import { existsSync } from 'node:fs';
import { Worker, type ResourceLimits } from 'node:worker_threads';

export interface LaunchOptions {
  workerData?: unknown;
  resourceLimits?: ResourceLimits;
}

/**
 * Starts a worker thread running `modulePath`. A .ts module runs through tsx's CommonJS hook loaded
 * inside the worker (the same under the tsx CLI, `node --import tsx` and jest); a .js/.cjs module
 * runs as it is. The worker gets no execArgv of this process (no second tsx loader).
 */
export function launchWorker(modulePath: string, options: LaunchOptions = {}): Worker {
  if (!existsSync(modulePath)) throw new Error(`worker module ${modulePath} does not exist`);
  const common = { workerData: options.workerData, resourceLimits: options.resourceLimits, execArgv: [] as string[] };
  if (modulePath.endsWith('.ts')) {
    const hook = require.resolve('tsx/cjs');
    return new Worker(`require(${JSON.stringify(hook)}); require(${JSON.stringify(modulePath)});`, { ...common, eval: true });
  }
  return new Worker(modulePath, common);
}

/** The .ts source next to `dir` when it exists (development, tests), else the compiled .js. */
export function workerModulePath(dir: string, name: string): string {
  const ts = `${dir}/${name}.ts`;
  return existsSync(ts) ? ts : `${dir}/${name}.js`;
}
