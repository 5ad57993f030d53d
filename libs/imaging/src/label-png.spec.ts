import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import sharp from 'sharp';
import { SeededRandom } from '@fmwiss/random';
import { decodeImage } from './image-codec';
import { ImageError } from './image-error';
import { decodeLabelPng, encodeGrayPng, encodeLabelPng, readLabelFile } from './label-png';
import { readPngChunks } from './png-chunks';
import type { LabelImage } from './types';
import { VOC_PALETTE } from './voc-palette';

// --- an independent, minimal PNG writer for the tests: chunks and filters written out by hand ---

function chunk(type: string, data: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

interface HandPng {
  width: number;
  height: number;
  bitDepth?: number;
  colourType?: number;
  interlace?: number;
  /** Scanlines as stored: each a filter byte then the filtered row. */
  scanlines: Uint8Array;
  plte?: Uint8Array;
}

function handPng({ width, height, bitDepth = 8, colourType = 3, interlace = 0, scanlines, plte }: HandPng): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colourType;
  ihdr[12] = interlace;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('tEXt', Buffer.from('Comment\0made by hand')),
    ...(plte ? [chunk('PLTE', plte)] : []),
    chunk('IDAT', zlib.deflateSync(scanlines)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Filters 8-bit single-channel rows, row y with filter types[y % types.length]. */
function filterRows(labels: LabelImage, types: number[]): Uint8Array {
  const { width, height, data } = labels;
  const out = new Uint8Array(height * (width + 1));
  for (let y = 0; y < height; y++) {
    const type = types[y % types.length]!;
    out[y * (width + 1)] = type;
    for (let x = 0; x < width; x++) {
      const a = x > 0 ? data[y * width + x - 1]! : 0;
      const b = y > 0 ? data[(y - 1) * width + x]! : 0;
      const c = x > 0 && y > 0 ? data[(y - 1) * width + x - 1]! : 0;
      const predictor = [0, a, b, Math.floor((a + b) / 2), paeth(a, b, c)][type]!;
      out[y * (width + 1) + 1 + x] = (data[y * width + x]! - predictor + 256) % 256;
    }
  }
  return out;
}

function randomLabels(width: number, height: number, seed: number, values = 256): LabelImage {
  const random = new SeededRandom(seed, 'labels');
  return { width, height, data: Uint8Array.from({ length: width * height }, () => random.int(values)) };
}

async function sharpGrayPng(labels: LabelImage, progressive: boolean): Promise<Buffer> {
  return sharp(labels.data, { raw: { width: labels.width, height: labels.height, channels: 1 } })
    .toColourspace('b-w')
    .png({ progressive })
    .toBuffer();
}

describe('encodeLabelPng / decodeLabelPng', () => {
  it.each([
    [1, 1],
    [7, 5],
    [128, 96],
  ])('round-trips a %ix%i label map exactly, 255 included', (width, height) => {
    const labels = randomLabels(width, height, width);
    labels.data[0] = 255;
    const png = encodeLabelPng(labels);
    const chunks = readPngChunks(png, 'x', true);
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'PLTE', 'IDAT', 'IEND']);
    expect(chunks[0]!.data[9]).toBe(3); // colour type: palette
    expect(Buffer.from(chunks[1]!.data)).toEqual(Buffer.from(VOC_PALETTE));
    expect(decodeLabelPng(png, 'x')).toEqual(labels);
  });

  it('pads a short palette so every label has an entry', () => {
    const labels: LabelImage = { width: 2, height: 1, data: Uint8Array.of(0, 4) };
    const png = encodeLabelPng(labels, Uint8Array.of(1, 2, 3, 4, 5, 6));
    const plte = readPngChunks(png, 'x', true).find((c) => c.type === 'PLTE')!;
    expect([...plte.data]).toEqual([1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(decodeLabelPng(png, 'x')).toEqual(labels);
    expect(() => encodeLabelPng(labels, Uint8Array.of(1, 2))).toThrow(RangeError);
  });

  it('round-trips through a grayscale PNG (COCO style), which sharp reads as the same values', async () => {
    const labels = randomLabels(19, 13, 2);
    const png = encodeGrayPng(labels);
    expect(readPngChunks(png, 'x', true)[0]!.data[9]).toBe(0);
    expect(decodeLabelPng(png, 'x')).toEqual(labels);
    const { data, info } = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(1);
    expect(new Uint8Array(data)).toEqual(labels.data);
  });

  it('rejects a label map whose data does not match its size', () => {
    expect(() => encodeLabelPng({ width: 3, height: 3, data: new Uint8Array(8) })).toThrow(RangeError);
  });
});

describe('decodeLabelPng of PNGs written by other encoders', () => {
  it.each([
    ['None, Sub, Up, Average, Paeth', [0, 1, 2, 3, 4]],
    ['Paeth, Average, Up, Sub, None (first row with no row above)', [4, 3, 2, 1, 0]],
    ['Average first', [3, 4, 1]],
  ])('undoes the filters %s on a hand-made palette PNG', (_name, types) => {
    const labels = randomLabels(9, 7, types[0]!);
    const png = handPng({ width: 9, height: 7, scanlines: filterRows(labels, types), plte: VOC_PALETTE });
    expect(decodeLabelPng(png, 'hand.png')).toEqual(labels);
  });

  it('reads sub-byte palette and gray depths (4, 2 and 1 bits per pixel)', () => {
    const four = handPng({ width: 3, height: 2, bitDepth: 4, scanlines: Uint8Array.of(0, 0x12, 0xf0, 0, 0x05, 0x90) });
    expect(decodeLabelPng(four, 'x')).toEqual({ width: 3, height: 2, data: Uint8Array.of(1, 2, 15, 0, 5, 9) });
    const two = handPng({ width: 5, height: 1, bitDepth: 2, colourType: 0, scanlines: Uint8Array.of(0, 0xc6, 0xc0) });
    expect(decodeLabelPng(two, 'x')).toEqual({ width: 5, height: 1, data: Uint8Array.of(3, 0, 1, 2, 3) });
    // Sub filter on packed bytes: 0xb1, 0xc0 stored as 0xb1, 0xc0 - 0xb1.
    const one = handPng({ width: 10, height: 1, bitDepth: 1, scanlines: Uint8Array.of(1, 0xb1, (0xc0 - 0xb1) & 255) });
    expect(decodeLabelPng(one, 'x')).toEqual({ width: 10, height: 1, data: Uint8Array.of(1, 0, 1, 1, 0, 0, 0, 1, 1, 1) });
  });

  it.each([
    [1, 1],
    [3, 2],
    [13, 11],
    [64, 40],
  ])('decodes %ix%i grayscale PNGs made by sharp, plain and interlaced (Adam7)', async (width, height) => {
    const labels = randomLabels(width, height, width * height, 21);
    for (const progressive of [false, true]) {
      const png = await sharpGrayPng(labels, progressive);
      const ihdr = readPngChunks(png, 'x', true)[0]!.data;
      expect([ihdr[8], ihdr[9], ihdr[12]]).toEqual([8, 0, progressive ? 1 : 0]);
      expect(decodeLabelPng(png, 'x')).toEqual(labels);
    }
  });

  it("gives the palette indices of sharp's palette PNG: looked up in its PLTE they are sharp's own colours", async () => {
    const width = 24;
    const height = 16;
    const colours = [
      [200, 30, 30],
      [20, 180, 40],
      [250, 250, 250],
      [10, 10, 90],
    ];
    const rgb = new Uint8Array(width * height * 3);
    for (let p = 0; p < width * height; p++) rgb.set(colours[(Math.floor(p / 5) + (p % 7)) % 4]!, p * 3);
    const png = await sharp(rgb, { raw: { width, height, channels: 3 } }).png({ palette: true, dither: 0 }).toBuffer();
    expect(readPngChunks(png, 'x', true)[0]!.data[9]).toBe(3);
    const indices = decodeLabelPng(png, 'x');
    const plte = readPngChunks(png, 'x', true).find((c) => c.type === 'PLTE')!.data;
    const lookedUp = new Uint8Array(width * height * 3);
    for (let p = 0; p < width * height; p++) lookedUp.set(plte.subarray(indices.data[p]! * 3, indices.data[p]! * 3 + 3), p * 3);
    expect(lookedUp).toEqual((await decodeImage(png, 'x')).data);
  });
});

describe('decodeLabelPng refuses what is not a label map', () => {
  const labels = randomLabels(6, 4, 9);
  const good = encodeLabelPng(labels);
  const refusal = (bytes: Uint8Array): ImageError => {
    try {
      decodeLabelPng(bytes, 'gt/2007_000032.png');
    } catch (error) {
      expect(error).toBeInstanceOf(ImageError);
      expect((error as ImageError).what).toBe('gt/2007_000032.png');
      expect((error as ImageError).message).toBe(`gt/2007_000032.png: ${(error as ImageError).problem}`);
      return error as ImageError;
    }
    throw new Error('decodeLabelPng accepted it');
  };

  it('refuses RGB, RGBA and gray+alpha PNGs, naming the colour type', async () => {
    const rgb = await sharp(Buffer.alloc(4 * 4 * 3, 9), { raw: { width: 4, height: 4, channels: 3 } }).png().toBuffer();
    expect(refusal(rgb).problem).toBe('label PNG must be 8-bit palette or grayscale, got RGB (colour type 2)');
    const rgba = await sharp(Buffer.alloc(4 * 4 * 4, 9), { raw: { width: 4, height: 4, channels: 4 } }).png().toBuffer();
    expect(refusal(rgba).problem).toBe('label PNG must be 8-bit palette or grayscale, got RGBA (colour type 6)');
    const grayAlpha = handPng({ width: 1, height: 1, colourType: 4, scanlines: Uint8Array.of(0, 1, 2) });
    expect(refusal(grayAlpha).problem).toMatch(/got grayscale\+alpha \(colour type 4\)/);
  });

  it('refuses 16-bit grayscale', () => {
    const png = handPng({ width: 1, height: 1, bitDepth: 16, colourType: 0, scanlines: Uint8Array.of(0, 1, 2) });
    expect(refusal(png).problem).toBe('label PNG must be 8-bit palette or grayscale, got 16-bit grayscale');
  });

  it('refuses an empty file, a JPEG and a GIF', async () => {
    expect(refusal(new Uint8Array(0)).problem).toBe('empty file');
    const jpeg = await sharp(Buffer.alloc(8 * 8 * 3, 9), { raw: { width: 8, height: 8, channels: 3 } }).jpeg().toBuffer();
    expect(refusal(jpeg).problem).toMatch(/^not a PNG file \(starts ffd8ff/);
    expect(refusal(Buffer.from('GIF89a\x01\x00\x01\x00')).problem).toMatch(/^not a PNG file \(starts 4749463839610100\.\.\.\)/);
  });

  it('refuses a CRC mismatch', () => {
    const bad = Buffer.from(good);
    bad[bad.length - 20]! ^= 0x40; // inside IDAT's data
    expect(refusal(bad).problem).toMatch(/^truncated or corrupt: CRC mismatch in IDAT chunk/);
  });

  it('refuses truncated files and a missing IEND', () => {
    expect(refusal(good.subarray(0, good.length - 30)).problem).toMatch(/^truncated or corrupt: PNG ends inside its IDAT chunk/);
    expect(refusal(good.subarray(0, good.length - 12)).problem).toMatch(/before its IEND chunk/);
    expect(refusal(good.subarray(0, 20)).problem).toMatch(/^truncated or corrupt/);
    expect(refusal(good.subarray(0, 8)).problem).toMatch(/before its IEND chunk/);
  });

  it('refuses image data that does not inflate, or inflates short or long', () => {
    const scanlines = filterRows(labels, [0]);
    const base = { width: 6, height: 4, plte: VOC_PALETTE };
    const notZlib = Buffer.from(handPng({ ...base, scanlines }));
    // Rebuild with garbage IDAT bytes but a correct CRC.
    const garbage = Buffer.concat([
      notZlib.subarray(0, 8 + 25 + 12 + 20 + 12 + 768),
      chunk('IDAT', Buffer.from('this is not zlib data')),
      chunk('IEND', new Uint8Array(0)),
    ]);
    expect(refusal(garbage).problem).toMatch(/^truncated or corrupt: image data does not inflate/);
    const short = handPng({ ...base, scanlines: scanlines.subarray(0, scanlines.length - 3) });
    expect(refusal(short).problem).toBe('truncated or corrupt: image data inflates to 25 bytes, a 6x4 image needs 28');
    const long = handPng({ ...base, scanlines: Buffer.concat([scanlines, Buffer.alloc(5)]) });
    expect(refusal(long).problem).toMatch(/inflates to more than the 28 bytes/);
  });

  it('refuses an unknown filter type', () => {
    const scanlines = filterRows(labels, [0]);
    scanlines[7] = 5;
    expect(refusal(handPng({ width: 6, height: 4, scanlines })).problem).toBe(
      'truncated or corrupt: unknown PNG filter type 5 in scanline 1',
    );
  });
});

describe('readLabelFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'imaging-labels-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a label PNG from disk, and names a missing file', async () => {
    const labels = randomLabels(5, 3, 4);
    await writeFile(join(dir, 'a.png'), encodeLabelPng(labels));
    expect(await readLabelFile(join(dir, 'a.png'))).toEqual(labels);
    const missing = join(dir, 'missing.png');
    await expect(readLabelFile(missing)).rejects.toThrow(`${missing}: file not found`);
    await expect(readLabelFile(dir)).rejects.toThrow(`${dir}: cannot read file (EISDIR)`);
  });
});
