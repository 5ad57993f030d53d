import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImage, encodeJpeg, encodePng, readImageFile, readImageSize } from './image-codec';
import { ImageError } from './image-error';
import type { RgbImage } from './types';

function gradient(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = (x * 255) / (width - 1);
      data[i + 1] = (y * 255) / (height - 1);
      data[i + 2] = ((x + y) * 2) % 256;
    }
  }
  return { width, height, data };
}

function raw(data: Uint8Array, width: number, height: number, channels: 1 | 2 | 3 | 4) {
  return sharp(data, { raw: { width, height, channels } });
}

async function refusal(bytes: Uint8Array, what = 'img/a.jpg'): Promise<ImageError> {
  try {
    await decodeImage(bytes, what);
  } catch (error) {
    expect(error).toBeInstanceOf(ImageError);
    expect((error as ImageError).what).toBe(what);
    expect((error as ImageError).message).toBe(`${what}: ${(error as ImageError).problem}`);
    return error as ImageError;
  }
  throw new Error('decodeImage accepted it');
}

describe('encodePng / decodeImage', () => {
  it('round-trips RGB through PNG exactly, as a plain Uint8Array', async () => {
    const image = gradient(33, 17);
    const png = await encodePng(image);
    const decoded = await decodeImage(png, 'x');
    expect(decoded).toEqual(image);
    expect(decoded.data.constructor).toBe(Uint8Array);
  });

  it('turns gray and gray+alpha PNGs into RGB with equal channels', async () => {
    const gray = Uint8Array.of(0, 50, 100, 150, 200, 250);
    const expected = Uint8Array.from([...gray].flatMap((v) => [v, v, v]));
    const grayPng = await raw(gray, 3, 2, 1).toColourspace('b-w').png().toBuffer();
    expect(grayPng[25]).toBe(0); // colour type: grayscale
    expect(await decodeImage(grayPng, 'x')).toEqual({ width: 3, height: 2, data: expected });
    const grayAlpha = Uint8Array.from([...gray].flatMap((v, i) => [v, i * 40]));
    const grayAlphaPng = await raw(grayAlpha, 3, 2, 2).toColourspace('b-w').png().toBuffer();
    expect(grayAlphaPng[25]).toBe(4);
    expect(await decodeImage(grayAlphaPng, 'x')).toEqual({ width: 3, height: 2, data: expected });
  });

  it('drops alpha from RGBA without compositing', async () => {
    const image = gradient(5, 4);
    const rgba = new Uint8Array(5 * 4 * 4);
    for (let p = 0; p < 20; p++) rgba.set([...image.data.subarray(p * 3, p * 3 + 3), p * 10], p * 4);
    expect(await decodeImage(await raw(rgba, 5, 4, 4).png().toBuffer(), 'x')).toEqual(image);
  });

  it('expands a palette PNG to RGB', async () => {
    const colours = [
      [255, 0, 0],
      [0, 0, 255],
      [10, 200, 30],
    ];
    const rgb = Uint8Array.from(Array.from({ length: 8 * 6 }, (_, p) => colours[p % 3]!).flat());
    const png = await raw(rgb, 8, 6, 3).png({ palette: true, dither: 0 }).toBuffer();
    expect(png[25]).toBe(3);
    const decoded = await decodeImage(png, 'x');
    expect(decoded.width).toBe(8);
    expect(Math.max(...decoded.data.map((v, i) => Math.abs(v - rgb[i]!)))).toBeLessThanOrEqual(2);
  });

  it('decodes JPEG (colour and gray) to RGB close to the original', async () => {
    const image = gradient(64, 48);
    const jpeg = await encodeJpeg(image);
    expect([...jpeg.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    const decoded = await decodeImage(jpeg, 'x');
    expect([decoded.width, decoded.height]).toEqual([64, 48]);
    const meanError = decoded.data.reduce((s, v, i) => s + Math.abs(v - image.data[i]!), 0) / image.data.length;
    expect(meanError).toBeLessThan(4);
    const grayJpeg = await raw(new Uint8Array(16 * 16).fill(77), 16, 16, 1).toColourspace('b-w').jpeg().toBuffer();
    const gray = await decodeImage(grayJpeg, 'x');
    expect(gray.data).toHaveLength(16 * 16 * 3);
    expect(gray.data.every((v) => Math.abs(v - 77) <= 1)).toBe(true);
  });

  it('encodes JPEG with the given quality', async () => {
    const image = gradient(64, 64);
    expect((await encodeJpeg(image, 30)).length).toBeLessThan((await encodeJpeg(image, 95)).length);
    await expect(encodeJpeg(image, 0)).rejects.toThrow(RangeError);
  });

  it('rejects an RgbImage whose data does not match its size', async () => {
    await expect(encodePng({ width: 4, height: 4, data: new Uint8Array(16) })).rejects.toThrow(
      'image 4x4 RGB needs 48 bytes of data, got Uint8Array of length 16',
    );
  });
});

describe('decodeImage refuses', () => {
  let png: Buffer;
  let jpeg: Buffer;
  beforeAll(async () => {
    png = await encodePng(gradient(64, 64));
    jpeg = await encodeJpeg(gradient(64, 64));
  });

  it('an empty file', async () => {
    expect((await refusal(new Uint8Array(0))).problem).toBe('empty file');
  });

  it('a file that is neither PNG nor JPEG, showing how it starts', async () => {
    const gif = Buffer.from('GIF89a\x10\x00\x10\x00rest', 'latin1');
    expect((await refusal(gif)).message).toBe('img/a.jpg: not a PNG or JPEG file (starts 4749463839611000...)');
  });

  it('a truncated PNG, whether cut inside the image data or only before IEND', async () => {
    expect((await refusal(png.subarray(0, Math.floor(png.length * 0.6)))).problem).toMatch(
      /^truncated or corrupt: PNG ends inside its IDAT chunk/,
    );
    expect((await refusal(png.subarray(0, png.length - 12))).problem).toMatch(/before its IEND chunk/);
  });

  it('a truncated or corrupt JPEG, with sharp reason', async () => {
    expect((await refusal(jpeg.subarray(0, Math.floor(jpeg.length * 0.6)))).problem).toMatch(
      /^truncated or corrupt: .*premature end of JPEG/i,
    );
    expect((await refusal(jpeg.subarray(0, jpeg.length - 4))).problem).toMatch(/^truncated or corrupt: /);
    const header = (await refusal(jpeg.subarray(0, 40))).problem;
    expect(header).toMatch(/^truncated or corrupt: /);
    expect(header).not.toContain('\n');
  });

  it('a PNG whose image data is corrupt', async () => {
    const bad = Buffer.from(png);
    bad.fill(0x55, 60, 200); // inside IDAT: the CRC no longer matches and the data does not inflate
    expect((await refusal(bad)).problem).toMatch(/^truncated or corrupt: /);
  });
});

describe('readImageFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'imaging-images-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads PNG and JPEG files, and names a missing or bad file', async () => {
    const image = gradient(10, 8);
    await writeFile(join(dir, 'a.png'), await encodePng(image));
    await writeFile(join(dir, 'a.jpg'), await encodeJpeg(image));
    await writeFile(join(dir, 'empty.png'), new Uint8Array(0));
    expect(await readImageFile(join(dir, 'a.png'))).toEqual(image);
    expect((await readImageFile(join(dir, 'a.jpg'))).width).toBe(10);
    const missing = join(dir, 'nope.jpg');
    await expect(readImageFile(missing)).rejects.toThrow(`${missing}: file not found`);
    await expect(readImageFile(missing)).rejects.toMatchObject({ what: missing, problem: 'file not found' });
    await expect(readImageFile(join(dir, 'empty.png'))).rejects.toThrow(`${join(dir, 'empty.png')}: empty file`);
  });
});

describe('readImageSize', () => {
  it('reads the size of PNG and JPEG files from their headers', async () => {
    const image = { width: 7, height: 3, data: new Uint8Array(7 * 3 * 3).fill(90) };
    await expect(readImageSize(await encodePng(image), 'a.png')).resolves.toEqual({ width: 7, height: 3 });
    await expect(readImageSize(await encodeJpeg(image), 'a.jpg')).resolves.toEqual({ width: 7, height: 3 });
  });

  it('refuses bytes that are no image, naming them', async () => {
    await expect(readImageSize(new Uint8Array([1, 2, 3, 4]), 'request image')).rejects.toThrow(/request image: not a PNG or JPEG file/);
    await expect(readImageSize(new Uint8Array(), 'x')).rejects.toThrow(/x: empty file/);
  });
});
