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
 * Pixels whose best new-class teacher probability is below this get no one-hot vote in the student's
 * new-class targets (`studentTargets({ hardMinProb })`). METHOD.md as written (0) gives every pixel
 * alpha = 0.5 for some new class, so the student's background target never exceeds 0.5 on a weak
 * step's images and the student learns to paint them with new classes; 0.5 keeps the hard vote to
 * pixels the teacher calls foreground.
 */
export const HARD_LABEL_MIN_PROB = 0.5;

/** What one update did: the loss terms by name, the learning rate, whether it was applied. */
export interface StepUpdate {
  losses: Record<string, number>;
  learningRate: number;
  /** False when a loss or the gradient norm was not finite: nothing changed. */
  applied: boolean;
}
