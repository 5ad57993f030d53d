/** Label value of pixels without supervision. */
export const IGNORE = 255;

/**
 * Weight of the softmax cross-entropy added to the BCE of every student loss. The per-class sigmoid
 * BCE alone (mean over classes, as METHOD.md writes L_bce) learns the classes of a student trained
 * from scratch very slowly: in 600 iterations on 64 benchmark images the default student reached 4 %
 * foreground pixel accuracy on those very images with BCE, 54 % with BCE + cross-entropy, 58 % with
 * cross-entropy alone (docs/step-training.md). The BCE term keeps the sigmoid outputs calibrated, which
 * the next step's distillation targets need.
 */
export const CROSS_ENTROPY_WEIGHT = 1;

/**
 * Class-balanced cross-entropy of the pixel steps (base, joint, finetune): class c's pixels weigh
 * f_c^-CLASS_BALANCE_POWER, f_c its share of the step's labelled training pixels (at most
 * CLASS_WEIGHT_CAP times the average weight). Background covers about 77 % of the benchmark's pixels
 * and a from-scratch student first learns to answer background everywhere: 2000 iterations of the
 * default student on the demo's step 0 gave 20.7 % mIoU unweighted, 23.5 % with power 0.5 (more classes
 * above 0), 4.9 % with power 1 (background lost); docs/step-training.md.
 */
export const CLASS_BALANCE_POWER = 0.5;
export const CLASS_WEIGHT_CAP = 50;

/**
 * The teacher's learning rate relative to the step's (the DeepLab habit of a 10x rate for a freshly
 * initialised head): the teacher starts from random weights at a weak step, while the student
 * continues from the previous step's model at the step's (fine-tuning) rate.
 */
export const TEACHER_LEARNING_RATE_FACTOR = 10;

/** What one update did: the loss terms by name, the learning rate, whether it was applied. */
export interface StepUpdate {
  losses: Record<string, number>;
  learningRate: number;
  /** False when a loss or the gradient norm was not finite: nothing changed. */
  applied: boolean;
}
