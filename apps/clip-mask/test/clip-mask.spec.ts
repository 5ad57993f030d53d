// ClipMaskService through real gRPC on 127.0.0.1, on the colour "CLIP" of @fmwiss/model-fixtures,
// whose scores are known in closed form: a patch's score for "red" is r/|rgb|.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import {
  ClipMaskServiceClient,
  ImageFormat,
  MapEncoding,
  type ClassSpec,
  type Image,
  type InitialMasksRequest,
  type InitialMasksResponse,
} from '@fmwiss/contracts';
import { encodePng, type RgbImage } from '@fmwiss/imaging';
import { decodeTensor } from '@fmwiss/message-codecs';
import { ModelContractError, ModelLoadError } from '@fmwiss/model-backends';
import { writeBlobVit, writeColourClip } from '@fmwiss/model-fixtures';
import { bidiStream, checkHealth, createClient, unary, type RunningServer, statusOf } from '@fmwiss/service-kit';

import { clipMaskConfigSchema, type ClipMaskConfig } from '../src/config';
import { startClipMask } from '../src/server';

const RED: ClassSpec = { id: 1, name: 'red', promptName: '' };
const GREEN: ClassSpec = { id: 2, name: 'green', promptName: '' };

/** 64x64 gray with a red square over [16,48)^2: after the resize to 32 px, patches (1..2, 1..2) of the 4x4 grid. */
function squareImage(): RgbImage {
  const size = 64;
  const data = new Uint8Array(size * size * 3).fill(128);
  for (let y = 16; y < 48; y++) for (let x = 16; x < 48; x++) data.set([255, 0, 0], (y * size + x) * 3);
  return { width: size, height: size, data };
}

async function pngImage(image: RgbImage, imageId: string): Promise<Image> {
  return { imageId, source: { $case: 'encoded', encoded: { format: ImageFormat.IMAGE_FORMAT_PNG, data: await encodePng(image) } } };
}

function request(image: Image, classes: ClassSpec[], options: Partial<InitialMasksRequest['options']> = {}): InitialMasksRequest {
  return {
    image,
    classes,
    options: { templates: [], backgroundPrompts: ['gray'], temperature: undefined, includeScores: false, encoding: MapEncoding.MAP_ENCODING_FLOAT32, ...options },
  };
}

let dir: string;
let models: { imagePath: string; textPath: string };
let server: RunningServer;
let client: ClipMaskServiceClient;

function configFor(overrides: Partial<ClipMaskConfig> = {}): ClipMaskConfig {
  return clipMaskConfigSchema.parse({ port: 0, imageModel: `onnx:${models.imagePath}`, textModel: `onnx:${models.textPath}`, maxImagePixels: 64 * 64, ...overrides });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'clip-mask-test-'));
  models = await writeColourClip(path.join(dir, 'colour-clip'));
  server = await startClipMask(configFor(), pino({ level: 'silent' }));
  client = createClient(ClipMaskServiceClient, { address: `127.0.0.1:${server.port}`, deadlineMs: 30_000 });
});

afterAll(async () => {
  client?.close();
  await server?.shutdown('test done');
  await rm(dir, { recursive: true, force: true });
});

