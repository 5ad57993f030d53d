import { z } from 'zod';
import { serverConfigSchemaWithPort } from '@fmwiss/service-kit';
import { DEFAULT_LIMITS } from '@fmwiss/memory-archive';

export const MEMORY_BANK_DEFAULT_PORT = 50053;

/** Every option of the memory-bank server: `--kebab-case` flags or FMWISS_MEMORY_BANK_* variables. */
export const memoryBankConfigSchema = serverConfigSchemaWithPort(MEMORY_BANK_DEFAULT_PORT).extend({
  databasePath: z
    .string()
    .min(1)
    .default('data/memory-bank/archives.sqlite')
    .describe('SQLite database file holding every archive (created with its folder if missing)'),
  durability: z
    .enum(['full', 'normal'])
    .default('full')
    .describe('SQLite synchronous mode: full survives power loss, normal (WAL) survives a process crash and is faster'),
  maxInstanceSide: z
    .number()
    .int()
    .min(1)
    .max(16384)
    .default(DEFAULT_LIMITS.maxInstanceSide)
    .describe('longest side of an instance crop, in pixels; larger crops are refused'),
  maxSampleCount: z
    .number()
    .int()
    .min(1)
    .default(DEFAULT_LIMITS.maxSampleCount)
    .describe('most instances one Sample call may draw'),
  maxCapacityPerClass: z
    .number()
    .int()
    .min(1)
    .default(DEFAULT_LIMITS.maxCapacityPerClass)
    .describe('largest capacity_per_class (B) an archive may be created with'),
});

export type MemoryBankConfig = z.infer<typeof memoryBankConfigSchema>;
