// fmwiss serve SERVICE [flags]: one service in the foreground (node --import tsx
// apps/<service>/src/main.ts with the flags passed through), its signals forwarded and its exit
// code returned.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { CliIo } from '../cli-io';
import type { CommandInfo } from '../command-args';
import { shortUsage } from '../command-args';
import type { CommandDeps } from '../deps';
import { ExitCode, UsageError } from '../exit-codes';
import { DEFAULT_PORTS, isServiceName, SERVICE_NAMES, serviceEntry } from '../workspace';

export const SERVE_INFO: CommandInfo = {
  name: 'serve',
  summary: 'run one service in the foreground (clip-mask, seed-refiner, memory-bank, trainer, coordinator)',
  description: 'Runs one service in the foreground with its flags passed through unchanged.',
  synopsis: ['serve SERVICE [service flags...]'],
  examples: ['fmwiss serve trainer --port 50054 --state-dir var/trainer --max-concurrent-jobs 2', 'fmwiss serve clip-mask --help'],
};

export function serveHelp(): string {
  const services = SERVICE_NAMES.map((name) => `  ${name.padEnd(13)} apps/${name} (default port ${DEFAULT_PORTS[name]})`).join('\n');
  return `Usage: fmwiss serve SERVICE [service flags...]

Runs one service in the foreground: node --import tsx apps/<SERVICE>/src/main.ts with the flags
passed through unchanged, in the workspace root (relative paths in its flags are relative to the
workspace root, as for \`npx tsx apps/<SERVICE>/src/main.ts\` there). SIGINT, SIGTERM and SIGHUP are
forwarded to the service, and fmwiss exits with the service's exit code (128 + the signal number if
a signal ended it). \`fmwiss serve SERVICE --help\` prints the service's own flags.

Services:
${services}

Examples:
${SERVE_INFO.examples.map((e) => `  ${e}`).join('\n')}

Exit codes: the service's own (0 after a graceful shutdown, 1 start-up failure, 2 bad
configuration, 3 a model problem of a mask service), 128 + N when signal N ended it, and 2 for a
missing or unknown SERVICE.
`;
}

/** The exit code of a child that ended with `code` or by `signal`. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const number = signal ? (constants.signals as Record<string, number>)[signal] : undefined;
  return number !== undefined ? 128 + number : ExitCode.FAILED;
}

const SIGNAL_REPEAT_MS = 1000;

export interface ServeOptions {
  /** The service's entry file (default apps/<service>/src/main.ts of the workspace). */
  entryOf?: (service: string) => string;
}

export async function serveCommand(argv: readonly string[], io: CliIo, deps: CommandDeps, options: ServeOptions = {}): Promise<number> {
  const [service, ...rest] = argv;
  if (service === undefined || service === '--help' || service === '-h') {
    if (service === undefined) throw new UsageError('serve needs a SERVICE', `${shortUsage(SERVE_INFO)}\nServices: ${SERVICE_NAMES.join(', ')}`);
    io.stdout.write(serveHelp());
    return ExitCode.OK;
  }
  if (!isServiceName(service)) {
    throw new UsageError(`unknown service "${service}"; services: ${SERVICE_NAMES.join(', ')}`, shortUsage(SERVE_INFO));
  }
  const entry = options.entryOf ? options.entryOf(service) : serviceEntry(deps.root, service);
  const runtime = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  // Its own process group: a terminal's Ctrl-C reaches it once, through us.
  const child = spawn(process.execPath, [...runtime, entry, ...rest], { cwd: deps.root, stdio: 'inherit', detached: true });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  // One Ctrl-C can reach us twice within milliseconds (the terminal, then npm and tsx relaying it);
  // a service takes a second signal as "exit now", so repeats within a second are not forwarded.
  let lastForwarded = Number.NEGATIVE_INFINITY;
  const unsubscribe = deps.onSignals((signal) => {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() - lastForwarded < SIGNAL_REPEAT_MS) return;
    lastForwarded = Date.now();
    child.kill(signal);
  });
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve(exitCodeOf(code, signal)));
    });
  } finally {
    unsubscribe();
    process.off('exit', killOnExit);
  }
}