describe('ComputeInitialMasks on the colour CLIP', () => {
  it('reports SERVING and describes its models', async () => {
    expect(await checkHealth(`127.0.0.1:${server.port}`, 'fmwiss.v1.ClipMaskService')).toBe('SERVING');
    const info = await unary(client, 'getInfo', {});
    expect(info.imageModel!.uri).toBe(`onnx:${models.imagePath}`);
    expect(info.imageModel!.metadata).toMatchObject({ 'fmwiss.contract': 'clip-image/1', 'fmwiss.patch_size': '8', 'tensor.dense_embeddings': 'float32[?,4,4,3]' });
    expect(info.defaultTemperature).toBeCloseTo(0.01, 6);
    expect(info.defaultTemplates.length).toBe(88);
  });

  /**
   * The share of pixel x's bilinear weight (half-pixel centres, 4 patches -> 64 pixels) that falls on
   * patch columns 1 and 2, the red ones.
   */
  const redShare = (x: number): number => {
    const source = Math.min(3, Math.max(0, (x + 0.5) / 16 - 0.5));
    const left = Math.min(2, Math.floor(source));
    const t = source - left;
    const red = (column: number): number => (column === 1 || column === 2 ? 1 : 0);
    return (1 - t) * red(left) + t * red(left + 1);
  };

  it('gives M_init above 0.5 exactly where the red patches hold most of the bilinear weight, 1 at the centre, 0 far away', async () => {
    const response = await unary(client, 'computeInitialMasks', request(await pngImage(squareImage(), 'square'), [RED], { includeScores: true }));
    expect(response).toMatchObject({ imageId: 'square', width: 64, height: 64 });
    const red = decodeTensor(response.masks[0]!.map, 'red', { dtypes: ['float32'], shape: [64, 64] }).data as Float32Array;
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 64; x++) {
        // Scores are upsampled before the softmax, so red wins where its weight w satisfies
        // w*1 + (1-w)/sqrt(3) > w/sqrt(3) + (1-w)*1, i.e. w > 0.5, with w = share(x) * share(y).
        const inside = redShare(x) * redShare(y) > 0.5;
        expect([x, y, red[y * 64 + x]! > 0.5]).toEqual([x, y, inside]);
      }
    }
    expect(red[32 * 64 + 32]).toBe(1);
    expect(red[0]).toBe(0);
    // The raw cosine scores at the 4x4 grid: 1 on red patches, 1/sqrt(3) on gray ones; background (gray) the reverse.
    const scores = response.scores.map((map) => ({ id: map.classId, values: decodeTensor(map.map, 's', { shape: [4, 4] }).data as Float32Array }));
    expect(scores.map((s) => s.id)).toEqual([1, 0]);
    const onSquare = (p: number): boolean => [1, 2].includes(Math.floor(p / 4)) && [1, 2].includes(p % 4);
    scores[0]!.values.forEach((v, p) => expect(v).toBeCloseTo(onSquare(p) ? 1 : 1 / Math.sqrt(3), 5));
    scores[1]!.values.forEach((v, p) => expect(v).toBeCloseTo(onSquare(p) ? 1 / Math.sqrt(3) : 1, 5));
    expect(response.modelMs).toBeGreaterThan(0);
  });

  it('returns UINT8 maps as round(255 p) when asked, in request order', async () => {
    const response = await unary(
      client,
      'computeInitialMasks',
      request(await pngImage(squareImage(), 'u8'), [GREEN, RED], { encoding: MapEncoding.MAP_ENCODING_UINT8 }),
    );
    expect(response.masks.map((m) => m.classId)).toEqual([2, 1]);
    const red = decodeTensor(response.masks[1]!.map, 'red', { dtypes: ['uint8'] }).data as Uint8Array;
    expect(red[32 * 64 + 32]).toBe(255);
    expect(red[0]).toBe(0);
  });

  it('encodes class names with prompt ensembling: the colour words give the unit colour vectors', async () => {
    const response = await unary(client, 'encodeClassNames', {
      classes: [RED, { id: 3, name: 'gray', promptName: '' }],
      templates: [],
    });
    const values = decodeTensor(response.embeddings, 'e', { shape: [2, 3] }).data as Float32Array;
    const s = 1 / Math.sqrt(3);
    [1, 0, 0, s, s, s].forEach((expected, i) => expect(values[i]).toBeCloseTo(expected, 6));
  });

  it('streams many images in order, and a bad one fails alone', async () => {
    const good = await pngImage(squareImage(), 'a');
    const junk: Image = { imageId: 'junk', source: { $case: 'encoded', encoded: { format: 0, data: Buffer.from('not an image') } } };
    const requests = [request(good, [RED]), request(junk, [RED]), request({ ...good, imageId: 'c' }, [RED, GREEN]), request({ ...good, imageId: 'd' }, [])];
    const responses: InitialMasksResponse[] = [];
    for await (const response of bidiStream(client, 'streamInitialMasks', requests)) responses.push(response);
    expect(responses.map((r) => r.imageId)).toEqual(['a', 'junk', 'c', 'd']);
    expect(responses.map((r) => r.error?.code ?? 0)).toEqual([0, grpc.status.INVALID_ARGUMENT, 0, grpc.status.INVALID_ARGUMENT]);
    expect(responses[1]!.error!.message).toMatch(/image "junk": not a PNG or JPEG file/);
    expect(responses[3]!.error!.message).toMatch(/classes is empty/);
    expect(responses[2]!.masks).toHaveLength(2);
  });
});

