/**
 * Quality of the project's own CLIP and self-supervised ViT (issue 6 item 5) on held-out labelled
 * images: zero-shot mAP, M_init mIoU, seed-attention IoU, union vs init-only. Run
 * `npx tsx tools/model-quality/src/main.ts --help`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

import { ClipMaskEngine, ClipModels, DEFAULT_MASS_FRACTION, DEFAULT_NUM_SEEDS, VitAttentionModel } from '@fmwiss/co-segmentation';
import { DatasetError, openVocDataset, VOC_CLASSES } from '@fmwiss/datasets';
import { ImageError } from '@fmwiss/imaging';
import { isModelProblem, openModel, type ModelBackend } from '@fmwiss/model-backends';

import { evaluateQuality, type QualityClass } from './quality';
import { formatReport, reportJSON } from './report';

export const DEFAULTS = Object.freeze({
  imageModel: 'onnx:models/mini-clip/clip-image.onnx',
  textModel: 'onnx:models/mini-clip/clip-text.onnx',
  vitModel: 'onnx:models/mini-dino/vit-attention.onnx',
  vocRoot: 'data/fmwiss-world/VOCdevkit/VOC2012',
  split: 'val',
});

const USAGE = `usage: npx tsx tools/model-quality/src/main.ts [options]
  --image-model URI       clip-image/1 model (default ${DEFAULTS.imageModel})
  --text-model URI        clip-text/1 model (default ${DEFAULTS.textModel})
  --vit-model URI         vit-attention/1 model (default ${DEFAULTS.vitModel})
  --voc-root DIR          VOC2012 folder (default ${DEFAULTS.vocRoot}; make it with npm run gen:benchmark)
  --split NAME            list of ImageSets/Segmentation (default ${DEFAULTS.split})
  --images N              the first N images of the split (default all)
  --seed S                seed of the seed-point draws (default 0)
  --class-names A,B,...   prompt names of classes 1, 2, ... (default the 20 VOC classes)
  --background-prompts P  comma-separated background prompts (default the clip-mask service's set)
  --num-seeds N           seeds per class (default ${DEFAULT_NUM_SEEDS})
  --mass-fraction K       K of the mass binarisation (default ${DEFAULT_MASS_FRACTION})
  --json FILE             also write the figures, targets and per-class figures as JSON
Paths and onnx: URIs are relative to the working directory. Progress goes to stderr.
Exit codes: 0 done (whether or not the targets are met), 1 a failure while running, 2 bad arguments
or a missing/unreadable dataset, 3 a missing, unreadable or non-conforming model.`;

/** Where the tool writes; tests capture it. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether progress lines are wanted (default: stderr is a terminal or the run is long). */
  progress?: boolean;
}

const processIo: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

class UsageError extends Error {}

function positiveInteger(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new UsageError(`${name} must be an integer >= 1, got "${text}"`);
  return value;
}

function list(text: string | undefined): string[] | undefined {
  return text?.split(',').map((part) => part.trim()).filter(Boolean);
}

/** Classes 1..N: the given prompt names, or VOC's (with their prompt spellings). */
export function classesFrom(names: readonly string[] | undefined): { classes: QualityClass[]; displayNames: string[] } {
  if (names === undefined) {
    const voc = VOC_CLASSES.slice(1);
    return { classes: voc.map((c) => ({ id: c.id, promptName: c.promptName })), displayNames: voc.map((c) => c.name) };
  }
  if (names.length === 0) throw new UsageError('--class-names names no class');
  if (names.length > 254) throw new UsageError(`--class-names names ${names.length} classes; at most 254`);
  return { classes: names.map((promptName, i) => ({ id: i + 1, promptName })), displayNames: [...names] };
}

