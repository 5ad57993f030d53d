import { ConfigError, createLogger, installShutdownSignals, loadConfig } from '@fmwiss/service-kit';
import { isModelProblem } from '@fmwiss/model-backends';
import { seedRefinerConfigSchema } from './config';
import { startSeedRefiner } from './server';

/**
 * The seed-refiner server: `tsx apps/seed-refiner/src/main.ts --help` lists every option.
 * Exit codes: 0 after a graceful shutdown, 1 on another start-up failure, 2 on invalid
 * configuration, 3 when a model cannot be opened or does not satisfy its contract.
 */
async function main(): Promise<void> {
  const config = loadConfig(seedRefinerConfigSchema, {
    argv: process.argv.slice(2),
    env: process.env,
    envPrefix: 'FMWISS_SEED_REFINER_',
    programName: 'seed-refiner',
    description: 'SeedRefinerService: seed guidance from a self-supervised ViT, fusion with M_init, pseudo label maps.',
  });
  const logger = createLogger({ name: 'seed-refiner', level: config.logLevel });
  const server = await startSeedRefiner(config, logger);
  installShutdownSignals(server, logger);
}

main().catch((error: unknown) => {
  process.stderr.write(`seed-refiner: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof ConfigError ? 2 : isModelProblem(error) ? 3 : 1);
});
