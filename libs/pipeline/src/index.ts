// @fmwiss/pipeline: the coordinator's logic (docs/coordinator.md). apps/coordinator serves it as
// PipelineService; everything here talks to the other services through the contracts only.
export { Coordinator, type CoordinatorOptions } from './coordinator';
export { resolveRunRequest, generateRunId, RUN_ID_PATTERN, type ResolvedRun, type RunDefaults, type ServiceAddresses, type MethodName } from './run-request';
export { planSteps, stepKindName, type PlannedStep } from './step-plan';
export { RunFolder, CacheFolder, writeFileAtomic, writeJsonAtomic } from './run-folder';
export { RunRecord, isTerminal } from './run-record';
export {
  withRetries,
  isTransient,
  backoffMs,
  describeError,
  ServiceCallError,
  type RetryPolicy,
  type RetryHooks,
  type ServiceTarget,
} from './retry';
export { ServiceConnection, type ServiceConnectionOptions } from './service-connection';
export { ConnectionPool, type RunServices } from './run-services';
export { pseudoLabelKey, computePseudoLabels, requestMasks, type MaskServiceInfo } from './pseudo-labels';
export { measurePseudoLabelQuality } from './pseudo-label-quality';
export { baseStepKey, baseStepArchiveId, BaseStepCache, type BaseStepDefinition, type BaseStepEntry } from './base-step-cache';
export { SharedFlights } from './shared-flight';
export { trainingJobId, runTrainingJob, evaluateCheckpoint, predictImage } from './trainer-driver';
export { buildMetricsFile, buildReportData, evaluationJson, lossCurves, stepTimings } from './run-outputs';
export { canonicalJson, contentKey } from './content-key';
export { RunCancelledError, CoordinatorStoppingError, RunFailure } from './run-errors';
