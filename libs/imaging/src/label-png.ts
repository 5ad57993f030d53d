import * as zlib from 'node:zlib';
import { ImageError } from './image-error';
import { readFileOrThrow } from './read-file';
import { describeStart, hasPngSignature, PNG_SIGNATURE, pngChunk, readPngChunks } from './png-chunks';
import { assertLabelImage, type LabelImage } from './types';
import { VOC_PALETTE } from './voc-palette';

/**
 * A PNG codec for single-channel label maps. sharp expands palettes to RGB, but a label map needs the
 * palette INDICES (VOC ground truth) or the gray values (COCO-style maps), so this reads and writes
 * those PNGs itself with node:zlib.
 */

/** The largest label map decodeLabelPng accepts, in pixels (sharp's default input limit). */
export const MAX_LABEL_PIXELS = 0x3fff * 0x3fff;

const COLOUR_TYPE_NAMES: Record<number, string> = {
  0: 'grayscale',
  2: 'RGB',
  3: 'palette',
  4: 'grayscale+alpha',
  6: 'RGBA',
};

/** Adam7 passes: [xStart, yStart, xStep, yStep]. */
const ADAM7: ReadonlyArray<readonly [number, number, number, number]> = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

/**
 * Decodes a label-map PNG into class ids: the palette indices of a palette PNG (colour type 3, bit
 * depth 1, 2, 4 or 8), or the sample values of a grayscale PNG (colour type 0, bit depth 1, 2, 4 or
 * 8; values are not rescaled). Interlaced (Adam7) files are read too. Every CRC is checked. Anything
 * else (RGB/RGBA/gray+alpha, 16-bit, bad signature, CRC mismatch, truncated or undecodable data,
 * missing IEND) is an ImageError whose message names `what`.
 */
