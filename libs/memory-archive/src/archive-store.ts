import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { reservoirDecision } from './reservoir';
import type { CheckedInstance } from './instance-check';
import type { SampleCandidate } from './sampler';

export interface ArchiveRecord {
  runId: string;
  capacity: number;
  seed: number;
  /** Empty: any class. */
  classIds: number[];
  createdAt: Date;
}

export interface ClassCount {
  classId: number;
  offered: number;
  stored: number;
  bytes: number;
}

export interface OfferOutcome {
  classId: number;
  stored: boolean;
  instanceId: string;
  evictedInstanceId: string;
  offeredCount: number;
  storedCount: number;
}

/** A stored instance: what was checked and offered, under the id the reservoir gave it. */
export type StoredInstanceRow = CheckedInstance & { instanceId: string };

/** `synchronous` of SQLite: FULL survives power loss; NORMAL (in WAL mode) survives a process crash. */
export type Durability = 'full' | 'normal';

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS archives (
  run_id      TEXT PRIMARY KEY,
  capacity    INTEGER NOT NULL CHECK (capacity > 0),
  seed        INTEGER NOT NULL,
  class_ids   TEXT NOT NULL,
  created_at  INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS class_offers (
  run_id    TEXT NOT NULL REFERENCES archives(run_id) ON DELETE CASCADE,
  class_id  INTEGER NOT NULL,
  offered   INTEGER NOT NULL,
  PRIMARY KEY (run_id, class_id)
) STRICT;
CREATE TABLE IF NOT EXISTS instances (
  run_id          TEXT NOT NULL REFERENCES archives(run_id) ON DELETE CASCADE,
  class_id        INTEGER NOT NULL,
  slot            INTEGER NOT NULL,
  instance_id     TEXT NOT NULL,
  image_format    TEXT NOT NULL CHECK (image_format IN ('png', 'jpeg')),
  image           BLOB NOT NULL,
  mask            BLOB NOT NULL,
  width           INTEGER NOT NULL,
  height          INTEGER NOT NULL,
  mask_area       INTEGER NOT NULL,
  source_image_id TEXT NOT NULL,
  source_box      TEXT,
  PRIMARY KEY (run_id, class_id, slot)
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS instances_by_id ON instances (run_id, instance_id);
`;

/**
 * The memory bank's storage: one SQLite database (WAL journal) holding every run's archive. Each
 * offer is one transaction that reads the class's offer counter, applies the reservoir decision and
 * writes the instance and the counter together, so a crash at any moment leaves either the whole
 * offer or none of it, and an offer whose call returned is on disk.
 */
export class ArchiveStore {
  private readonly db: Database.Database;
  private readonly sql: ReturnType<typeof prepareStatements>;

  private constructor(db: Database.Database) {
    this.db = db;
    this.sql = prepareStatements(db);
  }

  static open(path: string, durability: Durability = 'full'): ArchiveStore {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION) {
        throw new Error(`database ${path} has schema version ${version}, newer than this server's ${SCHEMA_VERSION}`);
      }
      db.exec(SCHEMA);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    } catch (error) {
      db.close();
      throw error;
    }
    return new ArchiveStore(db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** SQLite's own consistency check: "ok" or the problems found. */
  integrityCheck(): string {
    return (this.db.pragma('integrity_check', { simple: true }) as string) ?? 'no answer';
  }

  getArchive(runId: string): ArchiveRecord | undefined {
    const row = this.sql.getArchive.get(runId) as ArchiveRow | undefined;
    return row && toArchiveRecord(row);
  }

  listArchives(): ArchiveRecord[] {
    const rows = this.sql.listArchives.all() as ArchiveRow[];
    return rows.map(toArchiveRecord);
  }

  /** Inserts the archive unless one with this run id exists; returns the stored record either way. */
  createArchive(record: ArchiveRecord): { record: ArchiveRecord; created: boolean } {
    const result = this.sql.insertArchive.run(record.runId, record.capacity, record.seed, JSON.stringify(record.classIds), record.createdAt.getTime());
    return { record: this.getArchive(record.runId)!, created: result.changes === 1 };
  }

  /** Deletes an archive and its instances; returns how many instances went, or undefined if none existed. */
  deleteArchive(runId: string): number | undefined {
    return this.db.transaction(() => {
      const { n } = this.sql.countRunInstances.get(runId) as { n: number };
      const result = this.sql.deleteArchive.run(runId);
      return result.changes === 1 ? n : undefined;
    }).immediate();
  }

  /** Offers an instance to a run's archive (see class comment); undefined if the archive is gone. */
  offer(runId: string, instance: CheckedInstance): OfferOutcome | undefined {
    return this.db.transaction((): OfferOutcome | undefined => {
      const archive = this.getArchive(runId);
      if (!archive) return undefined;
      const { classId } = instance;
      const previous = this.sql.getOffered.get(runId, classId) as { offered: number } | undefined;
      const offerNumber = (previous?.offered ?? 0) + 1;
      this.sql.setOffered.run(runId, classId, offerNumber);

      const decision = reservoirDecision({ capacity: archive.capacity, offerNumber, seed: archive.seed, classId });
      let instanceId = '';
      let evictedInstanceId = '';
      if (decision.store) {
        if (decision.evicts) {
          const evicted = this.sql.getSlot.get(runId, classId, decision.slot) as { instance_id: string } | undefined;
          evictedInstanceId = evicted?.instance_id ?? '';
        }
        instanceId = `${classId}-${decision.slot}-${offerNumber}`;
        this.sql.putSlot.run(
            runId,
            classId,
            decision.slot,
            instanceId,
            instance.imageFormat,
            instance.image,
            instance.mask,
            instance.width,
            instance.height,
            instance.maskArea,
            instance.sourceImageId,
            instance.sourceBox ? JSON.stringify(instance.sourceBox) : null,
          );
      }
      const { n } = this.sql.countClassInstances.get(runId, classId) as { n: number };
      return { classId, stored: decision.store, instanceId, evictedInstanceId, offeredCount: offerNumber, storedCount: n };
    }).immediate();
  }

  /** Per class counts, by class id, for every class ever offered to the archive. */
  classCounts(runId: string): ClassCount[] {
    return this.sql.classCounts.all(runId) as ClassCount[];
  }

  /** Stored instances of the given classes (all classes when empty), by class then slot. */
  candidates(runId: string, classIds: readonly number[]): SampleCandidate[] {
    const rows = this.sql.candidates.all(runId) as SampleCandidate[];
    if (classIds.length === 0) return rows;
    const wanted = new Set(classIds);
    return rows.filter((row) => wanted.has(row.classId));
  }

  getInstance(runId: string, instanceId: string): StoredInstanceRow | undefined {
    const row = this.sql.getInstance.get(runId, instanceId) as
      | InstanceRow
      | undefined;
    if (!row) return undefined;
    return {
      instanceId: row.instance_id,
      classId: row.class_id,
      imageFormat: row.image_format,
      image: row.image,
      mask: row.mask,
      width: row.width,
      height: row.height,
      maskArea: row.mask_area,
      sourceImageId: row.source_image_id,
      sourceBox: row.source_box ? JSON.parse(row.source_box) : undefined,
    };
  }
}

