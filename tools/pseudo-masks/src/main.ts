/**
 * Pseudo label maps for one image from the clip-mask and seed-refiner services, called with a plain
 * grpc-js client (./plain-client.ts). Run `npm run pseudo-masks -- --help`.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

import { VOC_CLASS_NAMES } from '@fmwiss/datasets';
import { encodeGrayPng } from '@fmwiss/imaging';
import { startChildService, type ChildService } from '@fmwiss/service-kit';

import { plainClients, pseudoMasks } from './plain-client';

const ROOT = path.resolve(__dirname, '../../..');

const USAGE = `usage: npm run pseudo-masks -- --image FILE --classes CLASSES [options]
  --image FILE            a PNG or JPEG image
  --classes CLASSES       the classes the image contains: VOC names (cat,dog) or id:name pairs (1:red,2:green)
  --clip-mask ADDR        a running ClipMaskService (host:port)
  --seed-refiner ADDR     a running SeedRefinerService (host:port)
  --start                 start both services as child processes instead, on:
    --image-model URI       (default onnx:models/mini-clip/clip-image.onnx)
    --text-model URI        (default onnx:models/mini-clip/clip-text.onnx)
    --vit-model URI         (default onnx:models/mini-dino/vit-attention.onnx)
  --background-prompts P  comma-separated background prompts (default: the service's set)
  --num-seeds N           seeds per class (default: the service's, 9)
  --mass-fraction K       K in (0,1] (default: the service's, 0.7)
  --fusion MODE           union | intersection | init-only | seeds-only (default union)
  --out DIR               where m_init-<id>.png and pseudo-labels.png go (default tmp/pseudo-masks)
Exit codes: 0 done, 1 a call failed, 2 bad arguments.`;

class UsageError extends Error {}

/** `cat,dog` (VOC names) or `1:red,2:green`. */
export function parseClasses(text: string): { id: number; name: string }[] {
  const classes = text.split(',').map((part) => part.trim()).filter(Boolean).map((part) => {
    const pair = /^(\d+):(.+)$/.exec(part);
    if (pair) return { id: Number(pair[1]), name: pair[2]!.trim() };
    const id = VOC_CLASS_NAMES.indexOf(part);
    if (id <= 0) throw new UsageError(`unknown class "${part}": use a VOC class name (${VOC_CLASS_NAMES.slice(1).join(', ')}) or id:name`);
    return { id, name: part };
  });
  if (classes.length === 0) throw new UsageError('--classes names no class');
  return classes;
}

const FUSIONS: Record<string, string> = { union: 'FUSION_UNION', intersection: 'FUSION_INTERSECTION', 'init-only': 'FUSION_INIT_ONLY', 'seeds-only': 'FUSION_SEEDS_ONLY' };

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      image: { type: 'string' },
      classes: { type: 'string' },
      'clip-mask': { type: 'string' },
      'seed-refiner': { type: 'string' },
      start: { type: 'boolean', default: false },
      'image-model': { type: 'string', default: 'onnx:models/mini-clip/clip-image.onnx' },
      'text-model': { type: 'string', default: 'onnx:models/mini-clip/clip-text.onnx' },
      'vit-model': { type: 'string', default: 'onnx:models/mini-dino/vit-attention.onnx' },
      'background-prompts': { type: 'string' },
      'num-seeds': { type: 'string' },
      'mass-fraction': { type: 'string' },
      fusion: { type: 'string', default: 'union' },
      out: { type: 'string', default: 'tmp/pseudo-masks' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.image || !values.classes) throw new UsageError('--image and --classes are required');
  if (!values.start && (!values['clip-mask'] || !values['seed-refiner'])) throw new UsageError('give --clip-mask and --seed-refiner addresses, or --start');
  const fusion = FUSIONS[values.fusion!];
  if (!fusion) throw new UsageError(`--fusion must be one of ${Object.keys(FUSIONS).join(', ')}`);
  const classes = parseClasses(values.classes);
  const encoded = await readFile(values.image);

  const children: ChildService[] = [];
  try {
    let clipAddress = values['clip-mask'];
    let refinerAddress = values['seed-refiner'];
    if (values.start) {
      console.log('starting clip-mask and seed-refiner on 127.0.0.1 ...');
      const clip = await startChildService({ entry: path.join(ROOT, 'apps/clip-mask/src/main.ts'), args: ['--port', '0', '--image-model', values['image-model']!, '--text-model', values['text-model']!] });
      children.push(clip);
      const refiner = await startChildService({ entry: path.join(ROOT, 'apps/seed-refiner/src/main.ts'), args: ['--port', '0', '--model', values['vit-model']!] });
      children.push(refiner);
      clipAddress = `127.0.0.1:${clip.port}`;
      refinerAddress = `127.0.0.1:${refiner.port}`;
    }
    const clients = plainClients(clipAddress!, refinerAddress!);
    try {
      const refineOptions: Record<string, unknown> = { fusion };
      if (values['num-seeds'] !== undefined) refineOptions.num_seeds = Number(values['num-seeds']);
      if (values['mass-fraction'] !== undefined) refineOptions.mass_fraction = Number(values['mass-fraction']);
      const backgroundPrompts = values['background-prompts']?.split(',').map((p) => p.trim()).filter(Boolean) ?? [];
      const result = await pseudoMasks(clients, { imageId: path.basename(values.image), encoded, classes, backgroundPrompts, refineOptions });
      const out = path.resolve(values.out!);
      await mkdir(out, { recursive: true });
      for (const mask of result.initialMasks) {
        await writeFile(path.join(out, `m_init-${mask.class_id}.png`), encodeGrayPng({ width: result.width, height: result.height, data: new Uint8Array(mask.data) }));
      }
      await writeFile(path.join(out, 'pseudo-labels.png'), result.labelsPng);
      console.log(`${values.image}: ${result.width}x${result.height}`);
      for (const area of result.areas) {
        const name = classes.find((c) => c.id === area.class_id)?.name ?? '?';
        console.log(`  class ${area.class_id} (${name}): ${area.pixels} pixels (${((100 * area.pixels) / (result.width * result.height)).toFixed(1)}%)`);
      }
      console.log(`wrote ${out}/pseudo-labels.png and m_init-<id>.png`);
    } finally {
      clients.close();
    }
  } finally {
    for (const child of children) child.process.kill('SIGTERM');
    await Promise.all(children.map((child) => child.exited));
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
      console.error(`pseudo-masks: ${error instanceof Error ? (error as Error & { details?: string }).details ?? error.message : String(error)}`);
      if (usage) console.error(USAGE);
      process.exit(usage ? 2 : 1);
    },
  );
}
