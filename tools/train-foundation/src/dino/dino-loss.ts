// DINO's self-distillation loss with centering and sharpening (Caron et al. 2021, Algorithm 1), the
// centre update, and the teacher statistics that tell collapse apart.
import * as tf from '@tensorflow/tfjs';

export interface DinoLossShape {
  /** Images per crop (B). */
  batch: number;
  /** Global crops (2): the teacher sees these. */
  globalCrops: number;
  /** All crops the student sees (2 global + local). */
  studentCrops: number;
}

/**
 * Teacher targets [G*B, K]: softmax((teacher - center) / teacherTemp), rows crop-major (global crop 0's
 * batch, then crop 1's). Not differentiated (the teacher gets no gradient).
 */
export function teacherTargets(teacher: tf.Tensor2D, center: tf.Tensor, teacherTemp: number): tf.Tensor2D {
  return tf.tidy(() => tf.softmax(tf.div(tf.sub(teacher, center), teacherTemp)) as tf.Tensor2D);
}

/**
 * The loss over every (teacher global crop i, student crop v) pair with v != i:
 *
 *     L = mean_{pairs} mean_b  sum_k -q_i[b,k] log softmax(s_v[b] / studentTemp)_k
 *
 * student [V*B, K] crop-major (global crops first, as the teacher's), targets [G*B, K] from teacherTargets.
 */
export function dinoLoss(student: tf.Tensor2D, targets: tf.Tensor2D, studentTemp: number, shape: DinoLossShape): tf.Scalar {
  const { batch: B, globalCrops: G, studentCrops: V } = shape;
  return tf.tidy(() => {
    const K = student.shape[1];
    const logProbs = tf.logSoftmax(tf.div(student, studentTemp)) as tf.Tensor2D;
    const terms: tf.Scalar[] = [];
    for (let i = 0; i < G; i++) {
      const q = tf.slice(targets, [i * B, 0], [B, K]);
      for (let v = 0; v < V; v++) {
        if (v === i) continue;
        terms.push(tf.div(tf.sum(tf.mul(q, tf.slice(logProbs, [v * B, 0], [B, K]))), -B) as tf.Scalar);
      }
    }
    return tf.div(tf.addN(terms), terms.length) as tf.Scalar;
  });
}

/** center * momentum + mean over rows of teacher [N,K] * (1 - momentum): [1,K]. */
export function updatedCenter(center: tf.Tensor, teacher: tf.Tensor2D, momentum: number): tf.Tensor2D {
  return tf.tidy(() => tf.add(tf.mul(center, momentum), tf.mul(tf.mean(teacher, 0, true), 1 - momentum)) as tf.Tensor2D);
}

export interface TeacherStatistics {
  /** Mean entropy of each target row: near 0 = sharp (collapse to one-hot if the next is also 0). */
  rowEntropy: number;
  /** Entropy of the batch's mean target: ln K = every prototype used, 0 = one prototype for all. */
  meanEntropy: number;
}

export function teacherStatistics(targets: tf.Tensor2D): TeacherStatistics {
  const [row, mean] = tf.tidy(() => {
    const entropy = (p: tf.Tensor) => tf.neg(tf.sum(tf.mul(p, tf.log(tf.maximum(p, 1e-12))), -1));
    return [tf.mean(entropy(targets)), entropy(tf.mean(targets, 0))];
  });
  const out = { rowEntropy: row!.dataSync()[0]!, meanEntropy: mean!.dataSync()[0]! };
  tf.dispose([row!, mean!]);
  return out;
}
