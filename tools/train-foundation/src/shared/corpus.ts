// The captioned corpus (data/fmwiss-world/corpus): captions.jsonl, one {id, file, caption, objects}
// per line, and its images, decoded once and kept in memory (8000 x 128 x 128 x 3 bytes = 393 MB).
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { z } from 'zod';

import { readImageFile, type RgbImage } from '@fmwiss/imaging';
import { fileSha256 } from './common-options';
import { formatDuration, type Log } from './log';

export interface CorpusEntry {
  id: string;
  /** Relative to the corpus folder. */
  file: string;
  caption: string;
  /** The names of the objects in the image (prompt form, e.g. "potted plant"). */
  objects: string[];
}

const entrySchema = z.object({
  id: z.string().min(1),
  file: z.string().min(1),
  caption: z.string().min(1),
  objects: z.array(z.string().min(1)),
});

/** Parses captions.jsonl text; throws naming the line at fault. Blank lines are skipped. */
export function parseCaptions(text: string, where: string): CorpusEntry[] {
  const entries: CorpusEntry[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      throw new Error(`${where}:${i + 1} is not JSON: ${(error as Error).message}`);
    }
    const parsed = entrySchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${where}:${i + 1} is malformed at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
    }
    entries.push(parsed.data);
  });
  return entries;
}

export interface Corpus {
  dir: string;
  entries: CorpusEntry[];
}

/** Reads `<dir>/captions.jsonl`; a missing corpus tells how to make one. */
export async function readCorpus(dir: string): Promise<Corpus> {
  const file = path.join(dir, 'captions.jsonl');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`no corpus at ${file}: run \`npm run gen:benchmark\` first (about 16 s)`);
    throw error;
  }
  const entries = parseCaptions(text, file);
  if (entries.length === 0) throw new Error(`${file} holds no caption`);
  return { dir, entries };
}

/** The last `heldOut` entries are held out of training (the retrieval check); the rest train. */
export function splitHeldOut<T>(entries: readonly T[], heldOut: number): { train: T[]; heldOut: T[] } {
  if (!Number.isInteger(heldOut) || heldOut < 0 || heldOut >= entries.length) {
    throw new RangeError(`cannot hold out ${heldOut} of ${entries.length} corpus entries`);
  }
  return { train: entries.slice(0, entries.length - heldOut), heldOut: entries.slice(entries.length - heldOut) };
}

/** Decodes every entry's image (a few at a time), in entry order; reports progress now and then. */
export async function decodeImages(corpus: Corpus, entries: readonly CorpusEntry[], onProgress?: (done: number) => void): Promise<RgbImage[]> {
  const images: RgbImage[] = new Array(entries.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < entries.length) {
      const i = next++;
      images[i] = await readImageFile(path.join(corpus.dir, entries[i]!.file));
      done++;
      if (onProgress && done % 1000 === 0) onProgress(done);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return images;
}

/** A training script's data: the corpus, its held-out split, the captions' SHA-256, every image decoded. */
export interface CorpusRun {
  corpus: Corpus;
  train: CorpusEntry[];
  heldOut: CorpusEntry[];
  captionsSha256: string;
  trainImages: RgbImage[];
  heldOutImages: RgbImage[];
}

/**
 * Reads the corpus at `dir`, holds out its last `heldOut` entries, hashes captions.jsonl and decodes
 * every image once, logging what it found (`describe` adds the script's own words to the first line).
 */
export async function loadCorpusRun(dir: string, heldOutCount: number, log: Log, describe = ''): Promise<CorpusRun> {
  const started = performance.now();
  const corpus = await readCorpus(dir);
  const { train, heldOut } = splitHeldOut(corpus.entries, heldOutCount);
  const captionsSha256 = await fileSha256(path.join(dir, 'captions.jsonl'));
  log(`corpus ${corpus.entries.length} images (${train.length} train, ${heldOut.length} held out)${describe ? `; ${describe}` : ''}`);
  const trainImages = await decodeImages(corpus, train, (n) => log(`decoded ${n}/${train.length} training images`));
  const heldOutImages = await decodeImages(corpus, heldOut);
  log(`decoded ${trainImages.length + heldOutImages.length} images in ${formatDuration((performance.now() - started) / 1000)}`);
  return { corpus, train, heldOut, captionsSha256, trainImages, heldOutImages };
}
