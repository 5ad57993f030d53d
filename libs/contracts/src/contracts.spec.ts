import {
  ClipMaskServiceService,
  DataType,
  FMWISS_SERVICE_NAMES,
  MemoryBankServiceService,
  PipelineServiceService,
  PutRequest,
  SeedRefinerServiceService,
  TrainerServiceService,
  TrainingEvent,
  fmwissPackageDefinition,
} from './index';

const definitions = {
  [FMWISS_SERVICE_NAMES.clipMask]: ClipMaskServiceService,
  [FMWISS_SERVICE_NAMES.seedRefiner]: SeedRefinerServiceService,
  [FMWISS_SERVICE_NAMES.memoryBank]: MemoryBankServiceService,
  [FMWISS_SERVICE_NAMES.trainer]: TrainerServiceService,
  [FMWISS_SERVICE_NAMES.pipeline]: PipelineServiceService,
};

describe('contracts', () => {
  it('the descriptor set served by reflection holds every generated service and method', () => {
    const pkg = fmwissPackageDefinition();
    for (const [serviceName, definition] of Object.entries(definitions)) {
      const described = pkg[serviceName] as Record<string, { path: string; requestStream: boolean; responseStream: boolean }>;
      expect(described).toBeDefined();
      for (const method of Object.values(definition)) {
        const match = Object.values(described).find((m) => m.path === method.path);
        expect({ path: method.path, requestStream: match?.requestStream, responseStream: match?.responseStream }).toEqual({
          path: method.path,
          requestStream: method.requestStream,
          responseStream: method.responseStream,
        });
      }
    }
  });

  it('round-trips a oneof message through the wire format', () => {
    const message: PutRequest = {
      item: {
        $case: 'instance',
        instance: {
          classId: 7,
          image: { format: 1, data: Buffer.from([137, 80, 78, 71]) },
          mask: { format: 1, data: Buffer.from([1, 2]) },
          sourceImageId: '2007_000032',
          sourceBox: { x: 1, y: 2, width: 3, height: 4 },
        },
      },
    };
    expect(PutRequest.decode(PutRequest.encode(message).finish())).toEqual(message);
  });

  it('keeps timestamps and maps of a training event', () => {
    const event: TrainingEvent = {
      sequence: 12,
      time: new Date('2026-01-02T03:04:05.678Z'),
      event: {
        $case: 'progress',
        progress: {
          phase: 3,
          epoch: 2,
          epochs: 10,
          iteration: 5,
          iterationsPerEpoch: 40,
          losses: { total: 1.5, dcl: 0.25 },
          learningRate: 0.5, // exact in float32
          imagesPerSecond: 12,
          etaSeconds: 30,
        },
      },
    };
    expect(TrainingEvent.decode(TrainingEvent.encode(event).finish())).toEqual(event);
    expect(DataType.DATA_TYPE_FLOAT32).toBe(1);
  });
});
