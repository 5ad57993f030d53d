export type {
  AblationRow,
  ClassScoreJSON,
  EvaluationSummaryJSON,
  Fraction,
  LossPoint,
  MetricsFile,
  PseudoLabelQuality,
  ReportData,
  ReportPanel,
  ResultRow,
  StepMetrics,
} from './types';
export { ablationTable, resultsTable, type TableFormat } from './tables';
export { renderReport } from './report';
export { heatMapPng, labelMapPng, rgbPng } from './png';
export { resultRowFromMetrics } from './metrics-row';
export { formatPercent, MISSING } from './format';
