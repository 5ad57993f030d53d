import { ConfigError, createLogger, installShutdownSignals, loadConfig } from '@fmwiss/service-kit';
import { trainerConfigSchema } from './config';

/**
 * The trainer: `tsx apps/trainer/src/main.ts --help` lists every option.
 * Exit codes: 0 after a graceful shutdown, 1 on a start-up failure (e.g. the state dir is in use by
 * another trainer), 2 on invalid configuration.
 */
async function main(): Promise<void> {
  const config = loadConfig(trainerConfigSchema, {
    argv: process.argv.slice(2),
    env: process.env,
    envPrefix: 'FMWISS_TRAINER_',
    programName: 'trainer',
    description:
      'TrainerService: training steps as jobs (streamed progress, a checkpoint every epoch, resumed after a restart), Evaluate and Predict.',
  });
  const logger = createLogger({ name: 'trainer', level: config.logLevel });
  // Loaded after the configuration is read: --help and bad flags answer without loading TensorFlow.js.
  const { startTrainer } = await import('./server');
  const server = await startTrainer(config, logger);
  installShutdownSignals(server, logger);
}

main().catch((error: unknown) => {
  process.stderr.write(`trainer: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
