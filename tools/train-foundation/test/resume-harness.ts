// Test harness of the resume guarantee: a run interrupted after k steps and resumed with a fresh
// trainer must end bitwise equal to the uninterrupted run. Used by the trainers' specs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';

import type { RgbImage } from '@fmwiss/imaging';
import { SeededRandom } from '@fmwiss/random';

import { runBudgetedLoop, type LoopResult, type Trainer } from '../src/shared/budget-loop';

/** Seeded random images with a bright square somewhere (some structure to learn). */
export function syntheticImages(count: number, size: number, seed: number): RgbImage[] {
  return Array.from({ length: count }, (_, i) => {
    const random = new SeededRandom(seed, 'synthetic', i);
    const data = new Uint8Array(size * size * 3);
    for (let j = 0; j < data.length; j++) data[j] = random.int(256);
    const side = Math.max(2, Math.floor(size / 3));
    const x0 = random.int(size - side);
    const y0 = random.int(size - side);
    for (let y = y0; y < y0 + side; y++) for (let x = x0; x < x0 + side; x++) data.set([250, 40 * (i % 5), 30], (y * size + x) * 3);
    return { width: size, height: size, data };
  });
}

/** Every tensor of the trainer's state by name, as arrays (for exact comparison). */
export function stateValues(trainer: Trainer): Map<string, number[]> {
  const { weights, optimizerState } = trainer.snapshot();
  const out = new Map<string, number[]>();
  for (const [name, tensor] of [...weights, ...[...optimizerState].map(([n, t]) => [`optimizer:${n}`, t] as const)]) out.set(name, Array.from(tensor.dataSync()));
  tf.dispose([...weights.values(), ...optimizerState.values()]);
  return out;
}

export interface ResumeOutcome {
  straight: Map<string, number[]>;
  resumed: Map<string, number[]>;
  first: LoopResult;
  second: LoopResult;
}

/**
 * Trains `total` steps straight with one trainer, then `interruptAt` steps + the rest with two fresh
 * trainers through a checkpoint folder; returns both final states. Every trainer is disposed.
 */
export async function runResumeScenario(makeTrainer: () => Trainer & { dispose(): void }, total: number, interruptAt: number, stepsPerEpoch: number): Promise<ResumeOutcome> {
  const root = await mkdtemp(path.join(tmpdir(), 'train-foundation-resume-'));
  const quiet = () => undefined;
  const common = { fresh: false, budgetSeconds: 3600, maxSteps: total, stepsPerEpoch, itemsPerStep: 1, describe: () => '', log: quiet, checkpointSeconds: 3600 };
  try {
    const a = makeTrainer();
    let straight: Map<string, number[]>;
    try {
      await runBudgetedLoop(a, { ...common, runDir: path.join(root, 'straight'), identity: { test: 1 } });
      straight = stateValues(a);
    } finally {
      a.dispose();
    }
    const b = makeTrainer();
    let first: LoopResult;
    try {
      first = await runBudgetedLoop(b, { ...common, runDir: path.join(root, 'resumed'), identity: { test: 1 }, stopAfterSteps: interruptAt });
    } finally {
      b.dispose();
    }
    const c = makeTrainer();
    try {
      const second = await runBudgetedLoop(c, { ...common, runDir: path.join(root, 'resumed'), identity: { test: 1 } });
      return { straight, resumed: stateValues(c), first, second };
    } finally {
      c.dispose();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
