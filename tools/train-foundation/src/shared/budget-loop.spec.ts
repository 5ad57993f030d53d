import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initTensorRuntime } from '@fmwiss/tensor-runtime';

import { identityDifferences, type LoopOptions, runBudgetedLoop, RunMismatchError, type Trainer } from './budget-loop';

beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  await initTensorRuntime({ backend: 'wasm' });
});

/** A clock the fake trainer advances: a step "takes" stepSeconds, a dry step drySeconds. */
class FakeTrainer implements Trainer {
  readonly w = tf.tidy(() => tf.variable(tf.scalar(0)));
  clock = 0;
  steps: number[] = [];
  onStep?: (step: number) => Promise<void>;

  constructor(
    private readonly stepSeconds: number,
    private readonly drySeconds: number,
  ) {}

  async step(step: number, total: number) {
    this.steps.push(step);
    this.clock += this.stepSeconds * 1000;
    tf.tidy(() => this.w.assign(tf.add(this.w, step + 1)));
    await this.onStep?.(step);
    return { loss: total - step };
  }

  async dryStep() {
    this.clock += this.drySeconds * 1000;
  }

  snapshot() {
    return { weights: new Map([['w', tf.clone(this.w)]]), optimizerState: new Map<string, tf.Tensor>() };
  }

  restore(weights: ReadonlyMap<string, tf.Tensor>) {
    this.w.assign(weights.get('w')! as tf.Scalar);
  }

  dispose() {
    this.w.dispose();
  }
}

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'budget-loop-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function options(trainer: FakeTrainer, extra: Partial<LoopOptions> = {}): LoopOptions {
  return {
    runDir: path.join(root, 'run'),
    fresh: false,
    budgetSeconds: 100,
    stepsPerEpoch: 10,
    itemsPerStep: 4,
    identity: { seed: 1, batch: 4 },
    describe: (m) => `loss ${m['loss']}`,
    log: () => undefined,
    checkpointSeconds: 15,
    now: () => trainer.clock,
    ...extra,
  };
}

describe('runBudgetedLoop', () => {
  it('plans the schedule from dry steps and fills the budget', async () => {
    const trainer = new FakeTrainer(2, 2);
    try {
      const result = await runBudgetedLoop(trainer, options(trainer));
      // 96% of 100 s at 2 s per dry step.
      expect(result.plannedSteps).toBe(48);
      expect(result.plan).toMatchObject({ source: 'budget', measuredSecondsPerStep: 2 });
      expect(result.steps).toBe(48);
      expect(result.stopReason).toBe('completed');
      expect(trainer.steps).toEqual(Array.from({ length: 48 }, (_, i) => i));
      // A checkpoint after every 8 steps (16 s >= 15 s) and at the end; only the two newest are kept.
      expect((await readdir(path.join(root, 'run'))).sort()).toEqual(['step-0000040', 'step-0000048']);
    } finally {
      trainer.dispose();
    }
  });

  it('shortens a budget plan when the steps run slower than the dry steps, so that the schedule still ends', async () => {
    const slow = new FakeTrainer(3, 2);
    try {
      const result = await runBudgetedLoop(slow, options(slow));
      // Planned 48 at 2 s; after 5 steps of 3 s (the first checkpoint) 5 + floor(85 * 0.98 / 3) = 32 fit.
      expect(result.plan.replans).toEqual([{ atStep: 5, from: 48, to: 32, secondsPerStep: 3 }]);
      expect(result.plannedSteps).toBe(32);
      expect(result.steps).toBe(32);
      expect(result.stopReason).toBe('completed');
      expect(result.trainSeconds).toBeLessThanOrEqual(100);
    } finally {
      slow.dispose();
    }
  });

  it('stops a --max-steps run when the budget is spent, and a rerun with more budget finishes the same schedule', async () => {
    const slow = new FakeTrainer(3, 2);
    try {
      const first = await runBudgetedLoop(slow, options(slow, { maxSteps: 48 }));
      expect(first.stopReason).toBe('budget');
      expect(first.steps).toBe(34);
      expect(first.trainSeconds).toBeGreaterThanOrEqual(100);
    } finally {
      slow.dispose();
    }
    const again = new FakeTrainer(3, 2);
    try {
      const second = await runBudgetedLoop(again, options(again, { budgetSeconds: 200 }));
      expect(second.resumedFrom).not.toBeNull();
      expect(second.plannedSteps).toBe(48);
      expect(again.steps[0]).toBe(34);
      expect(second.steps).toBe(48);
      expect(second.invocations.map((i) => [i.fromStep, i.toStep, i.stopReason])).toEqual([
        [0, 34, 'budget'],
        [34, 48, 'completed'],
      ]);
      // w = sum of (step + 1) over all 48 steps: nothing lost or repeated across the two runs.
      expect(again.w.dataSync()[0]).toBe((48 * 49) / 2);
    } finally {
      again.dispose();
    }
  });

  it('stops on a STOP file in the run folder, checkpointed, and resumes where it stopped', async () => {
    const trainer = new FakeTrainer(1, 1);
    const stopFile = path.join(root, 'run', 'STOP');
    trainer.onStep = async (step) => {
      if (step === 4) await writeFile(stopFile, '');
    };
    try {
      const result = await runBudgetedLoop(trainer, options(trainer, { maxSteps: 20 }));
      expect(result.stopReason).toBe('requested');
      expect(result.steps).toBe(5);
      expect(await readdir(path.join(root, 'run'))).toEqual(['step-0000005']);
    } finally {
      trainer.dispose();
    }
    const next = new FakeTrainer(1, 1);
    try {
      const result = await runBudgetedLoop(next, options(next));
      expect(next.steps[0]).toBe(5);
      expect(result.steps).toBe(20);
    } finally {
      next.dispose();
    }
  });

  it('refuses to resume with other settings or another --max-steps, and --fresh starts over', async () => {
    const trainer = new FakeTrainer(1, 1);
    try {
      await runBudgetedLoop(trainer, options(trainer, { maxSteps: 3 }));
      await expect(runBudgetedLoop(trainer, options(trainer, { identity: { seed: 1, batch: 8 } }))).rejects.toThrow(RunMismatchError);
      await expect(runBudgetedLoop(trainer, options(trainer, { identity: { seed: 1, batch: 8 } }))).rejects.toThrow(/batch: 4 in the checkpoint, 8 now/);
      await expect(runBudgetedLoop(trainer, options(trainer, { maxSteps: 5 }))).rejects.toThrow(/plans 3 steps/);
      trainer.steps = [];
      const fresh = await runBudgetedLoop(trainer, options(trainer, { maxSteps: 5, fresh: true, identity: { seed: 1, batch: 8 } }));
      expect(fresh.resumedFrom).toBeNull();
      expect(trainer.steps).toEqual([0, 1, 2, 3, 4]);
    } finally {
      trainer.dispose();
    }
  });

  it('lists the differences of two identities', () => {
    expect(identityDifferences({ a: 1, b: [1, 2] }, { a: 1, b: [1, 3], c: 'x' })).toEqual(['b: [1,2] in the checkpoint, [1,3] now', 'c: absent in the checkpoint, "x" now']);
  });
});
