import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';

export const USAGE = `Usage: npm run gen:benchmark -- [options]
  Generates the embedded synthetic benchmark (VOC 2012 layout) and its captioned pretraining corpus.

  --out <dir>            output folder (default data/fmwiss-world)
  --seed <int>           world seed (default 1)
  --train <n>            benchmark train images (default 3000)
  --val <n>              benchmark val images (default 500)
  --corpus <n>           captioned corpus images (default 8000)
  --size <px>            image side, 96..512 (default 128)
  --quality <1..100>     JPEG quality (default 90)
  --workers <n>          worker threads, 0 = none (default: available cores)
  --force                replace an existing world in <out>
  --contact-sheet <png>  also write a contact sheet (one row per class) to <png>
  -h, --help             this text

If <out>/world.json already describes the same parameters, nothing is generated (exit 0).`;

export interface CliOptions {
  readonly out: string;
  readonly seed: number;
  readonly train: number;
  readonly val: number;
  readonly corpus: number;
  readonly size: number;
  readonly quality: number;
  readonly workers: number;
  readonly force: boolean;
  readonly contactSheet: string | undefined;
  readonly help: boolean;
}

/** A bad command line: the CLI prints the message and the usage, and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function intFlag(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`--${name} must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new UsageError(`--${name} must be in ${min}..${max}, got ${raw}`);
  return value;
}

export function parseCli(argv: readonly string[]): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        out: { type: 'string' },
        seed: { type: 'string' },
        train: { type: 'string' },
        val: { type: 'string' },
        corpus: { type: 'string' },
        size: { type: 'string' },
        quality: { type: 'string' },
        workers: { type: 'string' },
        force: { type: 'boolean' },
        'contact-sheet': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const out = values.out ?? 'data/fmwiss-world';
  if (out.trim() === '') throw new UsageError('--out must not be empty');
  const contactSheet = values['contact-sheet'];
  if (contactSheet !== undefined && contactSheet.trim() === '') throw new UsageError('--contact-sheet needs a file name');
  return {
    out,
    seed: intFlag('seed', values.seed, 1, 0, Number.MAX_SAFE_INTEGER),
    train: intFlag('train', values.train, 3000, 1, 1_000_000),
    val: intFlag('val', values.val, 500, 1, 1_000_000),
    corpus: intFlag('corpus', values.corpus, 8000, 0, 1_000_000),
    size: intFlag('size', values.size, 128, 96, 512),
    quality: intFlag('quality', values.quality, 90, 1, 100),
    workers: intFlag('workers', values.workers, availableParallelism(), 0, 64),
    force: values.force ?? false,
    contactSheet,
    help: values.help ?? false,
  };
}
