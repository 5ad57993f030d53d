import { ConfigError, createLogger, installShutdownSignals, loadConfig } from '@fmwiss/service-kit';
import { memoryBankConfigSchema } from './config';
import { startMemoryBank } from './server';

/**
 * The memory-bank server: `tsx apps/memory-bank/src/main.ts --help` lists every option.
 * Exit codes: 0 after a graceful shutdown, 1 on a start-up failure, 2 on invalid configuration.
 */
async function main(): Promise<void> {
  const config = loadConfig(memoryBankConfigSchema, {
    argv: process.argv.slice(2),
    env: process.env,
    envPrefix: 'FMWISS_MEMORY_BANK_',
    programName: 'memory-bank',
    description: 'MemoryBankService: archives of old-class instances for memory-based copy-paste.',
  });
  const logger = createLogger({ name: 'memory-bank', level: config.logLevel });
  const server = await startMemoryBank(config, logger);
  installShutdownSignals(server, logger);
}

main().catch((error: unknown) => {
  process.stderr.write(`memory-bank: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
