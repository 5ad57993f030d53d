import * as tf from '@tensorflow/tfjs';
import type { SeedPart } from '@fmwiss/random';
import { ModelError } from './errors';
import { heNormalKernel, smallNormalKernel } from './init';
import type { ConvSpec } from './plan';

let registrations = 0;

/**
 * tfjs keeps one global registry of variable names, so two models with the same stable names (a
 * student and its frozen previous copy) could not coexist under those names. The registry name is the
 * stable name plus a process-unique suffix; models expose the stable names (`namedWeights()`).
 */
function makeVariable(stableName: string, value: tf.Tensor, trainable: boolean): tf.Variable {
  return tf.variable(value, trainable, `${stableName}#${++registrations}`);
}

/** The weights of one model, by stable name, in a fixed order. Owns its variables. */
export class WeightSet {
  private readonly byName = new Map<string, tf.Variable>();
  private isDisposedInternal = false;

  /** Takes the values (copies them into variables; the caller still owns and disposes `values`). */
  constructor(values: Iterable<[string, tf.Tensor]>, readonly trainable: boolean) {
    for (const [name, value] of values) {
      if (this.byName.has(name)) throw new ModelError(`duplicate weight name ${name}`);
      this.byName.set(name, makeVariable(name, value, trainable));
    }
  }

  /** Fresh weights for a plan: kernels from the seeded initialisers, biases and GroupNorm beta 0, gamma 1. */
  static fromPlan(convs: readonly ConvSpec[], seed: SeedPart, trainable: boolean): WeightSet {
    const values: [string, tf.Tensor][] = [];
    for (const spec of convs) {
      const shape: [number, number, number, number] = [spec.kernelSize, spec.kernelSize, spec.inChannels, spec.outChannels];
      const kernelName = `${spec.name}/kernel`;
      values.push([kernelName, spec.init === 'he' ? heNormalKernel(shape, seed, kernelName) : smallNormalKernel(shape, seed, kernelName)]);
      if (spec.bias) values.push([`${spec.name}/bias`, tf.zeros([spec.outChannels])]);
      if (spec.norm != null) {
        values.push([`${spec.norm}/gamma`, tf.ones([spec.outChannels])]);
        values.push([`${spec.norm}/beta`, tf.zeros([spec.outChannels])]);
      }
    }
    try {
      return new WeightSet(values, trainable);
    } finally {
      tf.dispose(values.map(([, v]) => v));
    }
  }

  get isDisposed(): boolean {
    return this.isDisposedInternal;
  }

  get(name: string): tf.Variable {
    this.assertLive();
    const variable = this.byName.get(name);
    if (variable == null) throw new ModelError(`no weight named ${name}`);
    return variable;
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  variables(): tf.Variable[] {
    this.assertLive();
    return [...this.byName.values()];
  }

  /** A new Map (stable name -> variable); the variables stay owned by this set. */
  toMap(): Map<string, tf.Variable> {
    this.assertLive();
    return new Map(this.byName);
  }

  /**
   * An independent copy: every variable copied, except the names in `replace`, which take those values
   * (the caller keeps ownership of them). Order is preserved.
   */
  copy(trainable: boolean, replace: ReadonlyMap<string, tf.Tensor> = new Map()): WeightSet {
    this.assertLive();
    for (const name of replace.keys()) if (!this.byName.has(name)) throw new ModelError(`no weight named ${name} to replace`);
    return new WeightSet(
      [...this.byName].map(([name, v]): [string, tf.Tensor] => [name, replace.get(name) ?? v]),
      trainable,
    );
  }

  /**
   * Assigns values by stable name (checkpoint restore). Every given name must exist with the same
   * shape; unless `allowMissing`, every weight must be given. Nothing is assigned when a check fails.
   */
  assign(values: ReadonlyMap<string, tf.Tensor>, allowMissing = false): void {
    this.assertLive();
    for (const [name, value] of values) {
      const variable = this.byName.get(name);
      if (variable == null) throw new ModelError(`checkpoint weight ${name} does not exist in this model`);
      if (value.shape.length !== variable.shape.length || value.shape.some((d, i) => d !== variable.shape[i])) {
        throw new ModelError(`weight ${name} has shape [${variable.shape.join(',')}], the value has [${value.shape.join(',')}]`);
      }
    }
    if (!allowMissing) {
      const missing = [...this.byName.keys()].filter((name) => !values.has(name));
      if (missing.length > 0) throw new ModelError(`values missing for ${missing.length} weights, first ${missing[0]}`);
    }
    tf.tidy(() => {
      for (const [name, value] of values) this.byName.get(name)!.assign(value.toFloat());
    });
  }

  dispose(): void {
    if (this.isDisposedInternal) return;
    this.isDisposedInternal = true;
    for (const variable of this.byName.values()) variable.dispose();
  }

  private assertLive(): void {
    if (this.isDisposedInternal) throw new ModelError('the model has been disposed');
  }
}
