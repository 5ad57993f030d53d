import * as grpc from '@grpc/grpc-js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetRef_Format, StepKind, type StartTrainingRequest } from '@fmwiss/contracts';
import { serverStream, unary, statusOf } from '@fmwiss/service-kit';
import { baseRequest, startHarness, type Harness } from './harness';

/** Request changes and the status each must get, with a pattern of its message. */
type Case = [string, (root: string, out: string) => Partial<StartTrainingRequest>, grpc.status, RegExp];

const WEAK = (root: string): Partial<StartTrainingRequest> => ({
  kind: StepKind.STEP_KIND_WEAK,
  step: 1,
  oldClasses: [{ id: 1, name: 'aeroplane', promptName: '' }],
  newClasses: [{ id: 3, name: 'bird', promptName: '' }],
  pseudoLabelDir: root,
  previousCheckpoint: root,
  memoryBank: { address: '127.0.0.1:1', runId: 'run', capacityPerClass: 0 },
});

const { INVALID_ARGUMENT, FAILED_PRECONDITION } = grpc.status;

const CASES: Case[] = [
  ['job_id charset', () => ({ jobId: 'has space' }), INVALID_ARGUMENT, /^job_id "has space" must be 1 to 128 characters of \[A-Za-z0-9._-\]/],
  ['job_id too long', () => ({ jobId: 'x'.repeat(129) }), INVALID_ARGUMENT, /^job_id "x+" must be 1 to 128/],
  ['job_id dot-dot', () => ({ jobId: '..' }), INVALID_ARGUMENT, /^job_id "\.\." must be .* not "\." or "\.\."/],
  ['run_id empty', () => ({ runId: '' }), INVALID_ARGUMENT, /^run_id "" must be 1 to 128/],
  ['kind unspecified', () => ({ kind: StepKind.STEP_KIND_UNSPECIFIED }), INVALID_ARGUMENT, /^kind must be STEP_KIND_BASE, .* got STEP_KIND_UNSPECIFIED/],
  ['kind unknown', () => ({ kind: 17 as StepKind }), INVALID_ARGUMENT, /^kind must be .* got 17/],
  ['step negative', () => ({ step: -1 }), INVALID_ARGUMENT, /^step must be 0 or more, got -1/],
  ['base at step 2', () => ({ step: 2 }), INVALID_ARGUMENT, /^step is 2, but a BASE step is step 0/],
  ['weak at step 0', (r) => ({ ...WEAK(r), step: 0 }), INVALID_ARGUMENT, /^step is 0, but a WEAK step .* step must be 1 or more/],
  ['new_classes empty', () => ({ newClasses: [] }), INVALID_ARGUMENT, /^new_classes is empty/],
  ['class id 0', () => ({ newClasses: [{ id: 0, name: 'bg', promptName: '' }] }), INVALID_ARGUMENT, /^new_classes\[0\]\.id is 0; class ids lie in 1\.\.254/],
  ['class id 255', () => ({ newClasses: [{ id: 255, name: 'x', promptName: '' }] }), INVALID_ARGUMENT, /^new_classes\[0\]\.id is 255/],
  [
    'class id twice',
    () => ({ newClasses: [{ id: 4, name: 'boat', promptName: '' }, { id: 4, name: 'boat', promptName: '' }] }),
    INVALID_ARGUMENT,
    /^new_classes\[1\]\.id 4 appears twice in new_classes/,
  ],
  ['class name empty', () => ({ newClasses: [{ id: 4, name: ' ', promptName: 'boat' }] }), INVALID_ARGUMENT, /^new_classes\[0\]\.name is empty \(class id 4\)/],
  [
    'old and new overlap',
    (r) => ({ ...WEAK(r), oldClasses: [{ id: 3, name: 'bird', promptName: '' }] }),
    INVALID_ARGUMENT,
    /^old_classes\[0\]\.id 3 is also in new_classes/,
  ],
  ['base with old classes', () => ({ oldClasses: [{ id: 9, name: 'chair', promptName: '' }] }), INVALID_ARGUMENT, /^old_classes must be empty for a BASE step/],
  ['weak without old classes', (r) => ({ ...WEAK(r), oldClasses: [] }), INVALID_ARGUMENT, /^old_classes is empty, but a WEAK step/],
  ['train_data missing', () => ({ trainData: undefined }), INVALID_ARGUMENT, /^train_data is missing/],
  [
    'train_data format',
    (r) => ({ trainData: { format: DatasetRef_Format.FORMAT_UNSPECIFIED, root: r, listPath: '', listSha256: '', split: 'train' } }),
    INVALID_ARGUMENT,
    /^train_data\.format must be FORMAT_VOC, FORMAT_COCO or FORMAT_MANIFEST, got 0/,
  ],
  [
    'train_data root empty',
    () => ({ trainData: { format: DatasetRef_Format.FORMAT_VOC, root: '', listPath: '', listSha256: '', split: 'train' } }),
    INVALID_ARGUMENT,
    /^train_data\.root is empty/,
  ],
  [
    'train_data split',
    (r) => ({ trainData: { format: DatasetRef_Format.FORMAT_VOC, root: r, listPath: '', listSha256: '', split: 'test' } }),
    INVALID_ARGUMENT,
    /^train_data: give list_path, or split "train" or "val" \(got split "test"\)/,
  ],
  [
    'train_data list_sha256',
    (r) => ({ trainData: { format: DatasetRef_Format.FORMAT_VOC, root: r, listPath: join(r, 'l.txt'), listSha256: 'abc', split: '' } }),
    INVALID_ARGUMENT,
    /^train_data\.list_sha256 must be 64 hex digits/,
  ],
  ['output_dir empty', () => ({ outputDir: '' }), INVALID_ARGUMENT, /^output_dir is empty/],
  ['weak without pseudo_label_dir', (r) => ({ ...WEAK(r), pseudoLabelDir: '' }), INVALID_ARGUMENT, /^pseudo_label_dir is empty/],
  ['base with pseudo_label_dir', (r) => ({ pseudoLabelDir: r }), INVALID_ARGUMENT, /^pseudo_label_dir is set, but only WEAK steps read pseudo labels/],
  ['weak without previous_checkpoint', (r) => ({ ...WEAK(r), previousCheckpoint: '' }), INVALID_ARGUMENT, /^previous_checkpoint is empty/],
  [
    'finetune without previous_checkpoint',
    (r) => ({ ...WEAK(r), kind: StepKind.STEP_KIND_FINETUNE, pseudoLabelDir: '', previousCheckpoint: '' }),
    INVALID_ARGUMENT,
    /^previous_checkpoint is empty/,
  ],
  ['base with previous_checkpoint', (r) => ({ previousCheckpoint: r }), INVALID_ARGUMENT, /^previous_checkpoint is set, but a BASE step trains from scratch/],
  [
    'weak with a model',
    (r) => ({ ...WEAK(r), model: { imageSize: 64, asppRates: [] } }),
    INVALID_ARGUMENT,
    /^model is set, but a WEAK step takes its model's shape from previous_checkpoint/,
  ],
  ['model output stride', () => ({ model: { outputStride: 5, asppRates: [] } }), INVALID_ARGUMENT, /^model\.output_stride must be 4, 8 or 16, got 5/],
  ['model image size', () => ({ model: { imageSize: 0, asppRates: [] } }), INVALID_ARGUMENT, /^model\.image_size must be a positive integer, got 0/],
  ['model aspp rates', () => ({ model: { asppRates: [2, -1] } }), INVALID_ARGUMENT, /^model\.aspp_rates\[1\] must be a positive integer, got -1/],
  ['hyperparameters', () => ({ hyperparameters: { epochs: 0, copyPaste: undefined } }), INVALID_ARGUMENT, /^hyperparameters\.epochs must be an integer >= 1, got 0/],
  [
    'weak copy-paste without memory bank',
    (r) => ({ ...WEAK(r), memoryBank: undefined }),
    INVALID_ARGUMENT,
    /^memory_bank is missing, but a WEAK step with copy-paste/,
  ],
  [
    'memory bank address',
    () => ({ memoryBank: { address: '', runId: 'run', capacityPerClass: 4 } }),
    INVALID_ARGUMENT,
    /^memory_bank\.address is empty/,
  ],
  [
    'memory bank run id',
    () => ({ memoryBank: { address: '127.0.0.1:1', runId: 'a/b', capacityPerClass: 4 } }),
    INVALID_ARGUMENT,
    /^memory_bank\.run_id "a\/b" must be 1 to 128/,
  ],
  [
    'memory bank capacity at step 0',
    () => ({ memoryBank: { address: '127.0.0.1:1', runId: 'run', capacityPerClass: 0 } }),
    INVALID_ARGUMENT,
    /^memory_bank\.capacity_per_class is 0, but a BASE step creates the archive/,
  ],
  ['image labels on base', () => ({ imageLabels: { a: { classIds: [1] } } }), INVALID_ARGUMENT, /^image_labels is set, but only WEAK steps/],
  [
    'image labels of an unknown class',
    (r) => ({ ...WEAK(r), imageLabels: { img7: { classIds: [3, 9] } } }),
    INVALID_ARGUMENT,
    /^image_labels\["img7"\]\.class_ids holds 9, which is not one of new_classes/,
  ],
  [
    'missing data folder (checkStepSpec precondition)',
    (r) => ({ trainData: { format: DatasetRef_Format.FORMAT_VOC, root: join(r, 'absent'), listPath: '', listSha256: '', split: 'train' } }),
    FAILED_PRECONDITION,
    /^train_data\.root .*absent does not exist/,
  ],
  ['missing previous checkpoint (precondition)', (r) => ({ ...WEAK(r), previousCheckpoint: join(r, 'nope') }), FAILED_PRECONDITION, /^previous_checkpoint .*nope does not exist/],
];

