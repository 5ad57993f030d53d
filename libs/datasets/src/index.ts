export {
  BACKGROUND_ID,
  classIdsOf,
  COCO_CATEGORIES,
  COCO_CLASSES,
  cocoToVocMapping,
  IGNORE_VALUE,
  VOC_CLASS_NAMES,
  VOC_CLASSES,
  VOC_COCO_IDS,
  type ClassInfo,
} from './classes';
export { DatasetError, TaskError } from './errors';
export { createDataset, type DatasetSource, type Sample, type SampleOptions, type SegmentationDataset } from './dataset';
export { idOfListLine, readIdList } from './list-file';
export { openVocDataset, type VocDatasetOptions, type VocLabelFolder } from './voc';
export { openCocoDataset, type CocoDatasetOptions } from './coco';
export { openManifestDataset, parseManifest, type DatasetManifest } from './manifest';
export {
  buildLabelIndex,
  datasetFingerprint,
  imageLabels,
  loadLabelIndex,
  saveLabelIndex,
  type ClassStats,
  type DatasetProblem,
  type ImageLabels,
  type LabelIndex,
} from './label-index';
export {
  labelIndexFor,
  scanDataset,
  type LabelIndexForResult,
  type ScanOptions,
  type ScanProgress,
  type ScanResult,
} from './scan';
export {
  loadCustomTask,
  newClasses,
  oldClasses,
  seenClasses,
  TASK_NAMES,
  taskByName,
  taskProblems,
  TASKS,
  validateTask,
  type TaskDefinition,
} from './tasks';
export {
  readStepList,
  readTaskStepList,
  sha256Hex,
  stepCounts,
  stepImageIds,
  stepListFile,
  writeStepList,
  writeTaskLists,
  type IncrementalSetting,
  type StepCount,
  type TaskListsSummary,
  type WrittenStepList,
} from './step-lists';
export { remapForStep, remapLabelSpace } from './remap';
export { imageLevelLabels } from './weak-labels';
