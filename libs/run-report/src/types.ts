// The data a report or a table is made from, and the metrics.json file of a run (types only).
//
// A mean IoU or an IoU is a fraction in [0,1]. `null` or NaN means "not defined" (a class absent from
// the evaluated ground truth, no new class yet at step 0): JSON.stringify writes NaN as null, so a
// metrics.json read back holds null where the evaluation held NaN. Both are shown as "–".

/** A figure that may be undefined: a fraction in [0,1], or null / NaN when there is nothing to average. */
export type Fraction = number | null;

/** One row of the old / new / all table: a run or a baseline. */
export interface ResultRow {
  label: string;
  miouOld: Fraction;
  miouNew: Fraction;
  miouAll: Fraction;
  note?: string;
}

/** One row of `fmwiss ablate`'s table: a variant of the method and the settings that make it. */
export interface AblationRow {
  variant: string;
  /** Column name -> value, e.g. { fusion: 'union', lambda: '0.1' }; columns are the union of all rows' keys. */
  settings: Record<string, string>;
  miouOld: Fraction;
  miouNew: Fraction;
  miouAll: Fraction;
  note?: string;
}

/** A class's IoU as step-training's ClassScore, after a JSON round trip (NaN -> null). */
export interface ClassScoreJSON {
  classId: number;
  name: string;
  iou: Fraction;
  /** Whether the class occurs in the evaluated ground truth (an absent class has no IoU). */
  present: boolean;
}

/** step-training's EvaluationSummary as it is stored in metrics.json. */
export interface EvaluationSummaryJSON {
  miouOld: Fraction;
  miouNew: Fraction;
  miouAll: Fraction;
  pixelAccuracy: Fraction;
  /** Background first, then every class of the checkpoint. */
  classes: ClassScoreJSON[];
  images: number;
  confusion?: { classIds: number[]; counts: number[] /* row-major [C,C], rows ground truth */ };
}

/** One step of a run in metrics.json. */
export interface StepMetrics {
  step: number;
  classIds: number[];
  images: number;
  trainingSeconds: number;
  pseudoLabelSeconds: number;
  evaluation: EvaluationSummaryJSON;
}

/** Pseudo-label quality of a weak step against the hidden ground truth: a diagnostic only. */
export interface PseudoLabelQuality {
  step: number;
  miou: Fraction;
  images: number;
  classes: { classId: number; name: string; iou: Fraction }[];
}

/** `<run folder>/metrics.json`. */
export interface MetricsFile {
  runId: string;
  task: string;
  setting: 'overlap' | 'disjoint';
  method: 'fmwiss' | 'joint' | 'finetune';
  label: string;
  steps: StepMetrics[];
  /** The evaluation after the last step. */
  final: { miouOld: Fraction; miouNew: Fraction; miouAll: Fraction };
  pseudoLabelQuality: PseudoLabelQuality[];
  totalSeconds: number;
}

/** One image of a sample row: PNG bytes, inlined as a data: URL. */
export interface ReportPanel {
  title: string;
  png: Uint8Array;
}

/** One progress point of a step's training, for the loss curves. */
export interface LossPoint {
  /** Cumulative within the step (1-based iterations since the step began). */
  iteration: number;
  phase: string;
  /** Loss term -> value, e.g. { total, seg, teacher_bce, dcl, old_bce }. */
  losses: Record<string, number>;
  learningRate: number;
}

export interface ReportData {
  title: string;
  runId: string;
  createdAt: string;
  task: string;
  setting: string;
  method: string;
  label: string;
  /** Shown as pretty JSON in a <details>. */
  configuration: unknown;
  /** Every class of the task with the step that learned it (background may be left out). */
  classes: { id: number; name: string; step: number }[];
  steps: { step: number; classIds: number[]; images: number; trainingSeconds: number; evaluation: EvaluationSummaryJSON }[];
  /** Rows shown beside the run's final row (may be empty). */
  baselines: ResultRow[];
  lossCurves: { step: number; points: LossPoint[] }[];
  /** A diagnostic, shown apart from the method's inputs. */
  pseudoLabelQuality: PseudoLabelQuality[];
  /** Per image: image, M_init, seed map, fused mask, teacher output, student prediction, ground truth. */
  samples: { imageId: string; panels: ReportPanel[] }[];
}