/** The exit code of an error: 2 arguments or dataset, 3 model, 1 anything else. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError || (error as { code?: string } | null)?.code?.startsWith?.('ERR_PARSE_ARGS')) return 2;
  if (error instanceof DatasetError || error instanceof ImageError) return 2;
  if (isModelProblem(error)) return 3;
  return 1;
}

async function openModels(uris: { image: string; text: string; vit: string }): Promise<{ backends: ModelBackend[]; clip: ClipModels; vit: VitAttentionModel }> {
  const backends: ModelBackend[] = [];
  try {
    for (const uri of [uris.image, uris.text, uris.vit]) backends.push(await openModel(uri));
    const [image, text, vit] = backends as [ModelBackend, ModelBackend, ModelBackend];
    return { backends, clip: await ClipModels.open(image, text), vit: VitAttentionModel.open(vit) };
  } catch (error) {
    await Promise.all(backends.map((backend) => backend.dispose()));
    throw error;
  }
}

/** Parses the arguments, runs the evaluation, prints the table; returns the exit code (never throws). */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    const code = exitCodeOf(error);
    const message = error instanceof Error ? error.message : String(error);
    io.err(`model-quality: ${message}`);
    if (code === 2 && error instanceof DatasetError) io.err('model-quality: generate the benchmark with `npm run gen:benchmark`, or give --voc-root');
    if (code === 2 && !(error instanceof DatasetError || error instanceof ImageError)) io.err(USAGE);
    if (code === 3) io.err('model-quality: give the models with --image-model, --text-model and --vit-model (docs/model-contracts.md)');
    if (code === 1 && error instanceof Error && error.stack) io.err(error.stack);
    return code;
  }
}

async function run(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'image-model': { type: 'string', default: DEFAULTS.imageModel },
      'text-model': { type: 'string', default: DEFAULTS.textModel },
      'vit-model': { type: 'string', default: DEFAULTS.vitModel },
      'voc-root': { type: 'string', default: DEFAULTS.vocRoot },
      split: { type: 'string', default: DEFAULTS.split },
      images: { type: 'string' },
      seed: { type: 'string', default: '0' },
      'class-names': { type: 'string' },
      'background-prompts': { type: 'string' },
      'num-seeds': { type: 'string' },
      'mass-fraction': { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const limit = positiveInteger('--images', values.images);
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`--seed must be an integer >= 0, got "${values.seed}"`);
  const numSeeds = positiveInteger('--num-seeds', values['num-seeds']) ?? DEFAULT_NUM_SEEDS;
  const massFraction = values['mass-fraction'] === undefined ? DEFAULT_MASS_FRACTION : Number(values['mass-fraction']);
  if (!(massFraction > 0 && massFraction <= 1)) throw new UsageError(`--mass-fraction must be in (0, 1], got "${values['mass-fraction']}"`);
  const { classes, displayNames } = classesFrom(list(values['class-names']));
  const backgroundPrompts = list(values['background-prompts']);
  const models = { image: values['image-model']!, text: values['text-model']!, vit: values['vit-model']! };

  const started = performance.now();
  const dataset = await openVocDataset({ root: values['voc-root']!, split: values.split! });
  const ids = dataset.ids.slice(0, limit ?? dataset.ids.length);
  const opened = await openModels(models);
  try {
    const engine = new ClipMaskEngine(opened.clip, backgroundPrompts ? { backgroundPrompts } : {});
    const progress = io.progress ?? (process.stderr.isTTY || ids.length > 50);
    let lastReport = performance.now();
    const figures = await evaluateQuality({
      dataset,
      ids,
      engine,
      vit: opened.vit,
      classes,
      seed,
      numSeeds,
      massFraction,
      onProgress: (done, total) => {
        const now = performance.now();
        if (!progress || (done < total && now - lastReport < 2000)) return;
        lastReport = now;
        const seconds = (now - started) / 1000;
        const left = done > 0 ? (seconds / done) * (total - done) : 0;
        io.err(`model-quality: ${done}/${total} images, ${seconds.toFixed(1)} s${done < total ? `, about ${left.toFixed(0)} s left` : ''}`);
      },
    });
    const context = { dataset: `${dataset.name} (${dataset.root})`, images: figures.images, models, classNames: displayNames, wallSeconds: (performance.now() - started) / 1000 };
    io.out(formatReport(figures, context));
    if (values.json) {
      const file = path.resolve(values.json);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, `${JSON.stringify(reportJSON(figures, context), null, 2)}\n`);
      io.out(`wrote ${file}`);
    }
    return 0;
  } finally {
    await Promise.all(opened.backends.map((backend) => backend.dispose()));
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
