import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeLabelPng } from '@fmwiss/imaging';
import { createStudent } from '@fmwiss/segmentation-models';
import { initTensorRuntime } from '@fmwiss/tensor-runtime';
import { CLASSES, InMemoryMemoryBank, TINY_MODEL, tinySpec, writeTinyVoc, type TinyVoc } from '../test/fixtures';
import { StepPreconditionError, StepSpecError } from './errors';
import { resolveHyperparameters } from './hyperparameters';
import { resolveStepModel } from './model-config';
import { runTrainingStep } from './run-step';
import { checkStepSpec, specHash } from './step-spec';
import { saveStepCheckpoint } from './step-checkpoint';
import type { StepSpec } from './types';

let voc: TinyVoc;
let previous: string;
let list: string;
let pseudo: string;

beforeAll(async () => {
  await initTensorRuntime({ backend: 'wasm' });
  voc = await writeTinyVoc([[3], [3, 1], [1, 3], [3]]);
  list = voc.list('step1', [...voc.images.keys()]);
  pseudo = voc.pseudoLabels('pseudo', [...voc.images.keys()], [3]);
  const model = resolveStepModel(TINY_MODEL);
  const student = createStudent(model, 3, 1);
  previous = await saveStepCheckpoint(join(voc.root, '..', 'step0-final'), student.namedWeights(), undefined, {
    format: 'fmwiss-step', version: 1, specHash: 'x', runId: 'r', step: 0, kind: 'base', epoch: 1, iteration: 1,
    classes: [CLASSES[1]!, CLASSES[2]!], model, hyperparameters: resolveHyperparameters('base', {}), hasTeacher: false, final: true,
  });
  student.dispose();
});

afterAll(() => voc?.cleanup());

function weak(fields: Partial<StepSpec> = {}, name = 'out'): StepSpec {
  return tinySpec(
    'weak',
    {
      trainData: { format: 'voc', root: voc.root, listPath: list },
      newClasses: [CLASSES[3]!],
      oldClasses: [CLASSES[1]!, CLASSES[2]!],
      previousCheckpoint: previous,
      pseudoLabelDir: pseudo,
      outputDir: join(voc.root, '..', name),
      ...fields,
    },
    { epochs: 2, teacherWarmupEpochs: 1, copyPaste: { enabled: false } },
  );
}

describe('checkStepSpec', () => {
  it('accepts a good weak spec', async () => {
    expect(await checkStepSpec(weak())).toEqual({ invalid: [], preconditions: [] });
  });

  it('names every bad field', async () => {
    const spec = weak({
      runId: 'a b',
      newClasses: [CLASSES[3]!, CLASSES[1]!],
      pseudoLabelDir: '',
      model: { encoderWidth: 4 },
      imageLabels: { 'img-000': [2] },
    });
    const { invalid } = await checkStepSpec(spec);
    expect(invalid).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^runId must be 1 to 128 characters/),
        'newClasses must have ascending, distinct ids (3, 1)',
        'class(es) 1 are in both oldClasses and newClasses',
        expect.stringMatching(/^pseudoLabelDir is required for a weak step/),
        'model must be unset for a weak step: the model\'s shape comes from previousCheckpoint',
        expect.stringMatching(/^imageLabels: 1 image\(s\) list classes outside newClasses, e.g. "img-000": \[2\]/),
      ]),
    );
    const base = tinySpec('base', { step: 1, trainData: { format: 'voc', root: voc.root }, newClasses: [CLASSES[1]!], oldClasses: [CLASSES[2]!], previousCheckpoint: previous, outputDir: 'x' });
    expect((await checkStepSpec(base)).invalid).toEqual([
      'step must be 0 for a base step, got 1',
      'oldClasses must be empty for a base step (it learns every class of newClasses from scratch)',
      'previousCheckpoint must be empty for a base step (it trains from scratch)',
    ]);
    const badModel = tinySpec('base', { trainData: { format: 'voc', root: voc.root }, newClasses: [CLASSES[1]!], outputDir: 'x', model: { outputStride: 5 as 8 } });
    expect((await checkStepSpec(badModel)).invalid).toEqual(['model.outputStride must be 4, 8 or 16, got 5']);
  });

  it('reports what is missing on disk, in words a person can act on', async () => {
    const { preconditions } = await checkStepSpec(weak({ trainData: { format: 'voc', root: join(voc.root, 'nope') } }));
    expect(preconditions).toEqual([expect.stringMatching(/^trainData: .*nope: VOC2012 folder not found/)]);
    const changed = await checkStepSpec(weak({ trainData: { format: 'voc', root: voc.root, listPath: list, listSha256: '0'.repeat(64) } }));
    expect(changed.preconditions).toEqual([expect.stringMatching(/list file .*step1.txt changed since it was recorded/)]);
    const emptyPseudo = voc.pseudoLabels('half', ['img-000', 'img-001'], [3]);
    expect((await checkStepSpec(weak({ pseudoLabelDir: emptyPseudo }))).preconditions).toEqual([
      expect.stringMatching(/^pseudoLabelDir: no pseudo label for 2 of 4 image\(s\) \("img-002", "img-003"\): expected .*img-002.png$/),
    ]);
    const wrongOld = await checkStepSpec(weak({ oldClasses: [CLASSES[1]!, CLASSES[2]!, CLASSES[4]!] }));
    expect(wrongOld.preconditions).toEqual([expect.stringMatching(/previousCheckpoint .* has classes 1, 2 but oldClasses are 1, 2, 4: pass the final checkpoint of the step before this one/)]);
    const missing = await checkStepSpec(weak({ previousCheckpoint: join(voc.root, 'none') }));
    expect(missing.preconditions).toEqual([expect.stringMatching(/^previousCheckpoint: checkpoint .*none not found$/)]);
  });

  it('hashes everything but the output folder', () => {
    const a = weak({}, 'one');
    expect(specHash(a, null)).toBe(specHash(weak({}, 'two'), null));
    expect(specHash(a, null)).not.toBe(specHash({ ...a, hyperparameters: { ...a.hyperparameters, alpha: 0.4 } }, null));
  });
});

describe('runTrainingStep refuses bad specs', () => {
  it('with StepSpecError for bad fields and StepPreconditionError for missing files', async () => {
    await expect(runTrainingStep(weak({ newClasses: [] }))).rejects.toThrow(StepSpecError);
    await expect(runTrainingStep(weak({ newClasses: [] }))).rejects.toThrow('newClasses is empty: a step must learn at least one class');
    await expect(runTrainingStep(weak({ previousCheckpoint: join(voc.root, 'none') }))).rejects.toThrow(StepPreconditionError);
  });

  it('with StepPreconditionError naming a pseudo label file that holds a class of another step', async () => {
    const dir = voc.pseudoLabels('bad', [...voc.images.keys()], [3]);
    const bad = { width: 32, height: 32, data: new Uint8Array(32 * 32).fill(2) };
    for (const id of voc.images.keys()) writeFileSync(join(dir, `${id}.png`), encodeLabelPng(bad));
    const run = runTrainingStep(weak({ pseudoLabelDir: dir }, 'bad-out'), { memoryBank: new InMemoryMemoryBank() });
    await expect(run).rejects.toThrow(/pseudo label .*img-00\d.png has value 2 at \(0,0\), which is neither background 0, a new class of this step \(3\) nor 255/);
  });
});
