// The run folder's layout (docs/coordinator.md) and the atomic file writes every part of it uses.
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Paths inside one run folder. */
export class RunFolder {
  constructor(readonly dir: string) {}

  get runJson(): string {
    return join(this.dir, 'run.json');
  }
  get eventsJsonl(): string {
    return join(this.dir, 'events.jsonl');
  }
  get configJson(): string {
    return join(this.dir, 'config.json');
  }
  get listsDir(): string {
    return join(this.dir, 'lists');
  }
  stepList(step: number): string {
    return join(this.listsDir, `step-${step}.txt`);
  }
  get valList(): string {
    return join(this.listsDir, 'val.txt');
  }
  pseudoLabelDir(step: number): string {
    return join(this.dir, 'pseudo-labels', `step-${step}`);
  }
  /** The pseudo-label quality diagnostic of a weak step: beside the labels, not among them. */
  pseudoLabelQuality(step: number): string {
    return join(this.dir, 'pseudo-labels', `quality-step-${step}.json`);
  }
  checkpointDir(step: number): string {
    return join(this.dir, 'checkpoints', `step-${step}`);
  }
  get metricsJson(): string {
    return join(this.dir, 'metrics.json');
  }
  get reportHtml(): string {
    return join(this.dir, 'report.html');
  }
}

/** Paths inside the coordinator's cache folder (shared by every run). */
export class CacheFolder {
  constructor(readonly dir: string) {}

  pseudoLabel(key: string): string {
    return join(this.dir, 'pseudo-labels', `${key}.png`);
  }
  pseudoLabelMeta(key: string): string {
    return join(this.dir, 'pseudo-labels', `${key}.json`);
  }
  baseStep(key: string): string {
    return join(this.dir, 'base-steps', key);
  }
  labelIndex(key: string): string {
    return join(this.dir, 'label-index', `${key}.json`);
  }
}

/** Writes a file through a temporary sibling and a rename, so readers never see half of it. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Copies a file through a temporary sibling and a rename (a reader of the old file keeps reading it whole). */
export async function copyFileAtomic(source: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const temporary = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await copyFile(source, temporary);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** JSON with two-space indentation and a trailing newline, written atomically. */
export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
