import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseCli, USAGE, UsageError, type CliOptions } from './cli-args';
import { makeContactSheet } from './contact-sheet';
import { generateWorld, GeneratorError, inspectOutput, removeGenerated } from './output/generate';
import type { WorldStats } from './output/stats';
import { GENERATOR_VERSION, type WorldParameters } from './output/world-description';
import { WORLD_CLASSES } from './world/classes';

/**
 * CLI: `npm run gen:benchmark -- [--out data/fmwiss-world] [--seed 1] [--train 3000] [--val 500]
 * [--corpus 8000] [--size 128] [--workers N] [--force] [--contact-sheet sheet.png]`.
 * Exit codes: 0 done (or already there), 1 an error, 2 a bad command line.
 */

type Print = (line: string) => void;

function summary(stats: WorldStats, seconds: number, print: Print): void {
  print(`images: train ${stats.train.images}, val ${stats.val.images}, corpus ${stats.corpus.images}`);
  print(`objects per image: train ${stats.train.objectsPerImage}, val ${stats.val.objectsPerImage}`);
  print('class           train   val   train pixel share');
  for (const c of WORLD_CLASSES) {
    const share = (stats.train.pixelShare[c.name]! * 100).toFixed(2);
    print(`${String(c.id).padStart(2)} ${c.name.padEnd(12)} ${String(stats.train.classImages[c.name]).padStart(5)} ${String(stats.val.classImages[c.name]).padStart(5)}   ${share.padStart(6)}%`);
  }
  const pct = (v: number | undefined): string => `${((v ?? 0) * 100).toFixed(1)}%`;
  print(`background ${pct(stats.train.pixelShare.background)} of train pixels, border/ignore ${pct(stats.train.pixelShare.ignore)}`);
  print(`time: ${seconds.toFixed(1)} s`);
}

export async function main(argv: readonly string[], print: Print = console.log, printError: Print = console.error): Promise<number> {
  let options: CliOptions;
  try {
    options = parseCli(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    printError(`gen:benchmark: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    print(USAGE);
    return 0;
  }
  try {
    const parameters: WorldParameters = {
      generatorVersion: GENERATOR_VERSION,
      seed: options.seed,
      size: options.size,
      train: options.train,
      val: options.val,
      corpus: options.corpus,
      jpegQuality: options.quality,
    };
    print(`gen:benchmark ${JSON.stringify({ out: options.out, ...parameters, workers: options.workers })}`);
    const existing = inspectOutput(options.out, parameters);
    if (existing.state === 'same' && !options.force) {
      print(`${options.out} already holds this world (same parameters); nothing to do (--force to regenerate).`);
    } else {
      if (existing.state === 'different' && !options.force) {
        throw new GeneratorError(`${existing.found}; pass --force to replace it, or choose another --out`);
      }
      if (existing.state !== 'absent') {
        print(`removing the previous world in ${options.out}`);
        await removeGenerated(options.out);
      }
      let lastTenth = -1;
      const { stats, seconds } = await generateWorld({
        out: options.out,
        parameters,
        workers: options.workers,
        onProgress: (done, total) => {
          const tenth = Math.floor((done * 10) / total);
          if (tenth !== lastTenth) {
            lastTenth = tenth;
            print(`progress ${done}/${total} images (${Math.round((done * 100) / total)}%)`);
          }
        },
      });
      summary(stats, seconds, print);
    }
    if (options.contactSheet) {
      await mkdir(dirname(options.contactSheet), { recursive: true });
      await writeFile(options.contactSheet, await makeContactSheet({ seed: options.seed, size: options.size }));
      print(`contact sheet: ${options.contactSheet}`);
    }
    return 0;
  } catch (error) {
    printError(`gen:benchmark: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
