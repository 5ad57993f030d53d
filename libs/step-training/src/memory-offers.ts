import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SegmentationDataset } from '@fmwiss/datasets';
import { throwIfCancelled } from './errors';
import { extractInstances } from './instances';
import { readPixelSample } from './step-data';
import type { InstanceOffer, MemoryBankPort } from './types';

/** B: instances the memory bank keeps per class, asked of the port when the step creates the archive. */
export const MEMORY_BANK_CAPACITY_PER_CLASS = 64;
/** Regions with fewer pixels are not offered (too small to paste usefully). */
export const MIN_INSTANCE_PIXELS = 64;
/** Images read per offer call; the progress file is updated after each call. */
const IMAGES_PER_OFFER = 32;
export const OFFERS_FILE = 'memory-bank-offers.json';

interface OfferProgress {
  specHash: string;
  imagesDone: number;
  instancesOffered: number;
  complete: boolean;
}

async function readProgress(outputDir: string, specHash: string): Promise<OfferProgress> {
  try {
    const progress = JSON.parse(await readFile(join(outputDir, OFFERS_FILE), 'utf8')) as OfferProgress;
    if (progress.specHash === specHash && Number.isInteger(progress.imagesDone)) return progress;
  } catch {
    // none yet
  }
  return { specHash, imagesDone: 0, instancesOffered: 0, complete: false };
}

async function writeProgress(outputDir: string, progress: OfferProgress): Promise<void> {
  const path = join(outputDir, OFFERS_FILE);
  await writeFile(`${path}.tmp`, `${JSON.stringify(progress, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
}

export interface OfferOptions {
  port: MemoryBankPort;
  dataset: SegmentationDataset;
  ids: readonly string[];
  /** The step's classes: the archive accepts these and every instance is of one of them. */
  classIds: readonly number[];
  seed: number;
  outputDir: string;
  specHash: string;
  signal?: AbortSignal;
  onImages?(done: number, total: number): void;
}

/**
 * Step 0's contribution to the memory bank: creates the archive (idempotent) and offers, once and
 * unaugmented, every connected region of a step class with at least MIN_INSTANCE_PIXELS pixels of
 * every training image (crop of its bounding box + its mask). Progress is kept in
 * `<outputDir>/memory-bank-offers.json`, so a resumed step offers each image at most once more (the
 * images of the call that was running when it stopped) and a finished one never again.
 */
export async function offerInstancesToMemoryBank(options: OfferOptions): Promise<{ instancesOffered: number; images: number }> {
  const { port, dataset, ids, classIds, seed, outputDir, specHash, signal } = options;
  const progress = await readProgress(outputDir, specHash);
  if (progress.complete) return { instancesOffered: progress.instancesOffered, images: ids.length };
  await port.create(MEMORY_BANK_CAPACITY_PER_CLASS, [...classIds], seed);
  for (let start = progress.imagesDone; start < ids.length; start += IMAGES_PER_OFFER) {
    throwIfCancelled(signal, 'while offering instances to the memory bank');
    const chunk = ids.slice(start, start + IMAGES_PER_OFFER);
    const samples = await Promise.all(chunk.map((id) => readPixelSample(dataset, id, classIds)));
    const offers: InstanceOffer[] = [];
    samples.forEach((sample, k) => {
      for (const instance of extractInstances(sample.image, sample.labels, classIds, { minPixels: MIN_INSTANCE_PIXELS })) {
        offers.push({ classId: instance.classId, sourceImageId: chunk[k]!, image: instance.image, mask: instance.mask, box: instance.box });
      }
    });
    if (offers.length > 0) await port.offer(offers);
    progress.imagesDone = start + chunk.length;
    progress.instancesOffered += offers.length;
    await writeProgress(outputDir, progress);
    options.onImages?.(progress.imagesDone, ids.length);
  }
  progress.complete = true;
  await writeProgress(outputDir, progress);
  return { instancesOffered: progress.instancesOffered, images: ids.length };
}
