import {
  ImageFormat,
  SampleRequest_Weighting,
  type ArchiveStats,
  type CreateArchiveRequest,
  type DeleteArchiveResponse,
  type Instance,
  type PutResponse,
  type SampleRequest,
  type StoredInstance,
} from '@fmwiss/contracts';
import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from '@fmwiss/service-kit';
import type { ArchiveRecord, ArchiveStore, StoredInstanceRow } from './archive-store';
import { checkInstance, type CheckedInstance } from './instance-check';
import { planDraws, type SampleWeighting } from './sampler';

export interface MemoryArchiveLimits {
  /** Longest side of a stored crop, in pixels. */
  maxInstanceSide: number;
  /** Most instances one Sample call may draw. */
  maxSampleCount: number;
  /** Largest B an archive may have. */
  maxCapacityPerClass: number;
}

export const DEFAULT_LIMITS: MemoryArchiveLimits = {
  maxInstanceSide: 1024,
  maxSampleCount: 10_000,
  maxCapacityPerClass: 100_000,
};

const RUN_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * The memory bank's operations on top of its store, in the contract's terms: request validation,
 * instance checks, reservoir offers, deterministic sampling, statistics and deletion.
 */
export class MemoryArchive {
  constructor(
    private readonly store: ArchiveStore,
    private readonly limits: MemoryArchiveLimits = DEFAULT_LIMITS,
  ) {}

  createArchive(request: CreateArchiveRequest): ArchiveStats {
    const runId = checkRunId(request.runId);
    const capacity = request.capacityPerClass;
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > this.limits.maxCapacityPerClass) {
      throw new InvalidArgumentError(
        `capacity_per_class must be an integer in 1..${this.limits.maxCapacityPerClass}, got ${capacity}`,
      );
    }
    const classIds = [...new Set(request.classIds)].sort((a, b) => a - b);
    const badClass = classIds.find((id) => !Number.isInteger(id) || id < 1 || id > 254);
    if (badClass !== undefined) throw new InvalidArgumentError(`class_ids holds ${badClass}, not a foreground class (1..254)`);
    const seed = request.seed ?? 0;
    const { record, created } = this.store.createArchive({ runId, capacity, seed, classIds, createdAt: new Date() });
    if (!created && (record.capacity !== capacity || record.seed !== seed || record.classIds.join() !== classIds.join())) {
      throw new AlreadyExistsError(
        `run '${runId}' already has an archive with capacity ${record.capacity}, seed ${record.seed}, classes [${record.classIds.join(', ')}]` +
          '; delete it first or use the same parameters',
      );
    }
    return this.stats(runId);
  }

  /** The archive of a run, or NOT_FOUND. */
  requireArchive(runId: string): ArchiveRecord {
    const record = this.store.getArchive(checkRunId(runId));
    if (!record) throw new NotFoundError(`no archive for run '${runId}'; create it with CreateArchive first`);
    return record;
  }

  /** Checks an instance offered to a run; `what` names it in error messages ("instance #3"). */
  async checkInstance(archive: ArchiveRecord, instance: Instance | undefined, what: string): Promise<CheckedInstance> {
    return checkInstance(
      instance,
      {
        maxSide: this.limits.maxInstanceSide,
        acceptedClassIds: archive.classIds.length > 0 ? new Set(archive.classIds) : null,
      },
      what,
    );
  }

  /** Offers a checked instance; the outcome is durable when this returns. */
  offer(runId: string, instance: CheckedInstance, index: number): PutResponse {
    const outcome = this.store.offer(runId, instance);
    if (!outcome) throw new NotFoundError(`the archive of run '${runId}' was deleted during the Put stream`);
    return { index, ...outcome };
  }

  /** Validates a Sample request and chooses the instances to return, in draw order. */
  planSample(request: SampleRequest): { runId: string; instanceIds: string[] } {
    const archive = this.requireArchive(request.runId);
    const { count } = request;
    if (!Number.isInteger(count) || count < 1 || count > this.limits.maxSampleCount) {
      throw new InvalidArgumentError(`count must be an integer in 1..${this.limits.maxSampleCount}, got ${count}`);
    }
    const classIds = [...new Set(request.classIds)];
    const stats = new Map(this.store.classCounts(archive.runId).map((c) => [c.classId, c.stored]));
    const empty = classIds.filter((id) => !stats.get(id));
    if (classIds.length > 0 && empty.length === classIds.length) {
      throw new NotFoundError(`run '${archive.runId}' holds no instance of class(es) [${empty.join(', ')}]`);
    }
    const instanceIds = planDraws({
      candidates: this.store.candidates(archive.runId, classIds),
      count,
      seed: request.seed ?? 0,
      weighting: toWeighting(request.weighting),
      withoutReplacement: request.withoutReplacement,
    });
    return { runId: archive.runId, instanceIds };
  }

  /** Reads one stored instance; NOT_FOUND if the archive changed since it was planned. */
  readInstance(runId: string, instanceId: string): StoredInstance {
    const row = this.store.getInstance(runId, instanceId);
    if (!row) throw new NotFoundError(`instance '${instanceId}' of run '${runId}' is gone: the archive changed while sampling`);
    return toStoredInstance(row);
  }

  stats(runId: string): ArchiveStats {
    return this.toStats(this.requireArchive(runId));
  }

  list(): ArchiveStats[] {
    return this.store.listArchives().map((record) => this.toStats(record));
  }

  deleteArchive(runId: string, allowMissing: boolean): DeleteArchiveResponse {
    const deleted = this.store.deleteArchive(checkRunId(runId));
    if (deleted === undefined) {
      if (allowMissing) return { deleted: false, deletedInstances: 0 };
      throw new NotFoundError(`no archive for run '${runId}'`);
    }
    return { deleted: true, deletedInstances: deleted };
  }

  private toStats(record: ArchiveRecord): ArchiveStats {
    const classes = this.store.classCounts(record.runId);
    const sum = (pick: (c: (typeof classes)[number]) => number) => classes.reduce((total, c) => total + pick(c), 0);
    return {
      runId: record.runId,
      capacityPerClass: record.capacity,
      seed: record.seed,
      acceptedClassIds: record.classIds,
      classes: classes.map((c) => ({ classId: c.classId, offered: c.offered, stored: c.stored, bytes: c.bytes })),
      totalOffered: sum((c) => c.offered),
      totalStored: sum((c) => c.stored),
      totalBytes: sum((c) => c.bytes),
      createdAt: record.createdAt,
    };
  }
}

