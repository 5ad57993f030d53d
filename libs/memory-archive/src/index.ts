export { ArchiveStore, type ArchiveRecord, type Durability } from './archive-store';
export { MemoryArchive, DEFAULT_LIMITS, checkRunId, type MemoryArchiveLimits } from './memory-archive';
export { checkInstance, type CheckedInstance } from './instance-check';
export { reservoirDecision } from './reservoir';
export { planDraws } from './sampler';
export { synthesizeInstance } from './synthetic-instance';
