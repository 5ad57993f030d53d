// SeedRefinerService through real gRPC on 127.0.0.1, on the blob "ViT" of @fmwiss/model-fixtures,
// whose attention is known in closed form: head 0 of patch p spreads evenly over the 3x3 patches
// around p, head 1 stays on p.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import {
  Binarization,
  Fusion,
  ImageFormat,
  MapEncoding,
  SeedRefinerServiceClient,
  type ClassMap,
  type Image,
  type RefineOptions,
  type RefineRequest,
  type RefineResponse,
} from '@fmwiss/contracts';
import { encodePng, type RgbImage } from '@fmwiss/imaging';
import { decodeLabelMapMessage, decodeTensor, encodeBinaryMask, encodeSoftMap } from '@fmwiss/message-codecs';
import { ModelContractError } from '@fmwiss/model-backends';
import { writeBlobVit, writeColourClip } from '@fmwiss/model-fixtures';
import { bidiStream, checkHealth, createClient, unary, type RunningServer, statusOf } from '@fmwiss/service-kit';

import { seedRefinerConfigSchema, type SeedRefinerConfig } from '../src/config';
import { startSeedRefiner } from '../src/server';

const SIZE = 64; // = the blob ViT's input size: patches of 8 px, an 8x8 grid
const GRID = 8;

/** A binary mask over [x0,x1) x [y0,y1). */
function box(x0: number, x1: number, y0: number, y1: number, value = 1): Float32Array {
  const mask = new Float32Array(SIZE * SIZE);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) mask[y * SIZE + x] = value;
  return mask;
}

const SQUARE = box(16, 48, 16, 48);

async function image(imageId: string, width = SIZE, height = SIZE): Promise<Image> {
  const rgb: RgbImage = { width, height, data: new Uint8Array(width * height * 3).fill(90) };
  return { imageId, source: { $case: 'encoded', encoded: { format: ImageFormat.IMAGE_FORMAT_PNG, data: await encodePng(rgb) } } };
}

function classMap(classId: number, values: Float32Array, width = SIZE, height = SIZE): ClassMap {
  return { classId, map: encodeSoftMap(values, width, height, MapEncoding.MAP_ENCODING_FLOAT32) };
}

function options(overrides: Partial<RefineOptions> = {}): RefineOptions {
  return { binarization: Binarization.BINARIZATION_UNSPECIFIED, fusion: Fusion.FUSION_UNSPECIFIED, includeIntermediates: true, encoding: MapEncoding.MAP_ENCODING_FLOAT32, ...overrides };
}

function refine(client: SeedRefinerServiceClient, request: RefineRequest): Promise<RefineResponse> {
  return new Promise((resolve, reject) => client.refineMasks(request, (error, response) => (error ? reject(error) : resolve(response))));
}

/** Bilinear resize of a [g,g] map to [S,S] with half-pixel centres, written out for the test. */
function upsample(patches: Float64Array): Float64Array {
  const out = new Float64Array(SIZE * SIZE);
  const scale = GRID / SIZE;
  const axis = (i: number): [number, number, number] => {
    const source = Math.min(GRID - 1, Math.max(0, (i + 0.5) * scale - 0.5));
    const low = Math.floor(source);
    return [low, Math.min(GRID - 1, low + 1), source - low];
  };
  for (let y = 0; y < SIZE; y++) {
    const [y0, y1, ty] = axis(y);
    for (let x = 0; x < SIZE; x++) {
      const [x0, x1, tx] = axis(x);
      const top = patches[y0 * GRID + x0]! * (1 - tx) + patches[y0 * GRID + x1]! * tx;
      const bottom = patches[y1 * GRID + x0]! * (1 - tx) + patches[y1 * GRID + x1]! * tx;
      out[y * SIZE + x] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
}

let dir: string;
let vitPath: string;
let server: RunningServer;
let client: SeedRefinerServiceClient;

const configFor = (overrides: Partial<SeedRefinerConfig> = {}): SeedRefinerConfig =>
  seedRefinerConfigSchema.parse({ port: 0, model: `onnx:${vitPath}`, maxImagePixels: SIZE * SIZE, ...overrides });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'seed-refiner-test-'));
  vitPath = await writeBlobVit(path.join(dir, 'blob-vit.onnx'));
  server = await startSeedRefiner(configFor(), pino({ level: 'silent' }));
  client = createClient(SeedRefinerServiceClient, { address: `127.0.0.1:${server.port}`, deadlineMs: 30_000 });
});

afterAll(async () => {
  client?.close();
  await server?.shutdown('test done');
  await rm(dir, { recursive: true, force: true });
});

