import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import { MemoryBankServiceService, FMWISS_SERVICE_NAMES, type ArchiveStats, type Instance, type PutResponse } from '@fmwiss/contracts';
import { decodeImage } from '@fmwiss/imaging';
import {
  AlreadyExistsError,
  implementService,
  serverConfigSchema,
  startServer,
  UnavailableError,
  type RunningServer,
  type ServiceHandlers,
} from '@fmwiss/service-kit';
import { GrpcMemoryBank } from '../src/lib/memory-bank/grpc-memory-bank';
import type { InstanceOffer } from '../src/lib/step-api';

/** A MemoryBankService that fails on purpose: every call is recorded, failures are scripted. */
class ScriptedBank {
  createCalls = 0;
  createFailures: Error[] = [];
  stats: ArchiveStats = {
    runId: 'run',
    capacityPerClass: 4,
    seed: 9,
    acceptedClassIds: [1, 2],
    classes: [],
    totalOffered: 0,
    totalStored: 0,
    totalBytes: 0,
    createdAt: undefined,
  };
  /** Instances received, per Put stream. */
  streams: Instance[][] = [];
  /** The first Put stream fails with UNAVAILABLE after this many acks. */
  failPutAfter = 2;
  stored: { id: string; instance: Instance }[] = [];
  sampleFailures = 1;

  handlers(): ServiceHandlers<typeof MemoryBankServiceService> {
    return {
      createArchive: async () => {
        this.createCalls++;
        const failure = this.createFailures.shift();
        if (failure) throw failure;
        return this.stats;
      },
      put: async (requests, _ctx, send) => {
        const received: Instance[] = [];
        this.streams.push(received);
        let index = 0;
        for await (const request of requests) {
          if (request.item?.$case !== 'instance') continue;
          if (this.streams.length === 1 && index === this.failPutAfter) throw new UnavailableError('memory bank restarting');
          received.push(request.item.instance);
          this.stored.push({ id: `${request.item.instance.classId}-${this.stored.length}`, instance: request.item.instance });
          const ack: PutResponse = { index, classId: request.item.instance.classId, stored: true, instanceId: '', evictedInstanceId: '', offeredCount: 0, storedCount: 0 };
          await send(ack);
          index++;
        }
      },
      sample: async (request, _ctx, send) => {
        if (this.sampleFailures-- > 0) throw new UnavailableError('memory bank busy');
        const pool = this.stored.filter((s) => request.classIds.includes(s.instance.classId));
        for (let index = 0; index < request.count; index++) {
          const pick = pool[index % pool.length]!;
          await send({ index, instance: { instanceId: pick.id, instance: pick.instance, width: 0, height: 0, maskArea: 0 } });
        }
      },
      getStats: async () => this.stats,
      listArchives: async () => ({ archives: [this.stats] }),
      deleteArchive: async () => ({ deleted: true, deletedInstances: 0 }),
    };
  }
}

const offer = (classId: number, k: number): InstanceOffer => {
  const width = 3 + k;
  const height = 2;
  const image = { width, height, data: Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 7 + k * 31) % 256) };
  const mask = Uint8Array.from({ length: width * height }, (_, i) => (i % 2 === 0 ? 1 : 0));
  return { classId, sourceImageId: `img-${k}`, image, mask, box: { x: k, y: 1, width, height } };
};

