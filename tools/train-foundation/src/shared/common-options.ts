// The options both training commands share, and their entry-point plumbing.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import { initTensorRuntime } from '@fmwiss/tensor-runtime';

import { type OptionTable, UsageError } from './cli-options';
import type { Log } from './log';

export function commonOptions(defaults: { batch: number; runDir: string; out: string }) {
  return {
    minutes: { kind: 'float', default: 45, min: 0.01, help: 'training budget in minutes, all resumed runs together' },
    'max-steps': { kind: 'int', min: 1, help: 'fix the schedule to N steps (default: planned from the budget)' },
    'stop-after': { kind: 'int', min: 0, help: 'stop this invocation after N steps (checkpointed, no export): resume later' },
    seed: { kind: 'int', default: 1, min: 0, help: 'seed of the weights, data order and augmentation' },
    batch: { kind: 'int', default: defaults.batch, min: 2, max: 4096, help: 'images per step' },
    'run-dir': { kind: 'string', default: defaults.runDir, help: 'checkpoint folder of the run' },
    out: { kind: 'string', default: defaults.out, help: 'where the exported model and its cards go' },
    fresh: { kind: 'boolean', help: 'remove the run\'s checkpoints and start at step 0' },
    corpus: { kind: 'string', default: 'data/fmwiss-world/corpus', help: 'the captioned corpus (npm run gen:benchmark makes it)' },
    'held-out': { kind: 'int', default: 256, min: 1, help: 'the last N corpus lines are held out of training' },
    'checkpoint-minutes': { kind: 'float', default: 2, min: 0, help: 'minutes between checkpoints' },
    backend: { kind: 'string', default: 'wasm', help: 'tfjs backend: wasm (single thread), cpu, tfjs-node, auto' },
  } as const satisfies OptionTable;
}

const BACKENDS = ['wasm', 'cpu', 'tfjs-node', 'tfjs-node-gpu', 'auto'] as const;

/** Starts the tfjs backend named by --backend; a refusal says which ones were tried. */
export async function startBackend(name: string, log: Log): Promise<string> {
  if (!(BACKENDS as readonly string[]).includes(name)) throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got ${name}`);
  const info = await initTensorRuntime({ backend: name as (typeof BACKENDS)[number], log: () => undefined });
  log(`tfjs backend ${info.tfBackend}${info.wasmThreads !== undefined ? ` (${info.wasmThreads} thread)` : ''}`);
  return info.tfBackend;
}

/** SHA-256 of a file, hex. */
export async function fileSha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/** The command as typed, for the model card. */
export function commandLine(script: string, argv: readonly string[]): string {
  const quote = (arg: string) => (/^[\w./:=,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);
  return ['npx', 'tsx', script, ...argv.map(quote)].join(' ');
}

/**
 * The command that replays a run exactly: its flags with the schedule fixed to `steps`, a budget
 * that cannot cut it short, --fresh, and its own folders (`<run-dir>-replay`, `<out>-replay`), so
 * that running it destroys nothing (--stop-after dropped).
 */
export function reproduceCommand(script: string, argv: readonly string[], steps: number, trainSeconds: number, folders: { runDir: string; out: string }): string {
  const drop = new Set(['--max-steps', '--stop-after', '--minutes', '--run-dir', '--out']);
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const name = arg.split('=')[0]!;
    if (arg === '--fresh') continue;
    if (drop.has(name)) {
      if (!arg.includes('=')) i++;
      continue;
    }
    kept.push(arg);
  }
  const minutes = Math.ceil((3 * trainSeconds) / 60) + 10;
  const replay = (dir: string) => `${dir.replace(/\/+$/, '')}-replay`;
  return commandLine(script, [...kept, '--run-dir', replay(folders.runDir), '--out', replay(folders.out), '--max-steps', String(steps), '--minutes', String(minutes), '--fresh']);
}

/** The usual `if (require.main === module)` tail: exit codes 0 done, 1 failure, 2 bad arguments, 130 interrupted. */
export function runMain(name: string, usage: string, main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const isUsage = error instanceof UsageError;
      process.stderr.write(`${name}: ${error instanceof Error ? (isUsage ? error.message : (error.stack ?? error.message)) : String(error)}\n`);
      if (isUsage) process.stderr.write(`${usage}\n`);
      process.exit(isUsage ? 2 : 1);
    },
  );
}