export function decodeLabelPng(bytes: Uint8Array, what: string): LabelImage {
  if (bytes.length === 0) throw new ImageError(what, 'empty file');
  if (!hasPngSignature(bytes)) {
    throw new ImageError(what, `not a PNG file (starts ${describeStart(bytes)}); label maps must be PNG`);
  }
  const chunks = readPngChunks(bytes, what, true);
  const ihdr = chunks[0]!;
  if (ihdr.type !== 'IHDR' || ihdr.data.length !== 13) {
    throw new ImageError(what, `truncated or corrupt: PNG does not start with a 13-byte IHDR chunk (found ${ihdr.type})`);
  }
  const header = new DataView(ihdr.data.buffer, ihdr.data.byteOffset, 13);
  const width = header.getUint32(0);
  const height = header.getUint32(4);
  const bitDepth = header.getUint8(8);
  const colourType = header.getUint8(9);
  const interlace = header.getUint8(12);

  if (colourType !== 0 && colourType !== 3) {
    const name = COLOUR_TYPE_NAMES[colourType] ?? 'an unknown colour type';
    throw new ImageError(what, `label PNG must be 8-bit palette or grayscale, got ${name} (colour type ${colourType})`);
  }
  if (bitDepth !== 1 && bitDepth !== 2 && bitDepth !== 4 && bitDepth !== 8) {
    throw new ImageError(
      what,
      `label PNG must be 8-bit palette or grayscale, got ${bitDepth}-bit ${COLOUR_TYPE_NAMES[colourType]}`,
    );
  }
  if (header.getUint8(10) !== 0 || header.getUint8(11) !== 0 || interlace > 1) {
    throw new ImageError(what, 'truncated or corrupt: unknown PNG compression, filter or interlace method in IHDR');
  }
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) {
    throw new ImageError(what, `truncated or corrupt: PNG size ${width}x${height} is invalid`);
  }
  if (width * height > MAX_LABEL_PIXELS) {
    throw new ImageError(what, `label PNG of ${width}x${height} pixels is larger than the limit of ${MAX_LABEL_PIXELS} pixels`);
  }

  const idat: Uint8Array[] = [];
  for (const chunk of chunks) {
    if (chunk.type === 'IDAT') {
      idat.push(chunk.data);
    } else if (chunk.type === 'IHDR' && chunk !== ihdr) {
      throw new ImageError(what, `truncated or corrupt: second IHDR chunk at byte ${chunk.offset}`);
    } else if (!/^(IHDR|PLTE|IEND)$/.test(chunk.type) && (chunk.type.charCodeAt(0) & 0x20) === 0) {
      // Lower-case first letter = ancillary (safe to ignore); an unknown critical chunk is not.
      throw new ImageError(what, `unsupported critical PNG chunk ${chunk.type} at byte ${chunk.offset}`);
    }
  }
  if (idat.length === 0) throw new ImageError(what, 'truncated or corrupt: PNG has no IDAT chunk');

  const passes = interlace === 1 ? ADAM7 : ([[0, 0, 1, 1]] as const);
  let expected = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const passWidth = Math.ceil((width - x0) / dx);
    const passHeight = Math.ceil((height - y0) / dy);
    if (passWidth > 0 && passHeight > 0) expected += passHeight * (1 + Math.ceil((passWidth * bitDepth) / 8));
  }

  let raw: Buffer;
  try {
    raw = zlib.inflateSync(idat.length === 1 ? idat[0]! : Buffer.concat(idat), { maxOutputLength: expected });
  } catch (error) {
    const reason =
      (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
        ? `image data inflates to more than the ${expected} bytes a ${width}x${height} image needs`
        : `image data does not inflate (${(error as Error).message})`;
    throw new ImageError(what, `truncated or corrupt: ${reason}`, { cause: error });
  }
  if (raw.length < expected) {
    throw new ImageError(
      what,
      `truncated or corrupt: image data inflates to ${raw.length} bytes, a ${width}x${height} image needs ${expected}`,
    );
  }

  const data = new Uint8Array(width * height) /* [H,W] */;
  if (interlace === 0 && bitDepth === 8) {
    unfilter(raw, 0, data, width, height, what);
    return { width, height, data };
  }
  // A scratch buffer for one pass's unfiltered scanlines; the samples are then spread into `data`.
  const lines = new Uint8Array(height * Math.ceil((width * bitDepth) / 8));
  let rawOffset = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const passWidth = Math.ceil((width - x0) / dx);
    const passHeight = Math.ceil((height - y0) / dy);
    if (passWidth <= 0 || passHeight <= 0) continue;
    const rowBytes = Math.ceil((passWidth * bitDepth) / 8);
    rawOffset = unfilter(raw, rawOffset, lines, rowBytes, passHeight, what);
    const mask = (1 << bitDepth) - 1;
    for (let row = 0; row < passHeight; row++) {
      const line = row * rowBytes;
      let out = (y0 + row * dy) * width + x0;
      if (bitDepth === 8) {
        for (let col = 0; col < passWidth; col++, out += dx) data[out] = lines[line + col]!;
      } else {
        for (let col = 0, bit = 0; col < passWidth; col++, out += dx, bit += bitDepth) {
          data[out] = (lines[line + (bit >> 3)]! >> (8 - bitDepth - (bit & 7))) & mask;
        }
      }
    }
  }
  return { width, height, data };
}

/**
 * Undoes the PNG row filters (None, Sub, Up, Average, Paeth; 1 byte per pixel) of `rows` scanlines of
 * `rowBytes` bytes each, reading `raw` from `rawOffset` (each row a filter-type byte then the row) and
 * writing the rows to the start of `out`. Returns the offset after the last row read.
 */
