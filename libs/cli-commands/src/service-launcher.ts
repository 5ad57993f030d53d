// Starting the services as child processes (node --import tsx apps/<service>/src/main.ts) on
// 127.0.0.1, with their logs in files, and stopping them with SIGTERM. Commands receive a
// ServiceLauncher so that tests can start in-process fakes instead.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { startChildService, type ChildService } from '@fmwiss/service-kit';
import { ServiceStartError } from './exit-codes';
import { serviceEntry, type ServiceName } from './workspace';

export interface ServiceSpec {
  name: ServiceName;
  /** The service's flags (for a child: --port 0 and its folders). */
  args: string[];
}

export interface LaunchedService {
  name: ServiceName;
  /** host:port to dial. */
  address: string;
  pid?: number;
  /** Where its log goes, when it has one. */
  logFile?: string;
  /** Resolves with the exit code (null: ended by a signal) whenever the service ends. */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after the grace time; resolves with the exit code. Idempotent. */
  stop(): Promise<number | null>;
}

export interface ServiceLauncher {
  /** Starts the service and resolves once it serves; rejects with ServiceStartError. */
  start(spec: ServiceSpec): Promise<LaunchedService>;
}

export interface ChildProcessLauncherOptions {
  /** The workspace root: the children's cwd, and where apps/ is. */
  root: string;
  /** Each service's output goes to <logDir>/<service>.log (appended). */
  logDir?: string;
  /** Default 180 s: loading models and the wasm backend on 2 busy cores takes a while. */
  startTimeoutMs?: number;
  /** After SIGTERM, SIGKILL follows this much later. Default 20 s. */
  stopGraceMs?: number;
}

const live = new Set<ChildService['process']>();
let exitHookInstalled = false;

/** If the CLI itself ends abruptly, no child outlives it. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/** The last `count` lines of a start-up failure's output (startChildService puts them after its first line). */
function outputTail(message: string, count: number): { reason: string; tail: string[] } {
  const [reason = message, ...output] = message.split('\n');
  return { reason, tail: output.filter((line) => line.trim() !== '').slice(-count) };
}

export function childProcessLauncher(options: ChildProcessLauncherOptions): ServiceLauncher {
  return {
    async start(spec: ServiceSpec): Promise<LaunchedService> {
      installExitHook();
      let log: WriteStream | undefined;
      let logFile: string | undefined;
      if (options.logDir) {
        mkdirSync(options.logDir, { recursive: true });
        logFile = join(options.logDir, `${spec.name}.log`);
        log = createWriteStream(logFile, { flags: 'a' });
      }
      let child: ChildService;
      try {
        child = await startChildService({
          entry: serviceEntry(options.root, spec.name),
          args: spec.args,
          cwd: options.root,
          startTimeoutMs: options.startTimeoutMs ?? 180_000,
          onLine: (line) => log?.write(`${line}\n`),
          // Own process group: a terminal Ctrl-C reaches only the CLI, which cancels its runs and
          // then stops the services; the 'exit' hook above kills them if the CLI ends abruptly.
          detached: true,
        });
      } catch (error) {
        log?.end();
        const { reason, tail } = outputTail(error instanceof Error ? error.message : String(error), 15);
        // "<entry> exited with 3 before serving:" -> "exited with code 3 before serving"
        const why = reason.replace(`${serviceEntry(options.root, spec.name)} `, '').replace(/^exited with (\d+)/, 'exited with code $1').replace(/:\s*$/, '');
        throw new ServiceStartError(spec.name, `${spec.name} did not start: ${why}${logFile ? ` (log: ${logFile})` : ''}`, tail);
      }
      live.add(child.process);
      void child.exited.then(() => {
        live.delete(child.process);
        log?.end();
      });
      let stopping: Promise<number | null> | undefined;
      return {
        name: spec.name,
        address: `127.0.0.1:${child.port}`,
        pid: child.process.pid,
        logFile,
        exited: child.exited,
        stop: () => (stopping ??= stopChild(child, options.stopGraceMs ?? 20_000)),
      };
    },
  };
}

async function stopChild(child: ChildService, graceMs: number): Promise<number | null> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return child.exited;
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
  try {
    return await child.exited;
  } finally {
    clearTimeout(timer);
  }
}
