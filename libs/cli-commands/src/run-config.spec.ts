import { Fusion, Method, RunConfig } from '@fmwiss/contracts';
import { applyKnobs, methodConfig, runConfigFromJson } from './run-config';

describe('run configuration', () => {
  it('writes the set knobs into the right messages and leaves the rest unset', () => {
    const config = applyKnobs(RunConfig.fromPartial({}), {
      baseEpochs: 4,
      incrementalEpochs: 6,
      batchSize: 8,
      contrastiveWeight: 0,
      useTeacher: false,
      copyPaste: false,
      seed: 3,
      imageSize: 96,
      fusion: 'intersection',
      seeds: 27,
      maxEvalImages: 50,
    });
    expect(config.baseHyperparameters).toMatchObject({ epochs: 4, batchSize: 8, seed: 3 });
    expect(config.baseHyperparameters?.learningRate).toBeUndefined();
    expect(config.incrementalHyperparameters).toMatchObject({ epochs: 6, batchSize: 8, contrastiveWeight: 0, useTeacher: false, seed: 3, copyPaste: { enabled: false } });
    expect(config.model?.imageSize).toBe(96);
    expect(config.refine).toMatchObject({ fusion: Fusion.FUSION_INTERSECTION, numSeeds: 27, randomSeed: 3 });
    expect(config.maxEvalImages).toBe(50);
    expect(config.memoryPerClass).toBeUndefined();
  });

  it('keeps what a JSON config set unless a flag overrides it', () => {
    const json = runConfigFromJson(
      '{"refine":{"fusion":"FUSION_INIT_ONLY","num_seeds":3},"incrementalHyperparameters":{"alpha":0.7,"copyPaste":{"instancesPerImage":2}},"maxEvalImages":9}',
      '--config-json',
    );
    const config = applyKnobs(json, { seeds: 5, beta: 0.8 });
    expect(config.refine).toMatchObject({ fusion: Fusion.FUSION_INIT_ONLY, numSeeds: 5 });
    expect(config.incrementalHyperparameters).toMatchObject({ alpha: 0.7, beta: 0.8, copyPaste: { instancesPerImage: 2 } });
    expect(config.maxEvalImages).toBe(9);
  });

  it('refuses unknown fields and enum values, naming them', () => {
    expect(() => runConfigFromJson('{"refine":{"fuson":"x"},"epochs":3}', 'cfg.json')).toThrow('cfg.json: unknown RunConfig fields refine.fuson, epochs');
    expect(() => runConfigFromJson('{"refine":{"fusion":"FUSION_XOR"}}', 'cfg.json')).toThrow('cfg.json: unknown value of refine.fusion');
    expect(() => runConfigFromJson('[1]', 'cfg.json')).toThrow('must hold a JSON object');
    expect(() => runConfigFromJson('{', 'cfg.json')).toThrow(/cfg.json is not valid JSON/);
  });

  it('sets the method and its label', () => {
    expect(methodConfig(RunConfig.fromPartial({}), 'joint')).toMatchObject({ method: Method.METHOD_JOINT, label: 'joint training (upper bound)' });
    expect(methodConfig(RunConfig.fromPartial({ label: 'mine' }), 'fmwiss')).toMatchObject({ method: Method.METHOD_FMWISS, label: 'mine' });
  });
});
