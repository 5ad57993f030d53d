import * as grpc from '@grpc/grpc-js';
import { FMWISS_SERVICE_NAMES, type PutRequest } from '@fmwiss/contracts';
import { synthesizeInstance } from '@fmwiss/memory-archive';
import { REFLECTION_SERVICE_NAMES, bidiStream, checkHealth, createReflectionClient, unary, type DescribedFile } from '@fmwiss/service-kit';
import { header, startHarness, type Harness } from './harness';

describe('memory-bank introspection', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ shutdownGraceMs: 10_000 });
  });
  afterAll(async () => h.close());

  it('lists exactly its services by reflection and describes their messages', async () => {
    const reflection = createReflectionClient(h.server.address);
    try {
      expect((await reflection.listServices()).sort()).toEqual(
        [FMWISS_SERVICE_NAMES.memoryBank, 'grpc.health.v1.Health', ...REFLECTION_SERVICE_NAMES].sort(),
      );
      const files = await reflection.describeSymbol(FMWISS_SERVICE_NAMES.memoryBank);
      // The file as protoc wrote it, first, not a per-package merge: memory_bank.proto holds MemoryBankService alone.
      const file = files[0]!;
      expect(file.name).toBe('fmwiss/v1/memory_bank.proto');
      expect(file.service!.map((s) => s.name)).toEqual(['MemoryBankService']);
      expect(file.service![0]!.method!.map((m) => m.name)).toEqual([
        'CreateArchive',
        'Put',
        'Sample',
        'GetStats',
        'ListArchives',
        'DeleteArchive',
      ]);
      const instanceIndex = file.messageType!.findIndex((m) => m.name === 'Instance');
      const instance = file.messageType![instanceIndex]!;
      expect(instance.field!.map((f) => [f.name, f.number])).toEqual([
        ['class_id', 1],
        ['image', 2],
        ['mask', 3],
        ['source_image_id', 4],
        ['source_box', 5],
      ]);
      // Source info survives: the Instance message's leading comment (path [4, index] = message_type[index]).
      const { sourceCodeInfo } = file as DescribedFile & { sourceCodeInfo?: { location?: Array<{ path?: number[]; leadingComments?: string }> } };
      const comment = sourceCodeInfo?.location?.find((l) => l.path?.join() === `4,${instanceIndex}`)?.leadingComments;
      expect(comment).toContain('An instance as offered');
      // Dependencies come along, each once, so a client can resolve every type it sees.
      const names = files.map((f) => f.name);
      expect(names).toEqual(expect.arrayContaining(['fmwiss/v1/common.proto', 'google/protobuf/timestamp.proto']));
      expect(new Set(names).size).toBe(names.length);
    } finally {
      reflection.close();
    }
  });

  it('answers SERVING, then NOT_SERVING while it drains a Put stream in flight, which still completes', async () => {
    expect(await checkHealth(h.server.address)).toBe('SERVING');
    expect(await checkHealth(h.server.address, FMWISS_SERVICE_NAMES.memoryBank)).toBe('SERVING');
    await unary(h.client, 'createArchive', { runId: 'drain', capacityPerClass: 3, classIds: [] });

    // A Put stream that stays open until we release it: a call in flight during the shutdown.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const instance = await synthesizeInstance({ classId: 1, seed: 1 });
    async function* requests(): AsyncGenerator<PutRequest> {
      yield header('drain');
      yield { item: { $case: 'instance', instance } };
      await released;
      yield { item: { $case: 'instance', instance } };
    }
    const acks: number[] = [];
    const putDone = (async () => {
      for await (const ack of bidiStream(h.client, 'put', requests())) acks.push(ack.offeredCount);
    })();
    while (acks.length < 1) await new Promise((r) => setTimeout(r, 10));

    const stopping = h.server.shutdown('test');
    await new Promise((r) => setTimeout(r, 100));
    expect(await checkHealth(h.server.address)).toBe('NOT_SERVING');
    expect(await checkHealth(h.server.address, FMWISS_SERVICE_NAMES.memoryBank)).toBe('NOT_SERVING');
    const refused = await unary(h.client, 'getStats', { runId: 'drain' }, { deadlineMs: 2000 }).catch((e: grpc.ServiceError) => e);
    expect((refused as grpc.ServiceError).code).toBe(grpc.status.UNAVAILABLE);

    release();
    await putDone;
    expect(acks).toEqual([1, 2]);
    await stopping;
  });
});