describe('GrpcMemoryBank (the MemoryBankPort of the training worker)', () => {
  let server: RunningServer;
  let bank: ScriptedBank;
  let port: GrpcMemoryBank;
  const warnings: string[] = [];
  const waits: number[] = [];
  beforeAll(async () => {
    bank = new ScriptedBank();
    const logger = pino({ level: 'silent' });
    server = await startServer({
      name: 'scripted-memory-bank',
      config: serverConfigSchema.parse({ port: 0, shutdownGraceMs: 100 }),
      logger,
      services: [
        {
          definition: MemoryBankServiceService,
          implementation: implementService(MemoryBankServiceService, bank.handlers(), { logger }),
          serviceName: FMWISS_SERVICE_NAMES.memoryBank,
        },
      ],
    });
    port = new GrpcMemoryBank({
      settings: { address: server.address, runId: 'run', capacityPerClass: 4 },
      retry: { attempts: 4, initialBackoffMs: 500, maxBackoffMs: 8000, deadlineMs: 10_000 },
      onWarning: (message) => warnings.push(message),
      sleep: async (ms) => void waits.push(ms),
    });
  });
  afterAll(async () => {
    port.close();
    await server.shutdown();
  });
  beforeEach(() => {
    warnings.length = 0;
    waits.length = 0;
  });

  it('creates the archive with the capacity of the request, retrying UNAVAILABLE and accepting an equal existing archive', async () => {
    bank.createFailures = [new UnavailableError('starting'), new AlreadyExistsError('run "run" already has an archive')];
    await port.create(64, [2, 1], 9);
    expect(bank.createCalls).toBe(2);
    expect(waits).toEqual([500]);
    expect(warnings).toEqual([`memory bank ${server.address} CreateArchive: UNAVAILABLE: starting; retry 1 of 3 in 500 ms`]);

    bank.createFailures = [new AlreadyExistsError('run "run" already has an archive')];
    await expect(port.create(64, [1, 2], 10)).rejects.toThrow(
      `memory bank ${server.address}: run "run" already has an archive with capacity 4, seed 9, classes [1, 2], not capacity 4, seed 10, classes [1, 2]`,
    );
  });

  it('offers instances as PNG crops and masks, sending after UNAVAILABLE only those not acknowledged', async () => {
    const offers = [0, 1, 2, 3, 4].map((k) => offer(1 + (k % 2), k));
    await port.offer(offers);
    expect(bank.streams.map((s) => s.map((i) => i.sourceImageId))).toEqual([
      ['img-0', 'img-1'],
      ['img-2', 'img-3', 'img-4'],
    ]);
    expect(warnings).toEqual([expect.stringMatching(/Put: UNAVAILABLE: memory bank restarting; retry 1 of 3 in 500 ms$/)]);
    const first = bank.streams[0]![0]!;
    expect(first.sourceBox).toEqual({ x: 0, y: 1, width: 3, height: 2 });
    expect(await decodeImage(first.image!.data, 'crop')).toEqual(offers[0]!.image);
    const mask = await decodeImage(first.mask!.data, 'mask');
    expect(Array.from(mask.data.filter((_, i) => i % 3 === 0))).toEqual(Array.from(offers[0]!.mask, (m) => (m ? 255 : 0)));
  });

  it('samples instances back, decoded to crops and 0/1 masks', async () => {
    const sampled = await port.sample([2], 3, 5);
    expect(waits).toEqual([500]);
    expect(sampled.map((s) => s.classId)).toEqual([2, 2, 2]);
    expect(sampled[0]!.image).toEqual(offer(2, 1).image);
    expect(Array.from(sampled[0]!.mask)).toEqual(Array.from(offer(2, 1).mask));
    expect(await port.sample([2], 0, 5)).toEqual([]);
  });

  it('fails with a message naming the bank after the retries, and does not retry other errors', async () => {
    const down = new GrpcMemoryBank({
      settings: { address: '127.0.0.1:1', runId: 'run', capacityPerClass: 4 },
      retry: { attempts: 3, initialBackoffMs: 1, maxBackoffMs: 2, deadlineMs: 2000 },
      onWarning: (message) => warnings.push(message),
    });
    try {
      await expect(down.sample([1], 1, 0)).rejects.toThrow(/^memory bank 127\.0\.0\.1:1 Sample failed after 3 attempt\(s\): UNAVAILABLE/);
      expect(warnings).toHaveLength(2);
    } finally {
      down.close();
    }
    bank.createFailures = [Object.assign(new Error('bad'), { code: grpc.status.INVALID_ARGUMENT })];
    await expect(port.create(1, [1], 0)).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
  });
});
