import * as tf from '@tensorflow/tfjs';
import { SeededRandom, type SeedPart } from '@fmwiss/random';
import { assertRank, assertSameShape, LossInputError } from './errors';

export interface ContrastiveSamplingOptions {
  /** Points drawn per class present in the minibatch (METHOD.md: 10). All of a class's pixels when it has fewer. */
  pointsPerClass: number;
  /** Seed of the draw; class k uses the stream `SeededRandom(seed, 'dense-contrastive', k)`. */
  seed: SeedPart;
  /** Whether label 0 (background) is a class of its own. Default true; -1 is always ignored. */
  includeBackground?: boolean;
}

export interface ContrastiveSample {
  /** [M] flat pixel indices into the batch, b*h*w + y*w + x; grouped by class, ascending within a class. */
  indices: Int32Array;
  /** [M] the pseudo class of each sampled point. */
  classes: Int32Array;
  /** The classes present in the minibatch (after the background rule), ascending. */
  classIds: number[];
}

/**
 * The CPU side of the dense contrastive loss: for every class present in `labels` (a flattened
 * [B,h,w] pseudo label map of the whole minibatch, -1 = ignore), up to `pointsPerClass` pixels
 * drawn uniformly without replacement (partial Fisher-Yates on the class's pixel list). Deterministic
 * given the seed, and a class's draw does not depend on which other classes are present.
 */
export function sampleContrastivePoints(labels: ArrayLike<number>, options: ContrastiveSamplingOptions): ContrastiveSample {
  const { pointsPerClass, seed } = options;
  const includeBackground = options.includeBackground ?? true;
  if (!Number.isInteger(pointsPerClass) || pointsPerClass < 1) {
    throw new LossInputError(`pointsPerClass must be a positive integer, got ${pointsPerClass}`);
  }
  const pixelsByClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    if (label < 0 || (label === 0 && !includeBackground)) continue;
    let list = pixelsByClass.get(label);
    if (list == null) pixelsByClass.set(label, (list = []));
    list.push(i);
  }
  const classIds = [...pixelsByClass.keys()].sort((a, b) => a - b);
  const indices: number[] = [];
  const classes: number[] = [];
  for (const classId of classIds) {
    const pool = pixelsByClass.get(classId) as number[];
    let chosen = pool;
    if (pool.length > pointsPerClass) {
      const random = new SeededRandom(seed, 'dense-contrastive', classId);
      for (let j = 0; j < pointsPerClass; j++) {
        const k = j + random.int(pool.length - j);
        [pool[j], pool[k]] = [pool[k] as number, pool[j] as number];
      }
      chosen = pool.slice(0, pointsPerClass).sort((a, b) => a - b);
    }
    for (const index of chosen) {
      indices.push(index);
      classes.push(classId);
    }
  }
  return { indices: Int32Array.from(indices), classes: Int32Array.from(classes), classIds };
}

export interface DenseContrastiveOptions extends ContrastiveSamplingOptions {
  /** tau (METHOD.md: 0.1). */
  temperature: number;
}

/** Subtracted from non-negative similarities before the negatives' log-sum-exp: exp(s - max) is exactly 0 there. */
const MASK_PENALTY = 1e9;

/**
 * METHOD.md's L_dcl, pixel InfoNCE over sampled points of the whole minibatch:
 *
 *   L = mean_{i : |P_i| > 0} -(1/|P_i|) sum_{p in P_i} log( e^{s_ip} / (e^{s_ip} + sum_{q in N_i} e^{s_iq}) ),
 *   s_ij = z_i . z_j / tau,  z = the sampled embeddings L2-normalised,
 *
 * P_i = the other sampled points of i's class (i itself excluded), N_i = the sampled points of every
 * other class. Each term is computed as softplus(LSE_{q in N_i} s_iq - s_ip) (the log-sum-exp over the
 * negatives shifted by its row maximum), so it never overflows for any tau. Points without a positive
 * are skipped; the loss is 0 (a constant, not connected to `embeddings`) with fewer than two classes
 * or no positive at all. The sampling reads `labels` on the CPU (one `dataSync`).
 *
 * @param embeddings [B,h,w,D] float, any scale (normalised here)
 * @param labels     [B,h,w] int32 pseudo class per location, -1 = none / ignore
 */
export function denseContrastiveLoss(embeddings: tf.Tensor4D, labels: tf.Tensor3D, options: DenseContrastiveOptions): tf.Scalar {
  assertRank('embeddings', embeddings.shape, 4);
  const [batch, height, width, depth] = embeddings.shape;
  assertSameShape('labels', labels.shape, 'embeddings[..., 0]', [batch, height, width]);
  const tau = options.temperature;
  if (!(tau > 0) || !Number.isFinite(tau)) throw new LossInputError(`temperature must be a positive number, got ${tau}`);

  const sample = sampleContrastivePoints(labels.dataSync(), options);
  const m = sample.indices.length;
  if (sample.classIds.length < 2) return tf.scalar(0);

  // Constant pair masks [M,M]: negatives (other class) and the positive weights w_i / |P_i| per row.
  const negative = new Float32Array(m * m);
  const positiveWeight = new Float32Array(m * m);
  const positives = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      if (sample.classes[i] !== sample.classes[j]) negative[i * m + j] = 1;
      else if (i !== j) positives[i]!++;
    }
  }
  const anchors = positives.reduce((n, p) => n + (p > 0 ? 1 : 0), 0);
  if (anchors === 0) return tf.scalar(0);
  for (let i = 0; i < m; i++) {
    if (positives[i] === 0) continue;
    const weight = 1 / (positives[i]! * anchors);
    for (let j = 0; j < m; j++) {
      if (j !== i && sample.classes[i] === sample.classes[j]) positiveWeight[i * m + j] = weight;
    }
  }

  return tf.tidy(() => {
    const flat = embeddings.reshape([batch * height * width, depth]); // [B*h*w, D]
    const points = tf.gather(flat, tf.tensor1d(sample.indices, 'int32')); // [M, D]
    const norms = points.norm('euclidean', 1, true).maximum(1e-12); // [M, 1]
    const z = points.div(norms); // [M, D]
    const similarity = z.matMul(z, false, true).div(tau); // [M, M] s_ij
    const negativeMask = tf.tensor2d(negative, [m, m]); // [M, M]
    const maskedNegatives = similarity.mul(negativeMask).add(negativeMask.sub(1).mul(MASK_PENALTY)); // [M, M]
    const rowMax = maskedNegatives.max(1, true); // [M, 1]
    const negativeLse = rowMax.add(maskedNegatives.sub(rowMax).exp().sum(1, true).log()); // [M, 1]
    const terms = tf.softplus(negativeLse.sub(similarity)); // [M, M] -log(e^s_ip / (e^s_ip + sum_N e^s_iq))
    return terms.mul(tf.tensor2d(positiveWeight, [m, m])).sum() as tf.Scalar;
  });
}
