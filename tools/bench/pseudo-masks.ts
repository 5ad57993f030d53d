/**
 * Pseudo-mask benchmark (issue 5 item 8): images per second through the clip-mask and seed-refiner
 * services over gRPC (each a child process on 127.0.0.1), and the same work in-process through the
 * same model backends and engines, in one run; prints the services' overhead ratio (goal <= 1.10)
 * and the share of wall time spent inside the models.
 *
 * Per image, both paths do the same work, from PNG bytes to a pseudo-label PNG: decode once, M_init
 * for the image's true classes (ClipMask), seed refinement of those maps (SeedRefiner), label PNG;
 * first one image at a time, so the ratio isolates what the services add (messages, transport,
 * two more processes), then with --concurrency images in flight on both paths (bulk use). Over gRPC the client decodes the image and sends its pixels (Image.pixels) to both
 * services, as a coordinator does.
 *
 *   npx tsx tools/bench/pseudo-masks.ts [--images 24] [--models shipped|random] [--concurrency 4] [--rounds 3]
 *       [--image-model URI --text-model URI --vit-model URI] [--root data/fmwiss-world/VOCdevkit/VOC2012]
 *
 * Models: `shipped` (models/ of the repository, the default when present), `random` (random-weight
 * ViTs of the shipped models' size, the default otherwise), or explicit URIs.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

import {
  ClipMaskServiceClient,
  MapEncoding,
  SeedRefinerServiceClient,
  type InitialMasksResponse,
  type RefineResponse,
} from '@fmwiss/contracts';
import { ClipMaskEngine, ClipModels, SeedRefineEngine, VitAttentionModel } from '@fmwiss/co-segmentation';
import { openVocDataset, VOC_CLASS_NAMES } from '@fmwiss/datasets';
import { decodeImage, encodeLabelPng, encodePng, type RgbImage } from '@fmwiss/imaging';
import { openModel } from '@fmwiss/model-backends';
import { encodeTensor } from '@fmwiss/message-codecs';
import { createClient, orderedConcurrentMap, startChildService, unary, type ChildService } from '@fmwiss/service-kit';
import { randomClipModels, randomVitAttentionModel } from '@fmwiss/vit-models';

const ROOT = path.resolve(__dirname, '../..');

interface BenchImage {
  id: string;
  image: RgbImage;
  png: Buffer;
  classes: { id: number; name: string }[];
}

interface ModelUris {
  image: string;
  text: string;
  vit: string;
  label: string;
}

async function modelUris(kind: string, dir: string, explicit: Partial<ModelUris>): Promise<ModelUris> {
  if (explicit.image && explicit.text && explicit.vit) return { image: explicit.image, text: explicit.text, vit: explicit.vit, label: 'explicit URIs' };
  const shipped = {
    image: path.join(ROOT, 'models/mini-clip/clip-image.onnx'),
    text: path.join(ROOT, 'models/mini-clip/clip-text.onnx'),
    vit: path.join(ROOT, 'models/mini-dino/vit-attention.onnx'),
  };
  const haveShipped = Object.values(shipped).every((file) => existsSync(file));
  const chosen = kind === 'auto' ? (haveShipped ? 'shipped' : 'random') : kind;
  if (chosen === 'shipped') {
    if (!haveShipped) throw new Error(`--models shipped: ${Object.values(shipped).join(', ')} are not all present`);
    return { image: `onnx:${shipped.image}`, text: `onnx:${shipped.text}`, vit: `onnx:${shipped.vit}`, label: 'shipped models/' };
  }
  if (chosen === 'random') {
    const clip = await randomClipModels(path.join(dir, 'random-clip'), 1);
    const vitPath = path.join(dir, 'random-vit.onnx');
    await randomVitAttentionModel(vitPath, 2);
    return { image: `onnx:${clip.imagePath}`, text: `onnx:${clip.textPath}`, vit: `onnx:${vitPath}`, label: 'random-weight ViTs of the default size (96 px, patch 8, width 64, 4 blocks)' };
  }
  throw new Error(`--models must be shipped or random, got ${kind}`);
}

async function loadImages(root: string, count: number): Promise<BenchImage[]> {
  if (!existsSync(root)) throw new Error(`no dataset at ${root}: run \`npm run gen:benchmark\` first, or pass --root`);
  const dataset = await openVocDataset({ root, split: 'val' });
  const images: BenchImage[] = [];
  for (const id of dataset.ids.slice(0, count)) {
    const sample = await dataset.read(id);
    const present = [...new Set(sample.labels.data)].filter((c) => c > 0 && c < 255).sort((a, b) => a - b);
    if (present.length === 0) continue;
    images.push({ id, image: sample.image, png: await encodePng(sample.image), classes: present.map((c) => ({ id: c, name: VOC_CLASS_NAMES[c]! })) });
  }
  return images;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function drain(results: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of results) void _;
}

async function inProcess(uris: ModelUris, images: BenchImage[], concurrency: number): Promise<{ ms: number; modelMs: number }> {
  const [image, text, vit] = await Promise.all([openModel(uris.image), openModel(uris.text), openModel(uris.vit)]);
  try {
    const clip = new ClipMaskEngine(await ClipModels.open(image, text));
    const refiner = new SeedRefineEngine(VitAttentionModel.open(vit));
    let modelMs = 0;
    // The same work as the services: from PNG bytes to a pseudo-label PNG.
    const run = async (item: BenchImage): Promise<void> => {
      const image = await decodeImage(item.png, item.id);
      const masks = await clip.initialMasks(image, item.classes.map((c) => ({ id: c.id, promptName: c.name })));
      const refined = await refiner.refine({ image, imageId: item.id, initialMasks: masks.masks, classIds: item.classes.map((c) => c.id) });
      encodeLabelPng({ width: image.width, height: image.height, data: refined.labels });
      modelMs += masks.modelMs + refined.modelMs;
    };
    await run(images[0]!); // warm-up: text embeddings cached, sessions warm
    modelMs = 0;
    const started = performance.now();
    await drain(orderedConcurrentMap(images, concurrency, run));
    return { ms: performance.now() - started, modelMs };
  } finally {
    await Promise.all([image.dispose(), text.dispose(), vit.dispose()]);
  }
}

async function overGrpc(uris: ModelUris, images: BenchImage[], concurrency: number): Promise<{ ms: number; modelMs: number }> {
  const children: ChildService[] = [];
  try {
    children.push(await startChildService({ entry: path.join(ROOT, 'apps/clip-mask/src/main.ts'), args: ['--port', '0', '--image-model', uris.image, '--text-model', uris.text, '--log-level', 'info'] }));
    children.push(await startChildService({ entry: path.join(ROOT, 'apps/seed-refiner/src/main.ts'), args: ['--port', '0', '--model', uris.vit, '--log-level', 'info'] }));
    const clip = createClient(ClipMaskServiceClient, { address: `127.0.0.1:${children[0]!.port}`, deadlineMs: 120_000 });
    const refiner = createClient(SeedRefinerServiceClient, { address: `127.0.0.1:${children[1]!.port}`, deadlineMs: 120_000 });
    let modelMs = 0;
    const run = async (item: BenchImage): Promise<void> => {
      // Decoded once by the client and sent as pixels to both services, as in-process decodes once.
      const decoded = await decodeImage(item.png, item.id);
      const image = { imageId: item.id, source: { $case: 'pixels' as const, pixels: encodeTensor('uint8', [decoded.height, decoded.width, 3], decoded.data) } };
      const masks: InitialMasksResponse = await unary(clip, 'computeInitialMasks', {
        image,
        classes: item.classes.map((c) => ({ id: c.id, name: c.name, promptName: '' })),
        options: { templates: [], backgroundPrompts: [], temperature: undefined, includeScores: false, encoding: MapEncoding.MAP_ENCODING_UINT8 },
      });
      const refined: RefineResponse = await unary(refiner, 'refineMasks', { image, initialMasks: masks.masks, options: undefined });
      modelMs += masks.modelMs + refined.modelMs;
    };
    await run(images[0]!);
    modelMs = 0;
    const started = performance.now();
    await drain(orderedConcurrentMap(images, concurrency, run));
    const ms = performance.now() - started;
    clip.close();
    refiner.close();
    return { ms, modelMs };
  } finally {
    for (const child of children) child.process.kill('SIGTERM');
    await Promise.all(children.map((child) => child.exited));
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      images: { type: 'string', default: '24' },
      models: { type: 'string', default: 'auto' },
      'image-model': { type: 'string' },
      'text-model': { type: 'string' },
      'vit-model': { type: 'string' },
      root: { type: 'string', default: path.join(ROOT, 'data/fmwiss-world/VOCdevkit/VOC2012') },
      rounds: { type: 'string', default: '3' },
      concurrency: { type: 'string', default: '4' },
    },
  });
  const count = Number(values.images);
  const rounds = Number(values.rounds);
  if (!Number.isInteger(count) || count < 2) throw new Error('--images must be an integer >= 2');
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be an integer >= 1');
  const dir = await mkdtemp(path.join(tmpdir(), 'fmwiss-bench-pseudo-'));
  try {
    const uris = await modelUris(values.models!, dir, { image: values['image-model'], text: values['text-model'], vit: values['vit-model'] });
    const images = await loadImages(values.root!, count);
    const classes = images.reduce((sum, item) => sum + item.classes.length, 0);
    console.log(`pseudo-masks benchmark: ${images.length} val images (${(classes / images.length).toFixed(2)} classes each), ${uris.label}`);
    console.log(`cores: ${availableParallelism()}; median of ${rounds} rounds, the two paths alternating; M_init sent as UINT8 maps`);
    const concurrency = Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error('--concurrency must be an integer >= 1');
    const share = (runs: { ms: number; modelMs: number }[]): number => median(runs.map((r) => r.modelMs / r.ms));
    for (const inFlight of [...new Set([1, concurrency])]) {
      const local: { ms: number; modelMs: number }[] = [];
      const remote: { ms: number; modelMs: number }[] = [];
      for (let round = 0; round < rounds; round++) {
        local.push(await inProcess(uris, images, inFlight));
        remote.push(await overGrpc(uris, images, inFlight));
      }
      const localMs = median(local.map((r) => r.ms));
      const remoteMs = median(remote.map((r) => r.ms));
      console.log(`\n${inFlight} image${inFlight > 1 ? 's' : ''} in flight:`);
      // With several images in flight, model times overlap (and include waiting for a free worker).
      const shareText = (runs: { ms: number; modelMs: number }[]): string =>
        inFlight === 1 ? `model share of wall time ${(100 * share(runs)).toFixed(1)}%` : `model time / wall time ${share(runs).toFixed(2)} (overlapping calls)`;
      console.log(`  in-process:  ${((1000 * images.length) / localMs).toFixed(2)} images/s   ${shareText(local)}`);
      console.log(`  over gRPC:   ${((1000 * images.length) / remoteMs).toFixed(2)} images/s   ${shareText(remote)}`);
      const ratio = remoteMs / localMs;
      console.log(`  services / in-process time: ${ratio.toFixed(3)} (goal <= 1.10: ${ratio <= 1.1 ? 'met' : 'missed'})`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
