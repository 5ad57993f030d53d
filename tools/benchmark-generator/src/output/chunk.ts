import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeJpeg, encodeLabelPng } from '@fmwiss/imaging';
import { renderBenchmarkItem, renderCorpusItem, type AnnotationRecord, type BenchmarkSplit, type CaptionRecord } from '../scene/items';
import { worldLayout } from './layout';

/** A run of consecutive items of one split: what a worker thread makes and writes. */
export interface ChunkJob {
  readonly kind: 'benchmark' | 'corpus';
  /** 'train' | 'val' for the benchmark; ignored for the corpus. */
  readonly split: BenchmarkSplit;
  readonly start: number;
  readonly end: number;
  readonly seed: number;
  readonly size: number;
  readonly quality: number;
  readonly out: string;
}

export type ChunkResult =
  | { readonly kind: 'benchmark'; readonly records: AnnotationRecord[]; readonly labelPixels: number[][] }
  | { readonly kind: 'corpus'; readonly records: CaptionRecord[] };

/** How many encodes/writes may be in flight while the next item renders. */
const IN_FLIGHT = 4;

/**
 * Renders items [start, end) and writes their files. Each item depends only on (seed, kind, split,
 * index, size), so the bytes do not depend on how items are split into chunks or threads.
 */
export async function runChunk(job: ChunkJob): Promise<ChunkResult> {
  const layout = worldLayout(job.out);
  const pending = new Set<Promise<void>>();
  const track = (p: Promise<void>): void => {
    const tracked = p.then(() => {
      pending.delete(tracked);
    });
    pending.add(tracked);
  };
  const drain = async (limit: number): Promise<void> => {
    while (pending.size > limit) await Promise.race(pending);
  };
  const failures: unknown[] = [];
  const guard = (p: Promise<unknown>): Promise<void> =>
    p.then(
      () => undefined,
      (error: unknown) => {
        failures.push(error);
      },
    );

  if (job.kind === 'benchmark') {
    const records: AnnotationRecord[] = [];
    const labelPixels: number[][] = [];
    for (let index = job.start; index < job.end; index++) {
      const item = renderBenchmarkItem(job.seed, job.split, index, job.size);
      records.push(item.record);
      labelPixels.push(item.labelPixels);
      const png = encodeLabelPng(item.labels);
      writeFileSync(join(layout.labels, `${item.id}.png`), png);
      track(guard(encodeJpeg(item.image, job.quality).then((jpg) => writeFileSync(join(layout.images, `${item.id}.jpg`), jpg))));
      await drain(IN_FLIGHT);
    }
    await drain(0);
    if (failures.length > 0) throw failures[0];
    return { kind: 'benchmark', records, labelPixels };
  }
  const records: CaptionRecord[] = [];
  for (let index = job.start; index < job.end; index++) {
    const item = renderCorpusItem(job.seed, index, job.size);
    records.push(item.record);
    track(guard(encodeJpeg(item.image, job.quality).then((jpg) => writeFileSync(join(layout.corpus, item.record.file), jpg))));
    await drain(IN_FLIGHT);
  }
  await drain(0);
  if (failures.length > 0) throw failures[0];
  return { kind: 'corpus', records };
}
