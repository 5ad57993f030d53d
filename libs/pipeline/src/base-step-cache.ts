// Step 0 trained once for every run whose step 0 is identical (baselines, ablations): its checkpoint
// lives in <cache-dir>/base-steps/<key>/, keyed by everything that defines the step, and its
// memory-bank archive is named after the key, so the weak steps of any run reusing it sample from it.
// Two runs that need the same base step at once share one training job.
import * as grpc from '@grpc/grpc-js';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  Hyperparameters,
  ModelConfig,
  StepKind,
  type ClassSpec,
  type DatasetRef,
  type StartTrainingRequest,
  type TrainingProgress,
} from '@fmwiss/contracts';
import { unary } from '@fmwiss/service-kit';
import { contentKey } from './content-key';
import { statusCodeOf, type RetryHooks } from './retry';
import { copyFileAtomic, writeJsonAtomic, type CacheFolder } from './run-folder';
import type { RunServices } from './run-services';
import { SharedFlights } from './shared-flight';
import { runTrainingJob } from './trainer-driver';

/** Everything that defines a base step. */
export interface BaseStepDefinition {
  /** The step's training images: the dataset and the list (its path may differ between runs, its content not). */
  trainData: DatasetRef;
  listSha256: string;
  classes: ClassSpec[];
  model: ModelConfig;
  hyperparameters: Hyperparameters;
  memoryPerClass: number;
}

export function baseStepKey(definition: BaseStepDefinition): string {
  const { trainData } = definition;
  return contentKey({
    format: 'fmwiss-base-step/1',
    dataset: { format: trainData.format, root: trainData.root, split: trainData.split },
    listSha256: definition.listSha256,
    classes: definition.classes.map((c) => ({ id: c.id, name: c.name })),
    model: ModelConfig.toJSON(definition.model),
    hyperparameters: Hyperparameters.toJSON(definition.hyperparameters),
    memoryPerClass: definition.memoryPerClass,
  });
}

/** The memory-bank archive (run id) of a base step. */
export const baseStepArchiveId = (key: string): string => `base-${key.slice(0, 40)}`;

/** entry.json of a cached base step. */
export interface BaseStepEntry {
  key: string;
  /** The build that succeeded (1, or more after the archive had to be rebuilt). */
  build: number;
  jobId: string;
  /** The final checkpoint folder. */
  checkpoint: string;
  memoryBankRunId: string;
  trainingSeconds: number;
  createdAt: string;
}

export interface BaseStepResult {
  entry: BaseStepEntry;
  /** True when the cache held it (or another run had just trained it). */
  reused: boolean;
}

/** What waiting runs hear while the base step trains. */
export type BaseStepNotice = { progress: TrainingProgress } | { warning: string };

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

export class BaseStepCache {
  private readonly flights = new SharedFlights<BaseStepResult, BaseStepNotice>();

  constructor(private readonly cache: CacheFolder) {}

  /**
   * The base step of `definition`: from the cache when its checkpoint is there (and, when
   * `needsArchive`, its memory-bank archive holds instances), else trained now (into the cache).
   */
  async ensure(options: {
    definition: BaseStepDefinition;
    /** The rest of the trainer request (data, classes): job id, output and memory bank are filled in here. */
    request: Omit<StartTrainingRequest, 'jobId' | 'runId' | 'outputDir' | 'memoryBank'>;
    services: RunServices;
    needsArchive: boolean;
    signal: AbortSignal;
    onNotice(notice: BaseStepNotice): void;
    onJoin?(startedHere: boolean): void;
  }): Promise<BaseStepResult> {
    const key = baseStepKey(options.definition);
    const folder = this.cache.baseStep(key);
    let trainedHere = false;
    const result = await this.flights.join(
      key,
      async (signal, notify) => {
        const previous = await this.readEntry(key);
        if (previous && (await exists(previous.checkpoint))) {
          if (!options.needsArchive || (await this.archiveHolds(options.services, previous.memoryBankRunId, { signal }))) {
            return { entry: previous, reused: true };
          }
          notify({ warning: `cached base step ${key.slice(0, 12)}: its memory-bank archive ${previous.memoryBankRunId} is missing at ${options.services.memoryBank.target.address}; training the base step again` });
        }
        trainedHere = true;
        const build = (previous?.build ?? 0) + 1;
        const memoryBankRunId = baseStepArchiveId(key);
        const jobId = `${memoryBankRunId}.b${build}`;
        await writeJsonAtomic(join(folder, 'definition.json'), {
          ...options.definition,
          model: ModelConfig.toJSON(options.definition.model),
          hyperparameters: Hyperparameters.toJSON(options.definition.hyperparameters),
        });
        // The job reads the list from the cache folder, so whichever run starts it (or starts it again
        // after a coordinator restart) sends the very same request.
        const list = join(folder, 'step-0.txt');
        await copyFileAtomic(options.request.trainData!.listPath, list);
        const started = performance.now();
        const job = await runTrainingJob(
          options.services,
          {
            ...options.request,
            trainData: { ...options.request.trainData!, listPath: list },
            kind: StepKind.STEP_KIND_BASE,
            step: 0,
            jobId,
            runId: memoryBankRunId,
            outputDir: join(folder, `build-${build}`),
            memoryBank: { address: options.services.memoryBank.target.address, runId: memoryBankRunId, capacityPerClass: options.definition.memoryPerClass },
          },
          { onProgress: (progress) => notify({ progress }), onWarning: (warning) => notify({ warning }) },
          signal,
        );
        const entry: BaseStepEntry = {
          key,
          build,
          jobId,
          checkpoint: job.checkpoint,
          memoryBankRunId,
          trainingSeconds: (performance.now() - started) / 1000,
          createdAt: new Date().toISOString(),
        };
        await writeJsonAtomic(join(folder, 'entry.json'), entry);
        return { entry, reused: false };
      },
      { signal: options.signal, onNotice: options.onNotice, onJoin: options.onJoin },
    );
    return { entry: result.entry, reused: result.reused || !trainedHere };
  }

  private async readEntry(key: string): Promise<BaseStepEntry | undefined> {
    try {
      const entry = JSON.parse(await readFile(join(this.cache.baseStep(key), 'entry.json'), 'utf8')) as BaseStepEntry;
      return entry.key === key && typeof entry.checkpoint === 'string' ? entry : undefined;
    } catch {
      return undefined;
    }
  }

  /** Whether the memory bank holds an archive with instances under `runId`. */
  private async archiveHolds(services: RunServices, runId: string, hooks: RetryHooks): Promise<boolean> {
    try {
      const stats = await services.memoryBank.call(`GetStats of archive ${runId}`, (client) => unary(client, 'getStats', { runId }, { signal: hooks.signal }), hooks);
      return stats.totalStored > 0;
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      if (statusCodeOf(cause) === grpc.status.NOT_FOUND) return false;
      throw error;
    }
  }
}
