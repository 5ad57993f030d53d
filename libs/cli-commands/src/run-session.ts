// The body shared by `run`, `demo` and `ablate`: start the missing services, run the plans through
// the coordinator with live progress, hand the results to the command, and stop every service
// (also on a failure or Ctrl-C). A crash of a started coordinator ends the session with a failure.
import { join } from 'node:path';
import type { CliIo } from './cli-io';
import type { CommandDeps } from './deps';
import { InterruptedError } from './exit-codes';
import type { ServiceFlags } from './flags';
import type { LocalServiceOptions } from './local-services';
import { ProgressBoard } from './progress-board';
import { executeRunPlans, type RunPlan } from './run-plans';
import { runResult, type RunResult } from './run-results';
import { prepareRunServices, type RunServices } from './run-services';
import { absoluteModelUri } from './workspace';

export interface RunSessionOptions extends LocalServiceOptions {
  io: CliIo;
  deps: CommandDeps;
  given: ServiceFlags;
  needMasks: boolean;
  /** The plans, made once the services' addresses are known. */
  plans(services: RunServices): RunPlan[];
  maxActive?: number;
  /** Called with every plan's result before the services stop (print tables, write files). */
  report(results: RunResult[], services: RunServices): Promise<void> | void;
  /** After report(), keep the started services until Ctrl-C. */
  keepServices?: boolean;
}

/** Runs the session; resolves with the results, throws InterruptedError (Ctrl-C) or the failure. */
export async function runSession(options: RunSessionOptions): Promise<RunResult[]> {
  const { io, deps } = options;
  const say = (line: string) => io.stdout.write(`${line}\n`);
  const failure = new AbortController();
  let failureMessage: string | undefined;
  const signal = AbortSignal.any([io.signal, failure.signal]);
  const model = (uri: string | undefined) => (uri ? absoluteModelUri(uri, io.cwd) : undefined);
  const services = await prepareRunServices({
    ...options,
    clipImageModel: model(options.clipImageModel),
    clipTextModel: model(options.clipTextModel),
    vitModel: model(options.vitModel),
    launcher: deps.launcher(join(options.workDir, 'logs')),
    log: say,
    onUnexpectedExit: (service, code) => {
      // A terminal's Ctrl-C reaches the children too (same process group): they stop on their own.
      if (io.signal.aborted) return;
      const where = service.logFile ? ` (log: ${service.logFile})` : '';
      io.stderr.write(`${service.name} exited unexpectedly with code ${code}${where}\n`);
      if (service.name === 'coordinator' && !failureMessage) {
        failureMessage = `the coordinator exited unexpectedly with code ${code}${where}`;
        failure.abort();
      }
    },
  });
  const client = deps.pipelineClient(services.coordinator);
  try {
    const board = new ProgressBoard(io.stdout);
    let outcomes;
    try {
      outcomes = await executeRunPlans(client, options.plans(services), { board, signal, maxActive: options.maxActive });
    } catch (error) {
      if (error instanceof InterruptedError && failureMessage && !io.signal.aborted) throw new Error(failureMessage);
      throw error;
    }
    const results = await Promise.all(outcomes.map((outcome) => runResult(outcome, services.local ? deps.root : io.cwd)));
    await options.report(results, services);
    if (options.keepServices && services.local && !io.signal.aborted) {
      say('services kept running (--keep-services); Ctrl-C stops them:');
      for (const service of services.group.list()) say(`  ${service.name.padEnd(12)} ${service.address}`);
      await new Promise<void>((resolve) => {
        if (io.signal.aborted) resolve();
        io.signal.addEventListener('abort', () => resolve(), { once: true });
      });
    }
    return results;
  } finally {
    client.close();
    if (services.group.list().length > 0) {
      say('stopping services (SIGTERM) ...');
      const codes = await services.group.stopAll();
      say(`  stopped: ${codes.map((c) => `${c.name} ${c.code === null ? 'by signal' : `exit ${c.code}`}`).join(', ')}`);
    }
  }
}
