export {
  ConfusionMatrix,
  DEFAULT_IGNORE_LABEL,
  type ConfusionMatrixJSON,
  type ConfusionMatrixOptions,
  type LabelArray,
} from './confusion-matrix';
export { MetricsError } from './errors';
export { perClassIoU, type ClassIoU } from './iou';
export { summarize, type ClassGroup, type ClassSummary, type MetricsSummary, type SummarizeOptions } from './summary';
export {
  ABSENT,
  summaryToJSON,
  summaryToMarkdown,
  type BaselineRow,
  type MarkdownOptions,
  type MetricsSummaryJSON,
} from './format';
