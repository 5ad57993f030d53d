// Starting a service as a child process and waiting until it accepts calls: what `fmwiss demo` and
// `fmwiss serve` do, and how tests exercise a real server process (kill -9, signals).
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { SERVER_LISTENING_MESSAGE } from './server';

export interface ChildService {
  process: ChildProcess;
  /** The port the child bound (it may have been asked for port 0). */
  port: number;
  address: string;
  /** Every line the child printed so far (stdout and stderr), for diagnostics. */
  output: string[];
  /** Resolves with the exit code, or null when a signal ended the child. */
  exited: Promise<number | null>;
}

export interface StartChildServiceOptions {
  /**
   * The service's entry file: a .ts file runs through tsx, anything else with plain node. Its log
   * level must include info, since readiness is read from the SERVER_LISTENING_MESSAGE log line.
   */
  entry: string;
  args?: string[];
  cwd?: string;
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Fails (and kills the child) if it does not serve within this time. Default 60 s. */
  startTimeoutMs?: number;
  /** Called with each line the child prints, e.g. to show its log. */
  onLine?: (line: string) => void;
  /**
   * Start the child in its own process group, so a terminal's Ctrl-C reaches only this process,
   * which then stops the child itself (what `fmwiss demo` wants: cancel runs first, then stop
   * services). Default false: the child shares the group and gets the terminal's signals too.
   */
  detached?: boolean;
}

/**
 * Spawns a service and resolves once its JSON log says it listens (SERVER_LISTENING_MESSAGE), with
 * the bound port; rejects with the child's output if it exits or times out first.
 */
export function startChildService(options: StartChildServiceOptions): Promise<ChildService> {
  const runtime = options.entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...runtime, options.entry, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.entry} did not serve within ${timeoutMs} ms:\n${output.join('\n')}`));
    }, timeoutMs);
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        output.push(line);
        options.onLine?.(line);
        const listening = parseListening(line);
        if (listening) {
          clearTimeout(timer);
          resolve({ process: child, output, exited, ...listening });
        }
      });
    }
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${options.entry} exited with ${code} before serving:\n${output.join('\n')}`));
    });
  });
}

function parseListening(line: string): { port: number; address: string } | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const record = JSON.parse(line) as { msg?: string; port?: number; address?: string };
    if (record.msg === SERVER_LISTENING_MESSAGE && typeof record.port === 'number' && typeof record.address === 'string') {
      return { port: record.port, address: record.address };
    }
  } catch {
    // not a log record
  }
  return undefined;
}
