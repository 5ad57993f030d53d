// AdamW (Loshchilov & Hutter; PyTorch torch.optim.AdamW semantics) over tf.Variables keyed by stable
// name, with its whole state (both moments and the step count) as named tensors for
// @fmwiss/training's checkpoints, like SgdMomentum's velocity.
import * as tf from '@tensorflow/tfjs';

export interface AdamWConfig {
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Added to sqrt(v_hat) (default 1e-8). */
  epsilon?: number;
  /** Variables for which this returns true get no weight decay (biases, norms, embeddings...). */
  decayExclude?: (name: string) => boolean;
}

/** Names of the state tensors: `adamw/m/<var>`, `adamw/v/<var>`, `adamw/t` (int32 [1]). */
const M = 'adamw/m/';
const V = 'adamw/v/';
const T = 'adamw/t';

/**
 * One step at learning rate lr and weight decay wd, for t = 1, 2, ... (bias correction 1 - beta^t):
 *
 *     w = w * (1 - lr * wd)                  (decoupled decay, unless decayExclude(name))
 *     m = beta1 m + (1 - beta1) g
 *     v = beta2 v + (1 - beta2) g^2
 *     w = w - lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)
 *
 * Moments are created as zeros at a variable's first step. Gradients stay the caller's.
 */
export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private readonly decayExclude: (name: string) => boolean;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  private t = 0;

  constructor(config: AdamWConfig = {}) {
    this.beta1 = config.beta1 ?? 0.9;
    this.beta2 = config.beta2 ?? 0.999;
    this.epsilon = config.epsilon ?? 1e-8;
    this.decayExclude = config.decayExclude ?? (() => false);
    for (const [key, value] of [['beta1', this.beta1], ['beta2', this.beta2]] as const) {
      if (!(value >= 0 && value < 1)) throw new RangeError(`AdamW ${key} must be in [0, 1), got ${value}`);
    }
    if (!(this.epsilon > 0)) throw new RangeError(`AdamW epsilon must be positive, got ${this.epsilon}`);
  }

  /** Steps taken so far (t of the bias correction). */
  get steps(): number {
    return this.t;
  }

  /**
   * Updates every variable that has a gradient. All gradients are checked (known name, same shape)
   * before anything changes.
   */
  step(grads: ReadonlyMap<string, tf.Tensor>, variables: ReadonlyMap<string, tf.Variable>, lr: number, weightDecay: number): void {
    if (!Number.isFinite(lr) || lr < 0) throw new RangeError(`learning rate must be finite and >= 0, got ${lr}`);
    if (!Number.isFinite(weightDecay) || weightDecay < 0) throw new RangeError(`weight decay must be finite and >= 0, got ${weightDecay}`);
    for (const [name, grad] of grads) {
      const variable = variables.get(name);
      if (variable === undefined) throw new RangeError(`gradient for unknown variable ${name}`);
      if (!sameShape(variable.shape, grad.shape)) throw new RangeError(`gradient for ${name} has shape [${grad.shape}], the variable [${variable.shape}]`);
    }
    this.t += 1;
    const correction1 = 1 - this.beta1 ** this.t;
    const correction2 = 1 - this.beta2 ** this.t;
    const stepSize = lr / correction1;
    const rootCorrection2 = Math.sqrt(correction2);
    for (const [name, grad] of grads) {
      const variable = variables.get(name)!;
      const m = this.moment(this.m, name, variable);
      const v = this.moment(this.v, name, variable);
      tf.tidy(() => {
        const decayed = weightDecay > 0 && !this.decayExclude(name) ? tf.mul(variable, 1 - lr * weightDecay) : variable;
        const mNew = tf.add(tf.mul(m, this.beta1), tf.mul(grad, 1 - this.beta1));
        const vNew = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(grad), 1 - this.beta2));
        m.assign(mNew);
        v.assign(vNew);
        const denominator = tf.add(tf.div(tf.sqrt(vNew), rootCorrection2), this.epsilon);
        variable.assign(tf.sub(decayed, tf.mul(tf.div(mNew, denominator), stepSize)));
      });
    }
  }

  /** The state as new tensors the caller owns (dispose them after saving). */
  getState(): Map<string, tf.Tensor> {
    const state = new Map<string, tf.Tensor>();
    state.set(T, tf.tensor1d([this.t], 'int32'));
    for (const [name, m] of this.m) state.set(`${M}${name}`, tf.clone(m));
    for (const [name, v] of this.v) state.set(`${V}${name}`, tf.clone(v));
    return state;
  }

  /** Replaces the whole state with copies of `state` (as getState gives it); the caller keeps `state`. */
  setState(state: ReadonlyMap<string, tf.Tensor>): void {
    const t = state.get(T);
    if (t === undefined || t.size !== 1) throw new RangeError(`AdamW state lacks ${T}`);
    for (const name of state.keys()) {
      if (name !== T && !name.startsWith(M) && !name.startsWith(V)) throw new RangeError(`${name} is not an AdamW state tensor`);
    }
    this.disposeMoments();
    this.t = (t.dataSync() as Int32Array)[0]!;
    for (const [name, tensor] of state) {
      if (name.startsWith(M)) this.m.set(name.slice(M.length), tf.tidy(() => tf.variable(tensor.toFloat(), false)));
      else if (name.startsWith(V)) this.v.set(name.slice(V.length), tf.tidy(() => tf.variable(tensor.toFloat(), false)));
    }
  }

  dispose(): void {
    this.disposeMoments();
  }

  private disposeMoments(): void {
    for (const variable of [...this.m.values(), ...this.v.values()]) variable.dispose();
    this.m.clear();
    this.v.clear();
  }

  private moment(map: Map<string, tf.Variable>, name: string, like: tf.Variable): tf.Variable {
    let moment = map.get(name);
    if (moment === undefined) {
      moment = tf.tidy(() => tf.variable(tf.zerosLike(like), false));
      map.set(name, moment);
    }
    return moment;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
