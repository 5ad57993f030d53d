import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArchiveStore } from './archive-store';
import type { CheckedInstance } from './instance-check';

function fakeInstance(classId: number, tag: number): CheckedInstance {
  return {
    classId,
    imageFormat: 'png',
    image: Buffer.from(`image-${tag}`),
    mask: Buffer.from(`mask-${tag}`),
    width: 4,
    height: 3,
    maskArea: 5,
    sourceImageId: `img-${tag}`,
    sourceBox: { x: 1, y: 2, width: 4, height: 3 },
  };
}

describe('ArchiveStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'archive-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates an archive once and reports whether it was new', () => {
    const store = ArchiveStore.open(join(dir, 'db.sqlite'));
    const record = { runId: 'r1', capacity: 3, seed: 7, classIds: [1, 2], createdAt: new Date(1000) };
    expect(store.createArchive(record)).toEqual({ record, created: true });
    expect(store.createArchive({ ...record, capacity: 9 })).toEqual({ record, created: false });
    store.close();
  });

  it('keeps at most B instances per class and counts every offer', () => {
    const store = ArchiveStore.open(join(dir, 'db.sqlite'));
    store.createArchive({ runId: 'r', capacity: 3, seed: 1, classIds: [], createdAt: new Date() });
    const outcomes = Array.from({ length: 20 }, (_, i) => store.offer('r', fakeInstance(5, i))!);
    expect(outcomes.slice(0, 3).map((o) => o.instanceId)).toEqual(['5-0-1', '5-1-2', '5-2-3']);
    expect(outcomes.at(-1)).toMatchObject({ offeredCount: 20, storedCount: 3 });
    const evictions = outcomes.filter((o) => o.evictedInstanceId !== '');
    expect(evictions.length).toBeGreaterThan(0);
    expect(evictions.every((o) => o.stored)).toBe(true);
    store.offer('r', fakeInstance(6, 100));
    expect(store.classCounts('r')).toEqual([
      { classId: 5, offered: 20, stored: 3, bytes: expect.any(Number) },
      { classId: 6, offered: 1, stored: 1, bytes: 'image-100'.length + 'mask-100'.length },
    ]);
    expect(store.candidates('r', [6])).toEqual([{ classId: 6, instanceId: '6-0-1' }]);
    store.close();
  });

  it('reads back exactly what was stored, after reopening the database', () => {
    const path = join(dir, 'db.sqlite');
    let store = ArchiveStore.open(path);
    store.createArchive({ runId: 'r', capacity: 2, seed: 1, classIds: [], createdAt: new Date() });
    store.offer('r', fakeInstance(2, 1));
    store.close();
    store = ArchiveStore.open(path);
    expect(store.getInstance('r', '2-0-1')).toEqual({ instanceId: '2-0-1', ...fakeInstance(2, 1) });
    expect(store.integrityCheck()).toBe('ok');
    store.close();
  });

  it('deletes an archive with all its instances, and offers to a deleted archive are refused', () => {
    const store = ArchiveStore.open(join(dir, 'db.sqlite'));
    store.createArchive({ runId: 'r', capacity: 2, seed: 1, classIds: [], createdAt: new Date() });
    store.offer('r', fakeInstance(2, 1));
    store.offer('r', fakeInstance(3, 2));
    expect(store.deleteArchive('r')).toBe(2);
    expect(store.deleteArchive('r')).toBeUndefined();
    expect(store.offer('r', fakeInstance(2, 3))).toBeUndefined();
    expect(store.classCounts('r')).toEqual([]);
    expect(store.getInstance('r', '2-0-1')).toBeUndefined();
    store.close();
  });
});
