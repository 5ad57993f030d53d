import { defaultHyperparameters, resolveHyperparameters } from './hyperparameters';
import { StepSpecError } from './errors';

describe('defaultHyperparameters', () => {
  it('gives weak steps a teacher warm-up inside their epochs and copy-paste', () => {
    const weak = defaultHyperparameters('weak');
    expect(weak.teacherWarmupEpochs).toBeGreaterThan(0);
    expect(weak.teacherWarmupEpochs).toBeLessThan(weak.epochs);
    expect(weak.copyPaste.enabled).toBe(true);
    expect(weak).toMatchObject({ alpha: 0.5, beta: 0.9, contrastiveWeight: 0.1, contrastiveTemperature: 0.1, contrastivePointsPerClass: 10, useTeacher: true });
    expect(defaultHyperparameters('base').copyPaste.enabled).toBe(false);
    expect(defaultHyperparameters('base').batchSize).toBe(8);
  });

  it('returns a fresh object each time', () => {
    const a = defaultHyperparameters('weak');
    a.copyPaste.instancesPerImage = 99;
    expect(defaultHyperparameters('weak').copyPaste.instancesPerImage).not.toBe(99);
  });
});

describe('resolveHyperparameters', () => {
  it('fills unset (absent or undefined) fields with the defaults of the kind', () => {
    const h = resolveHyperparameters('weak', { epochs: 6, learningRate: undefined, copyPaste: { instancesPerImage: 3 } });
    expect(h.epochs).toBe(6);
    expect(h.learningRate).toBe(defaultHyperparameters('weak').learningRate);
    expect(h.copyPaste).toEqual({ ...defaultHyperparameters('weak').copyPaste, instancesPerImage: 3 });
  });

  it('names every bad field', () => {
    let error: StepSpecError | undefined;
    try {
      resolveHyperparameters('base', { epochs: 0, momentum: 1, copyPaste: { scaleMin: -1 }, bogus: 1 } as never);
    } catch (e) {
      error = e as StepSpecError;
    }
    expect(error).toBeInstanceOf(StepSpecError);
    expect(error!.problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('hyperparameters.epochs must be an integer in [1, 10000], got 0'),
        expect.stringContaining('hyperparameters.momentum must be a number in [0, 1)'),
        expect.stringContaining('hyperparameters.copyPaste.scaleMin'),
        'hyperparameters.bogus is not a hyperparameter',
      ]),
    );
  });

  it('refuses a warm-up that leaves the student no epoch, and inverted scale ranges', () => {
    expect(() => resolveHyperparameters('weak', { epochs: 2, teacherWarmupEpochs: 2 })).toThrow(/teacherWarmupEpochs \(2\) must be below epochs \(2\)/);
    expect(() => resolveHyperparameters('weak', { epochs: 2, teacherWarmupEpochs: 2, useTeacher: false })).not.toThrow();
    expect(() => resolveHyperparameters('base', { scaleMin: 2, scaleMax: 1 })).toThrow(/scaleMax \(1\) must be >= scaleMin \(2\)/);
  });
});