function unfilter(raw: Uint8Array, rawOffset: number, out: Uint8Array, rowBytes: number, rows: number, what: string): number {
  let p = rawOffset;
  for (let y = 0; y < rows; y++) {
    const filter = raw[p++]!;
    const cur = y * rowBytes;
    const prev = cur - rowBytes;
    switch (filter) {
      case 0:
        out.set(raw.subarray(p, p + rowBytes), cur);
        break;
      case 1: // Sub: + left
        out[cur] = raw[p]!;
        for (let i = 1; i < rowBytes; i++) out[cur + i] = raw[p + i]! + out[cur + i - 1]!;
        break;
      case 2: // Up: + above
        if (y === 0) out.set(raw.subarray(p, p + rowBytes), cur);
        else for (let i = 0; i < rowBytes; i++) out[cur + i] = raw[p + i]! + out[prev + i]!;
        break;
      case 3: // Average: + floor((left + above) / 2)
        if (y === 0) {
          out[cur] = raw[p]!;
          for (let i = 1; i < rowBytes; i++) out[cur + i] = raw[p + i]! + (out[cur + i - 1]! >> 1);
        } else {
          out[cur] = raw[p]! + (out[prev]! >> 1);
          for (let i = 1; i < rowBytes; i++) out[cur + i] = raw[p + i]! + ((out[cur + i - 1]! + out[prev + i]!) >> 1);
        }
        break;
      case 4: // Paeth: + whichever of left, above, upper-left is closest to left + above - upper-left
        if (y === 0) {
          // With no row above, Paeth picks the left neighbour: the same as Sub.
          out[cur] = raw[p]!;
          for (let i = 1; i < rowBytes; i++) out[cur + i] = raw[p + i]! + out[cur + i - 1]!;
        } else {
          out[cur] = raw[p]! + out[prev]!;
          for (let i = 1; i < rowBytes; i++) {
            const a = out[cur + i - 1]!;
            const b = out[prev + i]!;
            const c = out[prev + i - 1]!;
            const pa = Math.abs(b - c);
            const pb = Math.abs(a - c);
            const pc = Math.abs(a + b - 2 * c);
            out[cur + i] = raw[p + i]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          }
        }
        break;
      default:
        throw new ImageError(what, `truncated or corrupt: unknown PNG filter type ${filter} in scanline ${y}`);
    }
    p += rowBytes;
  }
  return p;
}

/**
 * Encodes a label map as an 8-bit palette PNG (colour type 3), the format of VOC ground truth:
 * viewers show the classes in colour while the pixels stay class ids. `palette` is RGB triples
 * (shape [N,3]); where a label lies beyond it the palette is padded with black. Filter None, zlib level 6.
 */
export function encodeLabelPng(labels: LabelImage, palette: Uint8Array = VOC_PALETTE): Buffer {
  assertLabelImage(labels);
  if (palette.length === 0 || palette.length % 3 !== 0 || palette.length > 256 * 3) {
    throw new RangeError(`palette must hold 1 to 256 RGB triples, got ${palette.length} bytes`);
  }
  let maxLabel = 0;
  for (let i = 0; i < labels.data.length; i++) if (labels.data[i]! > maxLabel) maxLabel = labels.data[i]!;
  const entries = Math.max(palette.length / 3, maxLabel + 1);
  const plte = new Uint8Array(entries * 3);
  plte.set(palette);
  return encodeSingleChannel(labels, 3, plte);
}

/** Encodes a label map as an 8-bit grayscale PNG (colour type 0), as COCO-style label maps are stored. */
export function encodeGrayPng(labels: LabelImage): Buffer {
  assertLabelImage(labels);
  return encodeSingleChannel(labels, 0, undefined);
}

function encodeSingleChannel(labels: LabelImage, colourType: 0 | 3, plte: Uint8Array | undefined): Buffer {
  const { width, height, data } = labels;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = colourType; // compression, filter, interlace: 0
  const raw = new Uint8Array(height * (width + 1)); // each row: filter byte 0 (None), then the row
  for (let y = 0; y < height; y++) raw.set(data.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const idat = zlib.deflateSync(raw, { level: 6 });
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr),
    ...(plte ? [pngChunk('PLTE', plte)] : []),
    pngChunk('IDAT', idat),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

/** Reads and decodes a label-map PNG file (see decodeLabelPng); errors name the path. */
export async function readLabelFile(path: string): Promise<LabelImage> {
  return decodeLabelPng(await readFileOrThrow(path), path);
}
