import sharp, { type OutputInfo } from 'sharp';
import { ImageError } from './image-error';
import { describeStart, hasPngSignature, readPngChunks } from './png-chunks';
import { readFileOrThrow } from './read-file';
import { assertRgbImage, type RgbImage } from './types';

function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** sharp's error message on one line: repeated libvips lines dropped, a dangling colon removed. */
function sharpReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines = [...new Set(message.split('\n').map((line) => line.trim().replace(/:$/, '')))].filter(Boolean);
  return lines.join('; ') || 'sharp could not decode it';
}

/**
 * Decodes a PNG or JPEG file fully into 8-bit RGB. Gray, gray+alpha, RGB, RGBA and palette images
 * become RGB; alpha is dropped (not composited); 16-bit samples are reduced to 8 bits; pixels are
 * as stored (an EXIF orientation is not applied, so label maps stay aligned). Decoding uses sharp with
 * `failOn: 'truncated'`, and a PNG's chunk structure is walked first, so a truncated file is refused.
 * Every failure is an ImageError naming `what` (usually the path): "empty file", "not a PNG or JPEG
 * file (starts 47494638...)", "truncated or corrupt: <reason>".
 */
export async function decodeImage(bytes: Uint8Array, what: string): Promise<RgbImage> {
  if (bytes.length === 0) throw new ImageError(what, 'empty file');
  const png = hasPngSignature(bytes);
  if (!png && !isJpeg(bytes)) throw new ImageError(what, `not a PNG or JPEG file (starts ${describeStart(bytes)})`);
  // libpng stops reading at the end of the image data, so a PNG cut after it would pass unnoticed.
  if (png) readPngChunks(bytes, what, false);
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await sharp(bytes, { failOn: 'truncated' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new ImageError(what, `truncated or corrupt: ${sharpReason(error)}`, { cause: error });
  }
  const { data, info } = decoded;
  if (info.channels !== 3 || data.length !== info.width * info.height * 3) {
    throw new ImageError(what, `decoded to ${info.channels} channels, ${data.length} bytes, expected 8-bit RGB`);
  }
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/**
 * Width and height of a PNG or JPEG file from its header, without decoding the pixels: lets a service
 * refuse an image above its pixel limit before spending memory on it. Errors as decodeImage's.
 */
export async function readImageSize(bytes: Uint8Array, what: string): Promise<{ width: number; height: number }> {
  if (bytes.length === 0) throw new ImageError(what, 'empty file');
  if (!hasPngSignature(bytes) && !isJpeg(bytes)) throw new ImageError(what, `not a PNG or JPEG file (starts ${describeStart(bytes)})`);
  try {
    const { width, height } = await sharp(bytes).metadata();
    if (!width || !height) throw new Error('no image size in the header');
    return { width, height };
  } catch (error) {
    throw new ImageError(what, `truncated or corrupt: ${sharpReason(error)}`, { cause: error });
  }
}

/** Encodes an RGB image as a PNG file (sharp, zlib level 6). */
export async function encodePng(image: RgbImage): Promise<Buffer> {
  assertRgbImage(image);
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).png().toBuffer();
}

/** Encodes an RGB image as a baseline JPEG file with the given quality (1..100). */
export async function encodeJpeg(image: RgbImage, quality = 90): Promise<Buffer> {
  assertRgbImage(image);
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new RangeError(`JPEG quality must be an integer in 1..100, got ${quality}`);
  }
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
}

/** Reads and decodes a PNG or JPEG file (see decodeImage); errors name the path, "file not found" included. */
export async function readImageFile(path: string): Promise<RgbImage> {
  return decodeImage(await readFileOrThrow(path), path);
}