describe('bad input', () => {
  const cases: Array<[string, () => Promise<InitialMasksRequest>, RegExp]> = [
    ['bytes that are no image', async () => request({ imageId: 'x', source: { $case: 'encoded', encoded: { format: 0, data: Buffer.from('GIF89a....') } } }, [RED]), /image "x": not a PNG or JPEG file/],
    ['an image above the pixel limit', async () => request(await pngImage({ width: 65, height: 64, data: new Uint8Array(65 * 64 * 3) }, 'big'), [RED]), /image "big" is 65x64 = 4160 pixels, above this server's limit of 4096/],
    ['no class names', async () => request(await pngImage(squareImage(), 'n'), []), /classes is empty/],
    ['a class without a name', async () => request(await pngImage(squareImage(), 'n'), [{ id: 4, name: ' ', promptName: '' }]), /classes\[0\] \(id 4\) has neither a name nor a prompt_name/],
    ['duplicate class ids', async () => request(await pngImage(squareImage(), 'n'), [RED, { ...GREEN, id: 1 }]), /classes\[1\]\.id 1 appears twice/],
    ['a class id out of range', async () => request(await pngImage(squareImage(), 'n'), [{ ...RED, id: 255 }]), /classes\[0\]\.id is 255; class ids must lie in 1\.\.254/],
    ['a temperature of 0', async () => request(await pngImage(squareImage(), 'n'), [RED], { temperature: 0 }), /options\.temperature must be a finite number > 0, got 0/],
    ['a template without {}', async () => request(await pngImage(squareImage(), 'n'), [RED], { templates: ['a photo'] }), /must contain exactly one "\{\}"/],
    ['an unknown map encoding', async () => request(await pngImage(squareImage(), 'n'), [RED], { encoding: 7 as MapEncoding }), /unknown map encoding 7/],
    ['no image at all', async () => ({ image: undefined, classes: [RED], options: undefined }), /image has neither encoded bytes nor pixels/],
    ['a background prompt the text model embeds to zero', async () => request(await pngImage(squareImage(), 'n'), [RED], { backgroundPrompts: ['mauve'] }), /embeds the prompt "mauve" to a zero vector/],
    ['a class name the text model embeds to zero', async () => request(await pngImage(squareImage(), 'n'), [{ id: 5, name: 'teal', promptName: '' }]), /embeds the prompt "teal" to a zero vector/],
  ];
  it.each(cases)('refuses %s with INVALID_ARGUMENT and the reason', async (_name, make, message) => {
    const error = await statusOf(unary(client, 'computeInitialMasks', await make()));
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toMatch(message);
  });
});

describe('model problems at start', () => {
  it('refuses a missing model file before serving', async () => {
    const missing = path.join(dir, 'absent.onnx');
    await expect(startClipMask(configFor({ imageModel: `onnx:${missing}` }), pino({ level: 'silent' }))).rejects.toThrow(ModelLoadError);
  });

  it('refuses a model that does not match the contract, listing what is wrong', async () => {
    const vit = await writeBlobVit(path.join(dir, 'vit.onnx'));
    const failure = await startClipMask(configFor({ imageModel: `onnx:${vit}` }), pino({ level: 'silent' })).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(ModelContractError);
    expect((failure as Error).message).toMatch(/does not satisfy contract clip-image\/1/);
    expect((failure as Error).message).toMatch(/property fmwiss\.contract is "vit-attention\/1", expected "clip-image\/1"/);
    expect((failure as Error).message).toMatch(/output "dense_embeddings" is missing/);
  });

  it('refuses a tokenizer file that is missing', async () => {
    const copy = path.join(dir, 'lonely');
    const lonely = await writeColourClip(copy);
    await rm(lonely.tokenizerPath);
    await expect(startClipMask(configFor({ textModel: `onnx:${lonely.textPath}` }), pino({ level: 'silent' }))).rejects.toThrow(/cannot read the text model's tokenizer file .*clip-text\.tokenizer\.json/);
  });

  it('the command line exits 3 with the reason when a model is missing, and documents every flag', async () => {
    const run = promisify(execFile);
    const main = path.join(__dirname, '../src/main.ts');
    const failure = await run(process.execPath, ['--import', 'tsx', main, '--port', '0', '--image-model', `onnx:${path.join(dir, 'absent.onnx')}`], { timeout: 60_000 }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 3 });
    expect((failure as { stderr: string }).stderr).toMatch(/ONNX model file not found: .*absent\.onnx/);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', main, '--help'], { timeout: 60_000 });
    for (const flag of ['--image-model', '--text-model', '--max-image-pixels', '--onnx-workers', '--kserve-timeout-ms', '--stream-concurrency', 'FMWISS_CLIP_MASK_IMAGE_MODEL']) {
      expect(stdout).toContain(flag);
    }
  });
});

