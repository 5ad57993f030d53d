import { readFile } from 'node:fs/promises';
import { ImageError } from './image-error';

/** Reads a whole file; a missing or unreadable file is an ImageError naming the path. */
export async function readFileOrThrow(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') throw new ImageError(path, 'file not found', { cause: error });
    throw new ImageError(path, `cannot read file (${code ?? (error as Error).message})`, { cause: error });
  }
}
