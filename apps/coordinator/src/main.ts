import { ConfigError, createLogger, installShutdownSignals, loadConfig } from '@fmwiss/service-kit';
import { coordinatorConfigSchema } from './config';
import { startCoordinator } from './server';

/**
 * The coordinator: `tsx apps/coordinator/src/main.ts --help` lists every option.
 * Exit codes: 0 after a graceful shutdown, 1 on a start-up failure, 2 on invalid configuration.
 */
async function main(): Promise<void> {
  const config = loadConfig(coordinatorConfigSchema, {
    argv: process.argv.slice(2),
    env: process.env,
    envPrefix: 'FMWISS_COORDINATOR_',
    programName: 'coordinator',
    description:
      'PipelineService: runs a whole incremental task (step lists, pseudo labels from clip-mask and seed-refiner, ' +
      'training and evaluation on the trainer, the memory bank) and writes a run folder per run.',
  });
  const logger = createLogger({ name: 'coordinator', level: config.logLevel });
  const server = await startCoordinator(config, logger);
  installShutdownSignals(server, logger);
}

main().catch((error: unknown) => {
  process.stderr.write(`coordinator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
