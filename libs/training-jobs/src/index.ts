// @fmwiss/training-jobs: the trainer's job machinery. Jobs persisted under a state dir (job.json,
// events.jsonl), a queue bounded by max concurrent jobs, one worker thread per running job, watch
// streams, resume after a restart; a worker pool for Evaluate and Predict; the memory bank over gRPC.
export {
  JobManager,
  DEFAULT_MEMORY_BANK_RETRY,
  requestFingerprint,
  type JobManagerOptions,
  type JobSubscription,
  type NewJob,
} from './lib/job-manager';
export { JobStore, JOB_FILE, EVENTS_FILE, JOBS_FOLDER, type MemoryBankSettings, type StoredJob, type TrainingWork } from './lib/store/job-store';
export { EventLog, type EventLogProblem } from './lib/store/event-log';
export { acquireStateLock, LOCK_FILE, type StateLock } from './lib/store/state-lock';
export { writeFileAtomic } from './lib/store/atomic-file';
export { canonicalJson, fingerprint } from './lib/fingerprint';
export { shouldRecordProgress, type RecordedProgress } from './lib/progress-throttle';
export { AsyncQueue } from './lib/async-queue';
export {
  hyperparameterOverrides,
  hyperparametersMessage,
  isTerminalState,
  jobStateName,
  modelConfigMessage,
  modelConfigOverrides,
  progressMessage,
  stepKindMessage,
  stepKindName,
} from './lib/messages';
export type {
  TrainingWorkerCommand,
  TrainingWorkerInput,
  TrainingWorkerMessage,
  MemoryBankRetrySettings,
  WorkerFailureKind,
} from './lib/worker/protocol';
export { serveTrainingWorker, classifyWorkerError, type WorkerHooks } from './lib/worker/worker-runtime';
export { TrainingWorkerRun, type WorkerOutcome, type WorkerRunListener } from './lib/worker/worker-run';
export { launchWorker } from './lib/worker/launch';
export { TRAINING_WORKER_MODULE, INFERENCE_WORKER_MODULE } from './lib/worker/modules';
export { GrpcMemoryBank, instanceMessage, type GrpcMemoryBankOptions } from './lib/memory-bank/grpc-memory-bank';
export { withRetries, backoffMs, isUnavailable, type RetrySchedule } from './lib/memory-bank/retry';
export { InferencePool, type InferencePoolOptions } from './lib/inference/inference-pool';
export { serveInferenceWorker } from './lib/inference/worker-runtime';
export { inferenceFailure } from './lib/inference/failure';
export { LruCache } from './lib/inference/lru';
export type { EvaluateTask, PredictTask, PredictOutput, InferenceWorkerInput } from './lib/inference/protocol';
export * from './lib/step-api';