describe('RefineMasks on the blob ViT', () => {
  it('reports SERVING and its defaults', async () => {
    expect(await checkHealth(`127.0.0.1:${server.port}`, 'fmwiss.v1.SeedRefinerService')).toBe('SERVING');
    const info = await unary(client, 'getInfo', {});
    expect(info.defaultNumSeeds).toBe(9);
    expect(info.defaultMassFraction).toBeCloseTo(0.7, 6);
    expect(info.model!.metadata).toMatchObject({ 'fmwiss.contract': 'vit-attention/1', 'tensor.attention': 'float32[?,2,65,65]' });
  });

  it('seeds inside the mask, averages the seeds\' attention over heads and seeds exactly, and fuses by union', async () => {
    const response = await refine(client, { image: await image('sq'), initialMasks: [classMap(7, SQUARE)], options: options({ randomSeed: 5 }) });
    const [item] = response.intermediates;
    expect(item!.classId).toBe(7);
    // A binary M_init: every 1 ties at the mass threshold, so the binarisation is the square itself.
    const init = decodeTensor(item!.initBinary, 'init', { dtypes: ['uint8'], shape: [SIZE, SIZE] }).data as Uint8Array;
    expect(Array.from(init)).toEqual(Array.from(SQUARE, (v) => v));
    expect(item!.seeds).toHaveLength(9);
    for (const seed of item!.seeds) expect(SQUARE[seed.y * SIZE + seed.x]).toBe(1);

    // Closed form at the patch grid: (1/N) sum_s (1/2) (blob(p_s)/9 + onehot(p_s)), then upsampled and min-max scaled.
    const patches = new Float64Array(GRID * GRID);
    for (const seed of item!.seeds) {
      const px = Math.floor((seed.x * GRID) / SIZE);
      const py = Math.floor((seed.y * GRID) / SIZE);
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) patches[(py + dy) * GRID + px + dx] += 0.5 / 9 / 9;
      patches[py * GRID + px] += 0.5 / 9;
    }
    const expected = upsample(patches);
    const min = Math.min(...expected);
    const max = Math.max(...expected);
    const seedMap = decodeTensor(item!.seedMap, 'seed map', { dtypes: ['float32'], shape: [SIZE, SIZE] }).data as Float32Array;
    expected.forEach((value, i) => expect(Math.abs(seedMap[i]! - (value - min) / (max - min))).toBeLessThan(1e-5));

    const seedBinary = decodeTensor(item!.seedBinary, 'seed binary', { dtypes: ['uint8'] }).data as Uint8Array;
    const fused = decodeTensor(item!.fused, 'fused', { dtypes: ['uint8'] }).data as Uint8Array;
    fused.forEach((value, i) => expect(value).toBe(init[i]! | seedBinary[i]!));
    // The seed map spreads beyond the square (the blob has radius 1 patch), so union grows the mask.
    const grown = fused.reduce((sum, v) => sum + v, 0);
    expect(grown).toBeGreaterThan(32 * 32);

    const labels = decodeLabelMapMessage(response.pseudoLabels, 'labels');
    expect(labels).toMatchObject({ width: SIZE, height: SIZE });
    labels.data.forEach((value, i) => expect(value).toBe(fused[i] ? 7 : 0));
    expect(response.areas).toEqual([{ classId: 7, pixels: grown }]);
  });

  it('draws the same seeds for the same random seed and other seeds for another', async () => {
    const seedsFor = async (randomSeed: number) =>
      (await refine(client, { image: await image('same-id'), initialMasks: [classMap(7, SQUARE)], options: options({ randomSeed }) })).intermediates[0]!.seeds;
    expect(await seedsFor(1)).toEqual(await seedsFor(1));
    expect(await seedsFor(1)).not.toEqual(await seedsFor(2));
  });

  it('fuses by intersection and init-only as asked, and gives overlaps to the higher M_init', async () => {
    const intersection = await refine(client, { image: await image('i'), initialMasks: [classMap(7, SQUARE)], options: options({ fusion: Fusion.FUSION_INTERSECTION }) });
    const item = intersection.intermediates[0]!;
    const init = decodeTensor(item.initBinary, 'i').data as Uint8Array;
    const seeds = decodeTensor(item.seedBinary, 's').data as Uint8Array;
    (decodeTensor(item.fused, 'f').data as Uint8Array).forEach((v, i) => expect(v).toBe(init[i]! & seeds[i]!));

    // Two classes with constant maps on overlapping boxes: init-only keeps each box; the overlap
    // goes to class 3, whose M_init is higher there (0.9 > 0.6).
    const left = box(0, 40, 0, 64, 0.6);
    const right = box(24, 64, 0, 64, 0.9);
    const response = await refine(client, {
      image: await image('two'),
      initialMasks: [classMap(2, left), classMap(3, right)],
      options: options({ fusion: Fusion.FUSION_INIT_ONLY, includeIntermediates: false }),
    });
    const labels = decodeLabelMapMessage(response.pseudoLabels, 'labels').data;
    labels.forEach((value, i) => expect(value).toBe(i % SIZE >= 24 ? 3 : 2));
    expect(response.areas).toEqual([
      { classId: 2, pixels: 24 * 64 },
      { classId: 3, pixels: 40 * 64 },
    ]);
    expect(response.intermediates).toEqual([]);
  });

  it('streams many images in order; a bad one fails alone', async () => {
    const good = await image('a');
    const requests: RefineRequest[] = [
      { image: good, initialMasks: [classMap(1, SQUARE)], options: options() },
      { image: { ...good, imageId: 'bad' }, initialMasks: [classMap(1, SQUARE)], options: options({ numSeeds: 0 }) },
      { image: { ...good, imageId: 'c' }, initialMasks: [classMap(1, SQUARE)], options: options({ includeIntermediates: false }) },
    ];
    const responses: RefineResponse[] = [];
    for await (const response of bidiStream(client, 'streamRefineMasks', requests)) responses.push(response);
    expect(responses.map((r) => [r.imageId, r.error?.code ?? 0])).toEqual([
      ['a', 0],
      ['bad', grpc.status.INVALID_ARGUMENT],
      ['c', 0],
    ]);
  });
});

