import * as tf from '@tensorflow/tfjs';
import { TrainingError } from './errors';

export interface SgdMomentumConfig {
  /** Momentum factor mu in [0, 1); 0 gives plain SGD and no velocity buffers. */
  momentum: number;
  /** L2 penalty added to the gradient (PyTorch `weight_decay`, not decoupled AdamW-style). */
  weightDecay: number;
  /** Nesterov momentum (PyTorch semantics: w -= lr * (g + mu * v)). Needs momentum > 0. */
  nesterov?: boolean;
  /** Variables for which this returns true get no weight decay (typically biases and norm parameters). */
  decayExclude?: (name: string) => boolean;
}

/**
 * Stochastic gradient descent with momentum and weight decay, PyTorch `torch.optim.SGD` semantics
 * (dampening 0), applied to variables keyed by name:
 *
 *     g = grad + weightDecay * w          (unless decayExclude(name))
 *     v = momentum * v + g                (v starts at zero, so the first step gives v = g)
 *     w = w - lr * v                      (nesterov: w = w - lr * (g + momentum * v))
 *
 * The optimiser owns one velocity buffer per variable name, created lazily at the variable's first
 * step; `dispose()` frees them. `step` never takes ownership of the gradients it is given.
 */
export class SgdMomentum {
  readonly momentum: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  private readonly decayExclude: (name: string) => boolean;
  private readonly velocity = new Map<string, tf.Variable>();
  private disposed = false;

  constructor(config: SgdMomentumConfig) {
    const { momentum, weightDecay, nesterov = false, decayExclude = () => false } = config;
    if (!Number.isFinite(momentum) || momentum < 0 || momentum >= 1) {
      throw new TrainingError(`momentum must be in [0, 1), got ${momentum}`);
    }
    if (!Number.isFinite(weightDecay) || weightDecay < 0) {
      throw new TrainingError(`weightDecay must be a finite number >= 0, got ${weightDecay}`);
    }
    if (nesterov && momentum === 0) throw new TrainingError('nesterov momentum needs momentum > 0');
    this.momentum = momentum;
    this.weightDecay = weightDecay;
    this.nesterov = nesterov;
    this.decayExclude = decayExclude;
  }

  /**
   * Updates every variable that has a gradient in `grads` (variables without one are left alone, as
   * PyTorch skips parameters whose grad is None). All gradients are checked before anything changes:
   * a gradient for an unknown variable, or one whose shape or dtype differs, throws and nothing is
   * updated. The gradients stay owned by the caller.
   */
  step(grads: Map<string, tf.Tensor>, variables: Map<string, tf.Variable>, learningRate: number): void {
    this.assertAlive();
    if (!Number.isFinite(learningRate) || learningRate < 0) {
      throw new TrainingError(`learningRate must be a finite number >= 0, got ${learningRate}`);
    }
    for (const [name, grad] of grads) {
      const variable = variables.get(name);
      if (variable === undefined) throw new TrainingError(`gradient for unknown variable ${name}`);
      if (variable.dtype !== 'float32' || grad.dtype !== 'float32') {
        throw new TrainingError(`variable ${name} and its gradient must be float32, got ${variable.dtype} and ${grad.dtype}`);
      }
      if (!sameShape(variable.shape, grad.shape)) {
        throw new TrainingError(`gradient for ${name} has shape [${grad.shape}], the variable [${variable.shape}]`);
      }
      const velocity = this.velocity.get(name);
      if (velocity !== undefined && !sameShape(velocity.shape, variable.shape)) {
        throw new TrainingError(`velocity for ${name} has shape [${velocity.shape}], the variable [${variable.shape}]`);
      }
    }
    for (const [name, grad] of grads) {
      const variable = variables.get(name) as tf.Variable;
      tf.tidy(() => {
        let g = grad;
        if (this.weightDecay !== 0 && !this.decayExclude(name)) g = tf.add(g, tf.mul(variable, this.weightDecay));
        let update = g;
        if (this.momentum !== 0) {
          let velocity = this.velocity.get(name);
          if (velocity === undefined) {
            velocity = tf.variable(tf.zerosLike(variable), false, undefined, 'float32');
            this.velocity.set(name, velocity);
          }
          velocity.assign(tf.add(tf.mul(velocity, this.momentum), g));
          update = this.nesterov ? tf.add(g, tf.mul(velocity, this.momentum)) : velocity;
        }
        variable.assign(tf.sub(variable, tf.mul(update, learningRate)));
      });
    }
  }

  /**
   * The velocity buffers keyed by variable name, as new tensors that the caller owns (dispose them,
   * e.g. after saveCheckpoint). Variables that have not stepped yet have no entry.
   */
  getState(): Map<string, tf.Tensor> {
    this.assertAlive();
    const state = new Map<string, tf.Tensor>();
    for (const [name, velocity] of this.velocity) state.set(name, tf.clone(velocity));
    return state;
  }

  /**
   * Replaces every velocity buffer with a copy of `state` (the caller keeps ownership of `state`).
   * Throws, changing nothing, when a tensor is not float32.
   */
  setState(state: Map<string, tf.Tensor>): void {
    this.assertAlive();
    for (const [name, tensor] of state) {
      if (tensor.dtype !== 'float32') throw new TrainingError(`velocity ${name} must be float32, got ${tensor.dtype}`);
    }
    for (const velocity of this.velocity.values()) velocity.dispose();
    this.velocity.clear();
    for (const [name, tensor] of state) this.velocity.set(name, tf.variable(tensor, false, undefined, 'float32'));
  }

  /** Frees the velocity buffers; the optimiser cannot be used afterwards. */
  dispose(): void {
    for (const velocity of this.velocity.values()) velocity.dispose();
    this.velocity.clear();
    this.disposed = true;
  }

  private assertAlive(): void {
    if (this.disposed) throw new TrainingError('SgdMomentum used after dispose()');
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((size, i) => size === b[i]);
}
