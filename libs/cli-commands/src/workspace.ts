// Where the workspace's apps and tools are: the CLI starts them by path (node --import tsx), never
// importing their code.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/** The five services `fmwiss serve` and `fmwiss demo` start, by their apps/ folder name. */
export const SERVICE_NAMES = ['clip-mask', 'seed-refiner', 'memory-bank', 'trainer', 'coordinator'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Their default ports (each service's own default; the CLI starts them with --port 0). */
export const DEFAULT_PORTS: Record<ServiceName, number> = {
  'clip-mask': 50051,
  'seed-refiner': 50052,
  'memory-bank': 50053,
  trainer: 50054,
  coordinator: 50055,
};

export const BENCHMARK_GENERATOR_ENTRY = 'tools/benchmark-generator/src/main.ts';

/** The nearest folder at or above `from` that holds nx.json. */
export function findWorkspaceRoot(from: string = __dirname): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no workspace (a folder with nx.json) at or above ${from}`);
    dir = parent;
  }
}

/** apps/<service>/src/main.ts of the workspace. */
export function serviceEntry(root: string, service: ServiceName): string {
  return join(root, 'apps', service, 'src', 'main.ts');
}

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

/**
 * A model URI with a relative `onnx:` path made absolute against `cwd` (services run in the
 * workspace root, the user's paths are relative to where they typed the command); other URIs as given.
 */
export function absoluteModelUri(uri: string, cwd: string): string {
  if (!uri.startsWith('onnx:')) return uri;
  const path = uri.slice('onnx:'.length);
  return isAbsolute(path) ? uri : `onnx:${resolve(cwd, path)}`;
}
