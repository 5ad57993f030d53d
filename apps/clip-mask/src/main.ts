import { ConfigError, createLogger, installShutdownSignals, loadConfig } from '@fmwiss/service-kit';
import { isModelProblem } from '@fmwiss/model-backends';
import { clipMaskConfigSchema } from './config';
import { startClipMask } from './server';

/**
 * The clip-mask server: `tsx apps/clip-mask/src/main.ts --help` lists every option.
 * Exit codes: 0 after a graceful shutdown, 1 on another start-up failure, 2 on invalid
 * configuration, 3 when a model cannot be opened or does not satisfy its contract.
 */
async function main(): Promise<void> {
  const config = loadConfig(clipMaskConfigSchema, {
    argv: process.argv.slice(2),
    env: process.env,
    envPrefix: 'FMWISS_CLIP_MASK_',
    programName: 'clip-mask',
    description: 'ClipMaskService: initial masks (M_init) from CLIP dense features and prompt-ensembled class names.',
  });
  const logger = createLogger({ name: 'clip-mask', level: config.logLevel });
  const server = await startClipMask(config, logger);
  installShutdownSignals(server, logger);
}

main().catch((error: unknown) => {
  process.stderr.write(`clip-mask: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof ConfigError ? 2 : isModelProblem(error) ? 3 : 1);
});
