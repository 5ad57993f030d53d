// The flags the CLI gives each service it starts itself: --port 0 (the bound port is read from the
// log), and folders under the command's work folder, so that a demo keeps its state in one place.
import { join } from 'node:path';
import type { ServiceSpec } from './service-launcher';
import type { ServiceName } from './workspace';

export interface LocalServiceOptions {
  /** Absolute: memory-bank/, trainer/ and runs/ go under it. */
  workDir: string;
  /** Model URIs (absolute onnx: paths or kserve://); unset: the services' defaults (models/). */
  clipImageModel?: string;
  clipTextModel?: string;
  vitModel?: string;
  /** --max-concurrent-jobs of the trainer (default 1). */
  trainerJobs?: number;
  /** --max-concurrent-runs of the coordinator. */
  coordinatorRuns?: number;
}

/** Where a started service keeps its state under the work folder. */
export function serviceFolders(workDir: string): { memoryBank: string; trainer: string; runs: string; logs: string } {
  return {
    memoryBank: join(workDir, 'memory-bank', 'archives.sqlite'),
    trainer: join(workDir, 'trainer'),
    runs: join(workDir, 'runs'),
    logs: join(workDir, 'logs'),
  };
}

/** The spec of one service other than the coordinator. */
export function workerServiceSpec(name: Exclude<ServiceName, 'coordinator'>, options: LocalServiceOptions): ServiceSpec {
  const folders = serviceFolders(options.workDir);
  const args = ['--port', '0'];
  switch (name) {
    case 'clip-mask':
      if (options.clipImageModel) args.push('--image-model', options.clipImageModel);
      if (options.clipTextModel) args.push('--text-model', options.clipTextModel);
      break;
    case 'seed-refiner':
      if (options.vitModel) args.push('--model', options.vitModel);
      break;
    case 'memory-bank':
      args.push('--database-path', folders.memoryBank);
      break;
    case 'trainer':
      args.push('--state-dir', folders.trainer);
      if (options.trainerJobs !== undefined) args.push('--max-concurrent-jobs', String(options.trainerJobs));
      break;
  }
  return { name, args };
}

/** The coordinator's spec: its runs folder and the addresses of the services it drives by default. */
export function coordinatorSpec(options: LocalServiceOptions, addresses: Partial<Record<ServiceName, string>>): ServiceSpec {
  const args = ['--port', '0', '--runs-dir', serviceFolders(options.workDir).runs];
  if (options.coordinatorRuns !== undefined) args.push('--max-concurrent-runs', String(options.coordinatorRuns));
  for (const name of ['clip-mask', 'seed-refiner', 'memory-bank', 'trainer'] as const) {
    const address = addresses[name];
    if (address) args.push(`--${name}`, address);
  }
  return { name: 'coordinator', args };
}