describe('StartTraining request checks', () => {
  let h: Harness;
  let root: string;
  beforeAll(async () => {
    h = await startHarness();
    root = join(h.dir, 'data');
    mkdirSync(root);
  });
  afterAll(async () => h.close());

  it.each(CASES)('%s', async (_name, change, code, message) => {
    const request = baseRequest(root, join(h.dir, 'out'), change(root, join(h.dir, 'out')));
    const error = await statusOf(unary(h.client, 'startTraining', request));
    expect({ code: grpc.status[error.code], details: error.details }).toEqual({ code: grpc.status[code], details: expect.stringMatching(message) });
  });

  it('accepts a valid WEAK request and a JOINT one (checks pass)', async () => {
    const weak = await unary(h.client, 'startTraining', baseRequest(root, join(h.dir, 'weak-out'), { ...WEAK(root), runId: 'weak-1ms' }));
    expect(weak.kind).toBe(StepKind.STEP_KIND_WEAK);
    const joint = await unary(
      h.client,
      'startTraining',
      baseRequest(root, join(h.dir, 'joint-out'), { kind: StepKind.STEP_KIND_JOINT, step: 1, runId: 'joint-1ms', model: { imageSize: 64, asppRates: [1, 2] } }),
    );
    expect(joint.effectiveModel).toMatchObject({ imageSize: 64, asppRates: [1, 2] });
    await unary(h.client, 'cancelTraining', { jobId: weak.jobId });
    await unary(h.client, 'cancelTraining', { jobId: joint.jobId });
  });

  it('refuses bad watch and get requests', async () => {
    const watch = async () => {
      for await (const event of serverStream(h.client, 'watchTraining', { jobId: 'x', afterSequence: -4 })) void event;
    };
    const negative = await statusOf(watch());
    expect({ code: negative.code, details: negative.details }).toEqual({
      code: INVALID_ARGUMENT,
      details: 'after_sequence must be 0 or a positive sequence number, got -4',
    });
    expect((await statusOf(unary(h.client, 'cancelTraining', { jobId: '' }))).details).toBe('job_id is empty');
  });
});
