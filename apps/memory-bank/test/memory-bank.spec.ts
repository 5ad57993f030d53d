import * as grpc from '@grpc/grpc-js';
import type { Instance, PutRequest, PutResponse } from '@fmwiss/contracts';
import { SampleRequest_Weighting } from '@fmwiss/contracts';
import { synthesizeInstance } from '@fmwiss/memory-archive';
import { unary, statusOf } from '@fmwiss/service-kit';
import { header, put, sample, startHarness, type Harness } from './harness';

const instanceRequest = (instance: Instance): PutRequest => ({ item: { $case: 'instance', instance } });

describe('MemoryBankService over gRPC', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  const create = (runId: string, capacityPerClass: number, extra: { seed?: number; classIds?: number[] } = {}) =>
    unary(h.client, 'createArchive', { runId, capacityPerClass, classIds: [], ...extra });

  it('creates an archive idempotently and refuses a conflicting one', async () => {
    const stats = await create('idem', 4, { seed: 3 });
    expect(stats).toMatchObject({ runId: 'idem', capacityPerClass: 4, seed: 3, totalStored: 0 });
    await expect(create('idem', 4, { seed: 3 })).resolves.toMatchObject({ runId: 'idem' });
    const conflict = await statusOf(create('idem', 5, { seed: 3 }));
    expect(conflict.code).toBe(grpc.status.ALREADY_EXISTS);
    expect(conflict.details).toMatch(/already has an archive with capacity 4/);
  });

  it('stores, counts, samples deterministically and deletes', async () => {
    await create('round-trip', 5, { seed: 11 });
    const instances = await Promise.all(
      Array.from({ length: 30 }, (_, i) => synthesizeInstance({ classId: 1 + (i % 3), seed: i })),
    );
    const acks = await put(h.client, [header('round-trip'), ...instances.map(instanceRequest)]);
    expect(acks.map((a) => a.index)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(acks.at(-1)).toMatchObject({ classId: 3, offeredCount: 10, storedCount: 5 });

    const stats = await unary(h.client, 'getStats', { runId: 'round-trip' });
    expect(stats.classes.map((c) => [c.classId, c.offered, c.stored])).toEqual([
      [1, 10, 5],
      [2, 10, 5],
      [3, 10, 5],
    ]);
    expect(stats.totalStored).toBe(15);

    const first = await sample(h.client, { runId: 'round-trip', classIds: [1, 3], count: 12, seed: 5 });
    const again = await sample(h.client, { runId: 'round-trip', classIds: [1, 3], count: 12, seed: 5 });
    expect(first.map((r) => r.instance!.instanceId)).toEqual(again.map((r) => r.instance!.instanceId));
    expect(first.map((r) => r.index)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(new Set(first.map((r) => r.instance!.instance!.classId))).toEqual(new Set([1, 3]));

    // A sampled instance carries back the exact bytes that were offered.
    const stored = first[0]!.instance!;
    const original = instances.find((inst) => inst.sourceImageId === stored.instance!.sourceImageId)!;
    expect(Buffer.from(stored.instance!.image!.data)).toEqual(Buffer.from(original.image!.data));
    expect(Buffer.from(stored.instance!.mask!.data)).toEqual(Buffer.from(original.mask!.data));
    expect(stored.instance!.sourceBox).toEqual(original.sourceBox);

    const distinct = await sample(h.client, {
      runId: 'round-trip',
      count: 15,
      seed: 1,
      withoutReplacement: true,
      weighting: SampleRequest_Weighting.WEIGHTING_INSTANCE_UNIFORM,
    });
    expect(new Set(distinct.map((r) => r.instance!.instanceId)).size).toBe(15);
    const tooMany = await statusOf(sample(h.client, { runId: 'round-trip', count: 16, withoutReplacement: true }));
    expect(tooMany.code).toBe(grpc.status.FAILED_PRECONDITION);

    const listed = await unary(h.client, 'listArchives', {});
    expect(listed.archives.map((a) => a.runId)).toContain('round-trip');

    const deleted = await unary(h.client, 'deleteArchive', { runId: 'round-trip', allowMissing: false });
    expect(deleted).toEqual({ deleted: true, deletedInstances: 15 });
    const gone = await statusOf(unary(h.client, 'getStats', { runId: 'round-trip' }));
    expect(gone.code).toBe(grpc.status.NOT_FOUND);
    await expect(unary(h.client, 'deleteArchive', { runId: 'round-trip', allowMissing: true })).resolves.toEqual({
      deleted: false,
      deletedInstances: 0,
    });
  });

  describe('bad input', () => {
    let good: Instance;
    beforeAll(async () => {
      await create('bad-input', 10, { classIds: [1, 2, 3] });
      good = await synthesizeInstance({ classId: 2, seed: 1, width: 24, height: 20, sourceImageId: 'img-7' });
    });

    async function putError(requests: PutRequest[]) {
      const acks: PutResponse[] = [];
      const error = await statusOf(put(h.client, requests, acks));
      return { error, acks };
    }

    it('refuses bytes that are not a PNG, and keeps the instances acknowledged before', async () => {
      const { error, acks } = await putError([
        header('bad-input'),
        instanceRequest(good),
        instanceRequest({ ...good, image: { format: 0, data: Buffer.from('GIF89a not a png') } }),
        instanceRequest(good),
      ]);
      expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(error.details).toMatch(/^instance #1 \(source image 'img-7'\): image is 16 bytes starting .*, not a PNG or JPEG file$/);
      expect(acks).toHaveLength(1);
      const stats = await unary(h.client, 'getStats', { runId: 'bad-input' });
      expect(stats.totalOffered).toBeGreaterThanOrEqual(1);
    });

    it('refuses a mask whose size differs from its crop', async () => {
      const other = await synthesizeInstance({ classId: 2, seed: 2, width: 24, height: 21 });
      const { error } = await putError([header('bad-input'), instanceRequest({ ...good, mask: other.mask })]);
      expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(error.details).toMatch(/mask is 24x21 but the image crop is 24x20/);
    });

    it('refuses an empty mask', async () => {
      const sharp = (await import('sharp')).default;
      const empty = await sharp(Buffer.alloc(24 * 20), { raw: { width: 24, height: 20, channels: 1 } }).png().toBuffer();
      const { error } = await putError([header('bad-input'), instanceRequest({ ...good, mask: { format: 1, data: empty } })]);
      expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(error.details).toMatch(/mask is empty \(no foreground pixel\)/);
    });

    it('refuses a class the archive does not accept', async () => {
      const { error } = await putError([header('bad-input'), instanceRequest({ ...good, classId: 9 })]);
      expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(error.details).toMatch(/class_id 9 is not one of the archive's classes \[1, 2, 3\]/);
    });

    it('answers NOT_FOUND for an unknown run on every RPC', async () => {
      const putUnknown = await putError([header('no-such-run'), instanceRequest(good)]);
      expect(putUnknown.error.code).toBe(grpc.status.NOT_FOUND);
      expect(putUnknown.error.details).toMatch(/no archive for run 'no-such-run'; create it with CreateArchive first/);
      for (const failing of [
        sample(h.client, { runId: 'no-such-run', count: 1 }),
        unary(h.client, 'getStats', { runId: 'no-such-run' }),
        unary(h.client, 'deleteArchive', { runId: 'no-such-run', allowMissing: false }),
      ]) {
        expect((await statusOf(failing)).code).toBe(grpc.status.NOT_FOUND);
      }
    });

    it('refuses malformed streams and requests with INVALID_ARGUMENT saying why', async () => {
      const cases: Array<[Promise<unknown>, RegExp]> = [
        [put(h.client, [instanceRequest(good)]), /first message of a Put stream must be a header/],
        [put(h.client, [header('bad-input'), header('bad-input')]), /takes one header, this is a second/],
        [put(h.client, [{ item: undefined }]), /holds neither a header nor an instance/],
        [put(h.client, []), /ended without a header/],
        [create('bad run id!', 3), /run_id must be 1 to 128 characters/],
        [create('zero-capacity', 0), /capacity_per_class must be an integer in 1\.\.100000, got 0/],
        [create('bad-class', 3, { classIds: [255] }), /class_ids holds 255/],
        [sample(h.client, { runId: 'bad-input', count: 0 }), /count must be an integer in 1\.\.10000, got 0/],
      ];
      for (const [failing, message] of cases) {
        const error = await statusOf(failing);
        expect({ code: error.code, details: error.details }).toEqual({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringMatching(message) });
      }
    });
  });

  it('takes 8 concurrent writers on one archive without losing or double-counting an offer', async () => {
    await create('concurrent', 6, { seed: 2 });
    const writers = 8;
    const perWriter = 24;
    const batches = await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        const instances = await Promise.all(
          Array.from({ length: perWriter }, (_, i) => synthesizeInstance({ classId: 1 + ((w + i) % 4), seed: w * 1000 + i })),
        );
        return [header('concurrent'), ...instances.map(instanceRequest)];
      }),
    );
    const results = await Promise.all(batches.map((requests) => put(h.client, requests)));
    const acks = results.flat();
    expect(acks).toHaveLength(writers * perWriter);

    const stats = await unary(h.client, 'getStats', { runId: 'concurrent' });
    expect(stats.totalOffered).toBe(writers * perWriter);
    for (const c of stats.classes) {
      expect(c.offered).toBe(writers * perWriter / 4);
      expect(c.stored).toBe(6);
    }
    // Every class's offer numbers 1..48 were handed out exactly once across the writers.
    for (const classId of [1, 2, 3, 4]) {
      const counts = acks.filter((a) => a.classId === classId).map((a) => a.offeredCount).sort((a, b) => a - b);
      expect(counts).toEqual(Array.from({ length: 48 }, (_, i) => i + 1));
    }
    // The stored instances are exactly those stored and never evicted afterwards.
    const evicted = new Set(acks.map((a) => a.evictedInstanceId).filter(Boolean));
    const expected = acks.filter((a) => a.stored && !evicted.has(a.instanceId)).map((a) => a.instanceId).sort();
    const all = await sample(h.client, { runId: 'concurrent', count: 24, withoutReplacement: true, weighting: 2 });
    expect(all.map((r) => r.instance!.instanceId).sort()).toEqual(expected);
  });
});