function prepareStatements(db: Database.Database) {
  return {
    getArchive: db.prepare('SELECT * FROM archives WHERE run_id = ?'),
    listArchives: db.prepare('SELECT * FROM archives ORDER BY created_at, run_id'),
    insertArchive: db.prepare(
      'INSERT INTO archives (run_id, capacity, seed, class_ids, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id) DO NOTHING',
    ),
    deleteArchive: db.prepare('DELETE FROM archives WHERE run_id = ?'),
    countRunInstances: db.prepare('SELECT COUNT(*) AS n FROM instances WHERE run_id = ?'),
    countClassInstances: db.prepare('SELECT COUNT(*) AS n FROM instances WHERE run_id = ? AND class_id = ?'),
    getOffered: db.prepare('SELECT offered FROM class_offers WHERE run_id = ? AND class_id = ?'),
    setOffered: db.prepare(
      'INSERT INTO class_offers (run_id, class_id, offered) VALUES (?, ?, ?) ON CONFLICT (run_id, class_id) DO UPDATE SET offered = excluded.offered',
    ),
    getSlot: db.prepare('SELECT instance_id FROM instances WHERE run_id = ? AND class_id = ? AND slot = ?'),
    putSlot: db.prepare(
      `INSERT OR REPLACE INTO instances (run_id, class_id, slot, instance_id, image_format, image, mask, width, height, mask_area, source_image_id, source_box)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    classCounts: db.prepare(
      `SELECT o.class_id AS classId, o.offered AS offered,
              COUNT(i.slot) AS stored, COALESCE(SUM(LENGTH(i.image) + LENGTH(i.mask)), 0) AS bytes
         FROM class_offers o LEFT JOIN instances i ON i.run_id = o.run_id AND i.class_id = o.class_id
        WHERE o.run_id = ?
        GROUP BY o.class_id ORDER BY o.class_id`,
    ),
    candidates: db.prepare(
      'SELECT class_id AS classId, instance_id AS instanceId FROM instances WHERE run_id = ? ORDER BY class_id, slot',
    ),
    getInstance: db.prepare('SELECT * FROM instances WHERE run_id = ? AND instance_id = ?'),
  };
}

interface ArchiveRow {
  run_id: string;
  capacity: number;
  seed: number;
  class_ids: string;
  created_at: number;
}

interface InstanceRow {
  instance_id: string;
  class_id: number;
  image_format: 'png' | 'jpeg';
  image: Buffer;
  mask: Buffer;
  width: number;
  height: number;
  mask_area: number;
  source_image_id: string;
  source_box: string | null;
}

function toArchiveRecord(row: ArchiveRow): ArchiveRecord {
  return {
    runId: row.run_id,
    capacity: row.capacity,
    seed: row.seed,
    classIds: JSON.parse(row.class_ids) as number[],
    createdAt: new Date(row.created_at),
  };
}
