import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PutResponse } from '@fmwiss/contracts';
import { ArchiveStore, synthesizeInstance } from '@fmwiss/memory-archive';
import { startChildService, unary } from '@fmwiss/service-kit';
import { header, memoryBankClient, put, sample } from './harness';

const ENTRY = join(__dirname, '../src/main.ts');
const startChild = (args: string[]) => startChildService({ entry: ENTRY, args, startTimeoutMs: 30_000 });

/**
 * kill -9 of the server while a client streams Puts: every acknowledged instance must be in the
 * database after a restart, the database must pass SQLite's integrity check, and the reservoir must
 * continue its offer count where the committed transactions left it.
 */
describe('memory-bank after kill -9 during a Put stream', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'memory-bank-kill9-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loses no acknowledged instance and corrupts nothing', async () => {
    const databasePath = join(dir, 'archives.sqlite');
    const args = ['--port', '0', '--database-path', databasePath, '--durability', 'full'];
    const first = await startChild(args);
    const client = memoryBankClient(first.port);
    await unary(client, 'createArchive', { runId: 'crash', capacityPerClass: 8, classIds: [], seed: 4 });

    const instances = await Promise.all(
      Array.from({ length: 400 }, (_, i) => synthesizeInstance({ classId: 1 + (i % 2), seed: i, width: 20, height: 20 })),
    );
    const acks: PutResponse[] = [];
    const killAfter = 60;
    const streamEnded = new Promise<string>((resolve) => {
      const stream = client.put();
      stream.on('data', (ack: PutResponse) => {
        acks.push(ack);
        if (acks.length === killAfter) first.process.kill('SIGKILL');
      });
      stream.on('error', (error) => resolve(`error: ${error.message}`));
      stream.on('end', () => resolve('end'));
      stream.write(header('crash'));
      for (const instance of instances) stream.write({ item: { $case: 'instance', instance } });
      stream.end();
    });
    expect(await first.exited).toBeNull(); // killed by a signal
    expect(await streamEnded).toMatch(/^error: /);
    client.close();
    expect(acks.length).toBeGreaterThanOrEqual(killAfter);
    expect(acks.length).toBeLessThan(instances.length);

    // The database file alone, before any restart, is consistent.
    const store = ArchiveStore.open(databasePath);
    expect(store.integrityCheck()).toBe('ok');
    store.close();

    const second = await startChild(args);
    const client2 = memoryBankClient(second.port);
    try {
      const stats = await unary(client2, 'getStats', { runId: 'crash' });
      for (const classId of [1, 2]) {
        const acked = acks.filter((a) => a.classId === classId);
        const committed = stats.classes.find((c) => c.classId === classId)!;
        // Offers may have committed without their ack reaching the client, never the reverse.
        expect(committed.offered).toBeGreaterThanOrEqual(Math.max(...acked.map((a) => a.offeredCount)));
        expect(committed.stored).toBe(8);
      }

      const stored = await sample(client2, { runId: 'crash', count: stats.totalStored, withoutReplacement: true, weighting: 2 });
      const storedIds = new Set(stored.map((r) => r.instance!.instanceId));
      const evicted = new Set(acks.map((a) => a.evictedInstanceId).filter(Boolean));
      const survivors = acks.filter((a) => a.stored && !evicted.has(a.instanceId)).map((a) => a.instanceId);
      // Acked survivors may still have been evicted by a committed but unacknowledged offer.
      const unackedOffers = stats.totalOffered - acks.length;
      const missing = survivors.filter((id) => !storedIds.has(id));
      expect(missing.length).toBeLessThanOrEqual(unackedOffers);

      // The restarted server continues the reservoir where the database left it.
      const resumed = await put(client2, [header('crash'), { item: { $case: 'instance', instance: instances[0]! } }]);
      const classOne = stats.classes.find((c) => c.classId === 1)!;
      expect(resumed[0]!.offeredCount).toBe(classOne.offered + 1);
    } finally {
      client2.close();
      second.process.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
  });
});
