import * as grpc from '@grpc/grpc-js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DataType,
  DatasetRef_Format,
  ImageFormat,
  MapEncoding,
  PredictionHead,
  type EvaluateRequest,
  type EvaluateResponse,
  type PredictRequest,
} from '@fmwiss/contracts';
import { decodeLabelPng, encodePng, VOC_PALETTE } from '@fmwiss/imaging';
import { decodeTensor } from '@fmwiss/message-codecs';
import { serverStream, unary, statusOf } from '@fmwiss/service-kit';
import { startHarness, type Harness } from './harness';

/** A folder the fake inference worker accepts as a checkpoint. */
function fakeCheckpoint(dir: string, metadata: Record<string, unknown>): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ metadata }));
  return dir;
}

describe('Evaluate and Predict over gRPC (fake inference worker)', () => {
  let h: Harness;
  let student: string;
  let weak: string;
  let root: string;
  beforeAll(async () => {
    h = await startHarness({ modelCacheSize: 1 });
    root = join(h.dir, 'data');
    mkdirSync(root);
    student = fakeCheckpoint(join(h.dir, 'base-final'), { classes: [{ id: 1, name: 'aeroplane' }, { id: 2, name: 'bicycle' }], step: 0 });
    weak = fakeCheckpoint(join(h.dir, 'weak-final'), { classes: [{ id: 1, name: 'aeroplane' }, { id: 2, name: 'bicycle' }, { id: 3, name: 'bird' }], step: 1, hasTeacher: true });
  });
  afterAll(async () => h.close());

  const evaluateRequest = (overrides: Partial<EvaluateRequest> = {}): EvaluateRequest => ({
    checkpoint: weak,
    data: { format: DatasetRef_Format.FORMAT_VOC, root, listPath: '', listSha256: '', split: 'val' },
    baseClassIds: [1, 2],
    newClassIds: [3],
    includeConfusion: true,
    ...overrides,
  });
  const evaluate = async (request: EvaluateRequest): Promise<EvaluateResponse[]> => {
    const responses: EvaluateResponse[] = [];
    for await (const response of serverStream(h.client, 'evaluate', request)) responses.push(response);
    return responses;
  };

  it('streams evaluation progress, then one result with the confusion matrix as an INT64 tensor', async () => {
    const responses = await evaluate(evaluateRequest());
    expect(responses.slice(0, -1).map((r) => (r.item?.$case === 'progress' ? r.item.progress : undefined))).toEqual([
      { imagesDone: 2, imagesTotal: 10 },
      { imagesDone: 4, imagesTotal: 10 },
      { imagesDone: 6, imagesTotal: 10 },
      { imagesDone: 8, imagesTotal: 10 },
      { imagesDone: 10, imagesTotal: 10 },
    ]);
    const last = responses.at(-1)!.item;
    expect(last?.$case).toBe('result');
    const result = (last as Extract<EvaluateResponse['item'], { $case: 'result' }>).result;
    expect(result).toMatchObject({ miouOld: 0.5, miouNew: 0.25, miouAll: 0.4, pixelAccuracy: 0.9, images: 10 });
    expect(result.classes.map((c) => [c.classId, c.name])).toEqual([[0, 'background'], [1, 'aeroplane'], [2, 'bicycle'], [3, 'bird']]);
    expect(result.confusion!.dtype).toBe(DataType.DATA_TYPE_INT64);
    const confusion = decodeTensor(result.confusion!, 'confusion', { dtypes: ['int64'], shape: [4, 4] });
    expect(Array.from(confusion.data as BigInt64Array, Number)).toEqual([100, 1, 1, 1, 1, 100, 1, 1, 1, 1, 100, 1, 1, 1, 1, 100]);

    const plain = await evaluate(evaluateRequest({ includeConfusion: false }));
    expect((plain.at(-1)!.item as Extract<EvaluateResponse['item'], { $case: 'result' }>).result.confusion).toBeUndefined();
  });

  it('refuses bad Evaluate requests with the field named', async () => {
    const cases: [Partial<EvaluateRequest>, grpc.status, RegExp][] = [
      [{ checkpoint: '' }, grpc.status.INVALID_ARGUMENT, /^checkpoint is empty/],
      [{ checkpoint: join(h.dir, 'nothing') }, grpc.status.NOT_FOUND, /^checkpoint: no checkpoint folder at .*nothing$/],
      [{ checkpoint: root }, grpc.status.NOT_FOUND, /^checkpoint: .* holds no checkpoint \(no manifest\.json\)/],
      [{ data: undefined }, grpc.status.INVALID_ARGUMENT, /^data is missing/],
      [{ baseClassIds: [1, 1] }, grpc.status.INVALID_ARGUMENT, /^base_class_ids\[1\]: class 1 appears twice/],
      [{ newClassIds: [0] }, grpc.status.INVALID_ARGUMENT, /^new_class_ids\[0\] is 0; class ids lie in 1\.\.254/],
      [{ newClassIds: [2] }, grpc.status.INVALID_ARGUMENT, /^class 2 is in both base_class_ids and new_class_ids/],
      [{ batchSize: 0 }, grpc.status.INVALID_ARGUMENT, /^batch_size must lie in 1\.\.256, got 0/],
    ];
    for (const [change, code, message] of cases) {
      const error = await statusOf(evaluate(evaluateRequest(change)));
      expect({ code: grpc.status[error.code], details: error.details }).toEqual({ code: grpc.status[code], details: expect.stringMatching(message) });
    }
  });

  const image = { width: 8, height: 4, data: new Uint8Array(8 * 4 * 3).fill(90) };
  const predictRequest = async (overrides: Partial<PredictRequest> = {}): Promise<PredictRequest> => ({
    checkpoint: weak,
    image: { source: { $case: 'encoded', encoded: { format: ImageFormat.IMAGE_FORMAT_PNG, data: await encodePng(image) } }, imageId: 'x' },
    includeProbabilities: false,
    encoding: MapEncoding.MAP_ENCODING_UNSPECIFIED,
    head: PredictionHead.PREDICTION_HEAD_UNSPECIFIED,
    ...overrides,
  });

  it('predicts a VOC-palette label PNG at the image size, with classes and probabilities [C,H,W]', async () => {
    const response = await unary(h.client, 'predict', await predictRequest({ includeProbabilities: true }));
    expect(response.classes.map((c) => c.id)).toEqual([0, 1, 2, 3]);
    expect(response.classes[0]!.name).toBe('background');
    const encoded = response.labels!.source as { $case: 'encoded'; encoded: { format: ImageFormat; data: Uint8Array } };
    expect(encoded.encoded.format).toBe(ImageFormat.IMAGE_FORMAT_PNG);
    const labels = decodeLabelPng(encoded.encoded.data, 'labels');
    expect([labels.width, labels.height]).toEqual([8, 4]);
    expect(Array.from(labels.data.slice(0, 8))).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    // A palette PNG (colour type 3) whose palette is VOC's: byte 25 of the IHDR chunk is the colour type.
    expect(encoded.encoded.data[25]).toBe(3);
    const plte = Buffer.from(encoded.encoded.data).indexOf('PLTE');
    expect(Array.from(encoded.encoded.data.slice(plte + 4, plte + 4 + 12))).toEqual(Array.from(VOC_PALETTE.slice(0, 12)));

    const probabilities = decodeTensor(response.probabilities!, 'probabilities', { dtypes: ['float32'], shape: [4, 4, 8] });
    expect(probabilities.data[0]).toBe(1); // background, pixel (0,0)
    expect(probabilities.data[3 * 32 + 7]).toBe(1); // class 3, pixel (7,0)

    const bytes = await unary(h.client, 'predict', await predictRequest({ includeProbabilities: true, encoding: MapEncoding.MAP_ENCODING_UINT8 }));
    const quantised = decodeTensor(bytes.probabilities!, 'probabilities', { dtypes: ['uint8'], shape: [4, 4, 8] });
    expect(quantised.data[0]).toBe(255);
    expect((await unary(h.client, 'predict', await predictRequest())).probabilities).toBeUndefined();
  });

  it('honours the teacher head, and refuses it for a checkpoint without a teacher', async () => {
    const teacher = await unary(h.client, 'predict', await predictRequest({ head: PredictionHead.PREDICTION_HEAD_TEACHER }));
    const encoded = teacher.labels!.source as { $case: 'encoded'; encoded: { data: Uint8Array } };
    expect(Array.from(decodeLabelPng(encoded.encoded.data, 'labels').data.slice(0, 8))).toEqual([3, 3, 2, 2, 1, 1, 0, 0]);
    const error = await statusOf(unary(h.client, 'predict', await predictRequest({ checkpoint: student, head: PredictionHead.PREDICTION_HEAD_TEACHER })));
    expect(error.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(error.details).toMatch(/has no teacher head; ask for the student/);
  });

  it('keeps loaded checkpoints in an LRU of --model-cache-size', async () => {
    const loadOf = async (checkpoint: string) => (await unary(h.client, 'predict', await predictRequest({ checkpoint }))).classes[1]!.name;
    const a = await loadOf(weak);
    expect(await loadOf(weak)).toBe(a); // cached
    const b = await loadOf(student);
    expect(b).not.toBe(a);
    expect(await loadOf(weak)).not.toBe(a); // evicted by the other one (cache size 1), loaded again
  });

  it('refuses bad Predict requests with the field named', async () => {
    const cases: [Partial<PredictRequest>, grpc.status, RegExp][] = [
      [{ checkpoint: '' }, grpc.status.INVALID_ARGUMENT, /^checkpoint is empty/],
      [{ checkpoint: join(h.dir, 'gone') }, grpc.status.NOT_FOUND, /^checkpoint: no checkpoint folder/],
      [{ image: undefined }, grpc.status.INVALID_ARGUMENT, /^image has neither encoded bytes nor pixels/],
      [
        { image: { source: { $case: 'encoded', encoded: { format: ImageFormat.IMAGE_FORMAT_PNG, data: Buffer.from([1, 2, 3]) } }, imageId: 'junk' } },
        grpc.status.INVALID_ARGUMENT,
        /image "junk"/,
      ],
      [{ encoding: 9 as MapEncoding }, grpc.status.INVALID_ARGUMENT, /^encoding has unknown map encoding 9/],
      [{ head: 7 as PredictionHead }, grpc.status.INVALID_ARGUMENT, /^head must be PREDICTION_HEAD_STUDENT or PREDICTION_HEAD_TEACHER, got 7/],
    ];
    for (const [change, code, message] of cases) {
      const error = await statusOf(unary(h.client, 'predict', await predictRequest(change)));
      expect({ code: grpc.status[error.code], details: error.details }).toEqual({ code: grpc.status[code], details: expect.stringMatching(message) });
    }
  });
});
