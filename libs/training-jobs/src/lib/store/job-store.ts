import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StartTrainingRequest, TrainingJob } from '@fmwiss/contracts';
import type { StepSpec } from '../step-api';
import { writeFileAtomic } from './atomic-file';
import { EventLog } from './event-log';

export const JOB_FILE = 'job.json';
export const EVENTS_FILE = 'events.jsonl';
export const JOBS_FOLDER = 'jobs';
const STORE_VERSION = 1;

/** Where a training worker finds the memory bank (StartTrainingRequest.memory_bank). */
export interface MemoryBankSettings {
  address: string;
  runId: string;
  capacityPerClass: number;
}

/** The work a job runs: the step, and the memory bank when the request named one. */
export interface TrainingWork {
  spec: StepSpec;
  memoryBank?: MemoryBankSettings;
}

/** Everything job.json holds. */
export interface StoredJob {
  job: TrainingJob;
  /** SHA-256 of the request's canonical JSON: StartTraining with the same id compares it. */
  requestFingerprint: string;
  request: StartTrainingRequest;
  work: TrainingWork;
}

/** A job folder that could not be read back. */
export interface UnreadableJob {
  jobId: string;
  reason: string;
}

/**
 * The trainer's state on disk: `<stateDir>/jobs/<job_id>/job.json` (rewritten atomically on every
 * change) and `events.jsonl` (appended).
 */
export class JobStore {
  readonly root: string;

  constructor(readonly stateDir: string) {
    this.root = join(resolve(stateDir), JOBS_FOLDER);
    mkdirSync(this.root, { recursive: true });
  }

  jobDir(jobId: string): string {
    return join(this.root, jobId);
  }

  /** Whether a folder exists for `jobId` (readable or not). */
  has(jobId: string): boolean {
    return existsSync(this.jobDir(jobId));
  }

  /** Every job on disk, and the folders that hold no readable job. */
  loadAll(): { jobs: StoredJob[]; unreadable: UnreadableJob[] } {
    const jobs: StoredJob[] = [];
    const unreadable: UnreadableJob[] = [];
    for (const entry of readdirSync(this.root, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      try {
        jobs.push(this.read(entry.name));
      } catch (error) {
        unreadable.push({ jobId: entry.name, reason: (error as Error).message });
      }
    }
    return { jobs, unreadable };
  }

  read(jobId: string): StoredJob {
    const path = join(this.jobDir(jobId), JOB_FILE);
    const json = JSON.parse(readFileSync(path, 'utf8')) as {
      version?: number;
      job?: unknown;
      requestFingerprint?: unknown;
      request?: unknown;
      work?: TrainingWork;
    };
    if (json.version !== STORE_VERSION) throw new Error(`${path}: unknown store version ${String(json.version)}`);
    if (typeof json.requestFingerprint !== 'string' || !json.work?.spec) throw new Error(`${path}: incomplete job record`);
    const job = TrainingJob.fromJSON(json.job);
    if (job.jobId !== jobId) throw new Error(`${path}: holds job "${job.jobId}", not "${jobId}"`);
    return { job, requestFingerprint: json.requestFingerprint, request: StartTrainingRequest.fromJSON(json.request), work: json.work };
  }

  /** Writes job.json atomically (creating the job's folder the first time); `durable` fsyncs it. */
  write(stored: StoredJob, durable = true): void {
    const dir = this.jobDir(stored.job.jobId);
    mkdirSync(dir, { recursive: true });
    const record = {
      version: STORE_VERSION,
      job: TrainingJob.toJSON(stored.job),
      requestFingerprint: stored.requestFingerprint,
      request: StartTrainingRequest.toJSON(stored.request),
      work: stored.work,
    };
    writeFileAtomic(join(dir, JOB_FILE), `${JSON.stringify(record, null, 2)}\n`, durable);
  }

  eventLog(jobId: string): EventLog {
    return EventLog.open(join(this.jobDir(jobId), EVENTS_FILE));
  }
}