export function checkRunId(runId: string): string {
  if (!RUN_ID.test(runId)) {
    throw new InvalidArgumentError(`run_id must be 1 to 128 characters of [A-Za-z0-9._-], got '${runId.slice(0, 140)}'`);
  }
  return runId;
}

function toWeighting(weighting: SampleRequest_Weighting): SampleWeighting {
  switch (weighting) {
    case SampleRequest_Weighting.WEIGHTING_INSTANCE_UNIFORM:
      return 'instance-uniform';
    case SampleRequest_Weighting.WEIGHTING_UNSPECIFIED:
    case SampleRequest_Weighting.WEIGHTING_CLASS_UNIFORM:
      return 'class-uniform';
    default:
      throw new InvalidArgumentError(`weighting ${weighting} is not a known SampleRequest.Weighting value`);
  }
}

function toStoredInstance(row: StoredInstanceRow): StoredInstance {
  return {
    instanceId: row.instanceId,
    width: row.width,
    height: row.height,
    maskArea: row.maskArea,
    instance: {
      classId: row.classId,
      image: { format: row.imageFormat === 'png' ? ImageFormat.IMAGE_FORMAT_PNG : ImageFormat.IMAGE_FORMAT_JPEG, data: row.image },
      mask: { format: ImageFormat.IMAGE_FORMAT_PNG, data: row.mask },
      sourceImageId: row.sourceImageId,
      sourceBox: row.sourceBox,
    },
  };
}