describe('bad input', () => {
  const cases: Array<[string, () => Promise<RefineRequest>, RegExp]> = [
    ['N < 1', async () => ({ image: await image('x'), initialMasks: [classMap(1, SQUARE)], options: options({ numSeeds: 0 }) }), /num_seeds \(N\) must be an integer in 1\.\.1024, got 0/],
    ['K = 0', async () => ({ image: await image('x'), initialMasks: [classMap(1, SQUARE)], options: options({ massFraction: 0 }) }), /mass_fraction \(K\) must lie in \(0, 1\], got 0/],
    ['K > 1', async () => ({ image: await image('x'), initialMasks: [classMap(1, SQUARE)], options: options({ massFraction: 1.5 }) }), /mass_fraction \(K\) must lie in \(0, 1\], got 1\.5/],
    ['masks whose size differs from the image', async () => ({ image: await image('x'), initialMasks: [classMap(1, new Float32Array(32 * 32), 32, 32)], options: options() }), /initial_masks\[0\] \(class 1\)\.map has shape \[32,32\], expected \[64,64\]/],
    ['no masks', async () => ({ image: await image('x'), initialMasks: [], options: options() }), /initial_masks is empty/],
    ['mask values outside [0,1]', async () => ({ image: await image('x'), initialMasks: [classMap(1, box(0, 1, 0, 1, 3))], options: options() }), /holds 3 at pixel 0/],
    ['duplicate class ids', async () => ({ image: await image('x'), initialMasks: [classMap(1, SQUARE), classMap(1, SQUARE)], options: options() }), /1/],
    ['class id 0', async () => ({ image: await image('x'), initialMasks: [classMap(0, SQUARE)], options: options() }), /0/],
    ['bytes that are no image', async () => ({ image: { imageId: 'j', source: { $case: 'encoded', encoded: { format: 0, data: Buffer.from('nope') } } }, initialMasks: [classMap(1, SQUARE)], options: options() }), /image "j": not a PNG or JPEG file/],
    ['an image above the pixel limit', async () => ({ image: await image('big', 65, 64), initialMasks: [classMap(1, new Float32Array(65 * 64), 65, 64)], options: options() }), /image "big" is 65x64 = 4160 pixels, above this server's limit of 4096/],
    ['an unknown fusion', async () => ({ image: await image('x'), initialMasks: [classMap(1, SQUARE)], options: options({ fusion: 9 as Fusion }) }), /options\.fusion has unknown value 9/],
    ['a binary mask of another size', async () => ({ image: await image('x'), initialMasks: [{ classId: 1, map: encodeBinaryMask(new Uint8Array(4), 2, 2) }], options: options() }), /expected \[64,64\]/],
  ];
  it.each(cases)('refuses %s with INVALID_ARGUMENT and the reason', async (_name, make, message) => {
    const error = await statusOf(refine(client, await make()));
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toMatch(message);
  });
});

describe('model problems at start', () => {
  it('refuses a model that does not satisfy vit-attention/1, listing what is wrong', async () => {
    const clip = await writeColourClip(path.join(dir, 'clip'));
    const failure = await startSeedRefiner(configFor({ model: `onnx:${clip.imagePath}` }), pino({ level: 'silent' })).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(ModelContractError);
    expect((failure as Error).message).toMatch(/output "attention" is missing/);
    expect((failure as Error).message).toMatch(/output "patch_grid" is missing/);
  });

  it('the command line exits 3 when the model is missing', async () => {
    const run = promisify(execFile);
    const main = path.join(__dirname, '../src/main.ts');
    const failure = await run(process.execPath, ['--import', 'tsx', main, '--port', '0', '--model', `onnx:${path.join(dir, 'absent.onnx')}`], { timeout: 60_000 }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 3 });
    expect((failure as { stderr: string }).stderr).toMatch(/ONNX model file not found/);
  });
});
