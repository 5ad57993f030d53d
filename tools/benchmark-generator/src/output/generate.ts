import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnnotationRecord, BenchmarkSplit, CaptionRecord } from '../scene/items';
import type { ChunkJob, ChunkResult } from './chunk';
import { generatedPaths, worldLayout } from './layout';
import { runJobs } from './pool';
import { corpusStats, splitStats, type WorldStats } from './stats';
import { describeWorld, sameParameters, type WorldParameters } from './world-description';

export interface GenerateOptions {
  readonly out: string;
  readonly parameters: WorldParameters;
  /** Worker threads; 0 = in this thread. */
  readonly workers: number;
  /** Items per job. */
  readonly chunkSize?: number;
  /** Progress: called after each job with items done and items in all. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** A failure a person can act on (the CLI prints the message and exits 1). */
export class GeneratorError extends Error {
  override readonly name = 'GeneratorError';
}

export type ExistingWorld = { state: 'absent' } | { state: 'same' } | { state: 'different'; found: string };

/** What `<out>` already holds: nothing of ours, this very world, or another one (or a partial run). */
export function inspectOutput(out: string, parameters: WorldParameters): ExistingWorld {
  const layout = worldLayout(out);
  if (existsSync(layout.world)) {
    let found: WorldParameters | undefined;
    try {
      found = (JSON.parse(readFileSync(layout.world, 'utf8')) as { parameters?: WorldParameters }).parameters;
    } catch {
      return { state: 'different', found: `${layout.world} is not valid JSON` };
    }
    if (found && sameParameters(found, parameters)) return { state: 'same' };
    return { state: 'different', found: `${layout.world} was made with ${JSON.stringify(found ?? null)}` };
  }
  const leftovers = generatedPaths(layout).filter((p) => existsSync(p));
  if (leftovers.length > 0) return { state: 'different', found: `${leftovers[0]} exists but ${layout.world} does not (an interrupted run?)` };
  return { state: 'absent' };
}

/** Removes what the generator writes under `<out>` (never anything else). */
export async function removeGenerated(out: string): Promise<void> {
  for (const path of generatedPaths(worldLayout(out))) await rm(path, { recursive: true, force: true });
}

export interface GenerateResult {
  readonly stats: WorldStats;
  readonly seconds: number;
}

function jobsFor(options: GenerateOptions): ChunkJob[] {
  const { seed, size, jpegQuality: quality } = options.parameters;
  const chunk = options.chunkSize ?? 50;
  const jobs: ChunkJob[] = [];
  const add = (kind: ChunkJob['kind'], split: BenchmarkSplit, count: number): void => {
    for (let start = 0; start < count; start += chunk) {
      jobs.push({ kind, split, start, end: Math.min(count, start + chunk), seed, size, quality, out: options.out });
    }
  };
  add('benchmark', 'train', options.parameters.train);
  add('benchmark', 'val', options.parameters.val);
  add('corpus', 'train', options.parameters.corpus);
  return jobs;
}

const jsonl = (records: readonly object[]): string => records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : '');

/**
 * Writes the whole world: images, label maps and lists in the VOC layout, annotations.jsonl, the corpus
 * and its captions, then world.json last (so a world.json means a complete run). Output bytes depend
 * only on the parameters, not on `workers` or `chunkSize`.
 */
export async function generateWorld(options: GenerateOptions): Promise<GenerateResult> {
  const started = process.hrtime.bigint();
  const layout = worldLayout(options.out);
  for (const dir of [layout.images, layout.labels, layout.lists, layout.corpusImages]) await mkdir(dir, { recursive: true });
  const jobs = jobsFor(options);
  const total = jobs.reduce((n, j) => n + j.end - j.start, 0);
  let done = 0;
  const results = await runJobs(jobs, options.workers, (job) => {
    done += job.end - job.start;
    options.onProgress?.(done, total);
  });

  const bench: Record<BenchmarkSplit, { records: AnnotationRecord[]; pixels: number[][] }> = {
    train: { records: [], pixels: [] },
    val: { records: [], pixels: [] },
  };
  const captions: CaptionRecord[] = [];
  results.forEach((result: ChunkResult, k) => {
    if (result.kind === 'benchmark') {
      bench[jobs[k]!.split].records.push(...result.records);
      bench[jobs[k]!.split].pixels.push(...result.labelPixels);
    } else {
      captions.push(...result.records);
    }
  });
  const ids = (split: BenchmarkSplit): string[] => bench[split].records.map((r) => r.id);
  const list = (names: string[]): string => names.map((n) => `${n}\n`).join('');
  await writeFile(join(layout.lists, 'train.txt'), list(ids('train')));
  await writeFile(join(layout.lists, 'val.txt'), list(ids('val')));
  await writeFile(join(layout.lists, 'trainval.txt'), list([...ids('train'), ...ids('val')]));
  await writeFile(layout.annotations, jsonl([...bench.train.records, ...bench.val.records]));
  await writeFile(layout.captions, jsonl(captions));
  const stats: WorldStats = {
    train: splitStats(bench.train.records, bench.train.pixels),
    val: splitStats(bench.val.records, bench.val.pixels),
    corpus: corpusStats(captions),
  };
  await writeFile(layout.world, JSON.stringify(describeWorld(options.parameters, stats), null, 2) + '\n');
  return { stats, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}
