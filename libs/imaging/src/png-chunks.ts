import * as zlib from 'node:zlib';
import { ImageError } from './image-error';

/** The 8 bytes every PNG file starts with. */
export const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** One PNG chunk; `data` is a view into the file's bytes. */
export interface PngChunk {
  type: string;
  data: Uint8Array;
  /** Offset of the chunk (its length field) in the file, for messages. */
  offset: number;
}

export function hasPngSignature(bytes: Uint8Array): boolean {
  if (bytes.length < PNG_SIGNATURE.length) return false;
  for (let i = 0; i < PNG_SIGNATURE.length; i++) if (bytes[i] !== PNG_SIGNATURE[i]) return false;
  return true;
}

/** The first (up to) 8 bytes in hex, e.g. "4749463839610a00...", for "not a PNG" messages. */
export function describeStart(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(8, bytes.length)).toString('hex');
  return bytes.length > 8 ? `${head}...` : head;
}

const nativeCrc32: ((data: Uint8Array, value?: number) => number) | undefined =
  typeof zlib.crc32 === 'function' ? zlib.crc32 : undefined;

let crcTable: Uint32Array | undefined;

/** CRC-32 by table, for runtimes without zlib.crc32 (exported for tests). */
export function tableCrc32(data: Uint8Array, value = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  const table = crcTable;
  let c = (value ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * CRC-32 (ISO 3309, as PNG and zlib use it) of `data`, continuing from `value` (the CRC of the bytes
 * before). node:zlib's native crc32 where the runtime has it (Node >= 20.15), a table otherwise.
 */
export function crc32(data: Uint8Array, value = 0): number {
  return nativeCrc32 ? nativeCrc32(data, value) >>> 0 : tableCrc32(data, value);
}

function isChunkTypeByte(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

/**
 * Walks the chunks of a PNG file from after the signature up to and including IEND; bytes after IEND
 * are ignored. Throws an ImageError naming `what` when a chunk runs past the end of the file (a
 * truncated file), a chunk type is not four letters, IEND is missing, or (with `checkCrc`) a CRC does
 * not match. The signature is the caller's to check.
 */
export function readPngChunks(bytes: Uint8Array, what: string, checkCrc: boolean): PngChunk[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: PngChunk[] = [];
  let offset = PNG_SIGNATURE.length;
  for (;;) {
    if (offset + 8 > bytes.length) {
      throw new ImageError(what, `truncated or corrupt: PNG ends at byte ${bytes.length} before its IEND chunk`);
    }
    const length = view.getUint32(offset);
    const typeBytes = bytes.subarray(offset + 4, offset + 8);
    if (!typeBytes.every(isChunkTypeByte)) {
      throw new ImageError(
        what,
        `truncated or corrupt: bad PNG chunk type ${Buffer.from(typeBytes).toString('hex')} at byte ${offset}`,
      );
    }
    const type = String.fromCharCode(...typeBytes);
    if (length > 0x7fffffff || offset + 12 + length > bytes.length) {
      throw new ImageError(
        what,
        `truncated or corrupt: PNG ends inside its ${type} chunk at byte ${offset} (${length} data bytes declared, ${Math.max(0, bytes.length - offset - 12)} present)`,
      );
    }
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (checkCrc) {
      const stored = view.getUint32(offset + 8 + length);
      const actual = crc32(data, crc32(typeBytes));
      if (stored !== actual) {
        throw new ImageError(
          what,
          `truncated or corrupt: CRC mismatch in ${type} chunk at byte ${offset} (stored ${hex32(stored)}, computed ${hex32(actual)})`,
        );
      }
    }
    chunks.push({ type, data, offset });
    offset += 12 + length;
    if (type === 'IEND') return chunks;
  }
}

function hex32(value: number): string {
  return value.toString(16).padStart(8, '0');
}

/** One encoded chunk: length, type, data, CRC over type and data. */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write(type, 4, 'latin1');
  chunk.set(data, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return chunk;
}
