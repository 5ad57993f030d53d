// What commands reach outside themselves through: the workspace, service start-up, clients, the
// benchmark generator, the clock and process signals. Tests replace any of them.
import { PipelineServiceClient, TrainerServiceClient } from '@fmwiss/contracts';
import { createClient } from '@fmwiss/service-kit';
import { generateBenchmark, type GenerateBenchmarkOptions } from './benchmark';
import { childProcessLauncher, type ServiceLauncher } from './service-launcher';
import { findWorkspaceRoot } from './workspace';

export interface CommandDeps {
  /** The workspace root (apps/, tools/, models/, data/). */
  root: string;
  /** The launcher of the services a command starts; their logs go to `logDir`. */
  launcher(logDir: string): ServiceLauncher;
  generateBenchmark(options: GenerateBenchmarkOptions): Promise<void>;
  pipelineClient(address: string): PipelineServiceClient;
  trainerClient(address: string): TrainerServiceClient;
  now(): Date;
  /** Subscribes to SIGINT / SIGTERM / SIGHUP (for `serve`, which forwards them); returns the unsubscribe. */
  onSignals(handler: (signal: NodeJS.Signals) => void): () => void;
}

const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export function defaultDeps(overrides: Partial<CommandDeps> = {}): CommandDeps {
  const root = overrides.root ?? findWorkspaceRoot();
  return {
    root,
    launcher: (logDir) => childProcessLauncher({ root, logDir }),
    generateBenchmark,
    pipelineClient: (address) =>
      createClient(PipelineServiceClient, { address, deadlineMs: 60_000, maxReceiveMessageBytes: MAX_MESSAGE_BYTES }),
    trainerClient: (address) =>
      createClient(TrainerServiceClient, {
        address,
        deadlineMs: 120_000,
        maxReceiveMessageBytes: MAX_MESSAGE_BYTES,
        maxSendMessageBytes: MAX_MESSAGE_BYTES,
      }),
    now: () => new Date(),
    onSignals: (handler) => {
      const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
      for (const signal of signals) process.on(signal, handler);
      return () => {
        for (const signal of signals) process.off(signal, handler);
      };
    },
    ...overrides,
  };
}
