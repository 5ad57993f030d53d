import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { StartTrainingRequest } from '@fmwiss/contracts';
import { AsyncQueue } from './async-queue';
import { canonicalJson, fingerprint } from './fingerprint';
import { LruCache } from './inference/lru';
import { requestFingerprint } from './job-manager';
import { backoffMs, withRetries } from './memory-bank/retry';
import { hyperparameterOverrides, jobStateName, modelConfigOverrides } from './messages';
import { shouldRecordProgress } from './progress-throttle';
import type { StepProgress } from './step-api';
import { acquireStateLock } from './store/state-lock';

const progress = (epoch: number, iteration: number, phase: StepProgress['phase'] = 'base'): StepProgress => ({
  phase,
  epoch,
  epochs: 3,
  iteration,
  iterationsPerEpoch: 10,
  losses: {},
  learningRate: 0.1,
  imagesPerSecond: 1,
  etaSeconds: 1,
});

describe('progress throttle', () => {
  it('records the first report, new phases and epochs, epoch ends, and one a second otherwise', () => {
    const last = { progress: progress(1, 3), atMs: 1000 };
    expect(shouldRecordProgress(undefined, progress(1, 1), 0, 1000)).toBe(true);
    expect(shouldRecordProgress(last, progress(1, 4), 1500, 1000)).toBe(false);
    expect(shouldRecordProgress(last, progress(1, 4), 2000, 1000)).toBe(true);
    expect(shouldRecordProgress(last, progress(1, 10), 1001, 1000)).toBe(true);
    expect(shouldRecordProgress(last, progress(2, 1), 1001, 1000)).toBe(true);
    expect(shouldRecordProgress(last, progress(1, 4, 'saving'), 1001, 1000)).toBe(true);
  });
});

describe('fingerprint', () => {
  it('ignores key order and tells requests apart', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: 3 } })).toBe('{"a":{"c":3,"d":[2,{"y":2,"z":1}]},"b":1}');
    expect(fingerprint({ a: 1, b: 2 })).toBe(fingerprint({ b: 2, a: 1 }));
    const request = StartTrainingRequest.fromPartial({ jobId: 'j', runId: 'r', imageLabels: { b: { classIds: [1] }, a: { classIds: [2] } } });
    const reordered = StartTrainingRequest.fromPartial({ jobId: 'j', runId: 'r', imageLabels: { a: { classIds: [2] }, b: { classIds: [1] } } });
    expect(requestFingerprint(request)).toBe(requestFingerprint(reordered));
    expect(requestFingerprint(request)).not.toBe(requestFingerprint({ ...request, step: 1 }));
  });
});

describe('LruCache', () => {
  it('evicts the least recently used entry beyond its capacity', () => {
    const evicted: string[] = [];
    const cache = new LruCache<string, number>(2, (_value, key) => evicted.push(key));
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(evicted).toEqual(['b']);
    expect(cache.keys()).toEqual(['a', 'c']);
    const none = new LruCache<string, number>(0, (_value, key) => evicted.push(key));
    none.set('x', 1);
    expect(none.size).toBe(0);
    expect(evicted).toEqual(['b', 'x']);
  });
});

describe('AsyncQueue', () => {
  it('yields pushed items, then ends or fails after them', async () => {
    const queue = new AsyncQueue<number>();
    queue.push(1);
    setTimeout(() => {
      queue.push(2);
      queue.fail(new Error('gone'));
    }, 5);
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const item of queue) seen.push(item);
      })(),
    ).rejects.toThrow('gone');
    expect(seen).toEqual([1, 2]);
  });
});

describe('message conversions', () => {
  it('keeps only the fields a request sets', () => {
    expect(hyperparameterOverrides({ epochs: 3, copyPaste: { enabled: false } })).toEqual({ epochs: 3, copyPaste: { enabled: false } });
    expect(hyperparameterOverrides({ copyPaste: {} })).toEqual({});
    expect(modelConfigOverrides({ asppRates: [], imageSize: 64 })).toEqual({ imageSize: 64 });
    expect(jobStateName(2)).toBe('RUNNING');
  });
});

describe('memory-bank retries', () => {
  it('retries UNAVAILABLE with doubling backoff, reports each retry, and gives up after the attempts', async () => {
    const schedule = { attempts: 4, initialBackoffMs: 500, maxBackoffMs: 1500 };
    expect([1, 2, 3, 4].map((n) => backoffMs(schedule, n))).toEqual([500, 1000, 1500, 1500]);
    const waits: number[] = [];
    const warnings: string[] = [];
    const unavailable = Object.assign(new Error('down'), { code: grpc.status.UNAVAILABLE, details: 'connection refused' });
    let calls = 0;
    const result = await withRetries('memory bank x Put', async () => (++calls < 3 ? Promise.reject(unavailable) : 'ok'), {
      schedule,
      onRetry: (m) => warnings.push(m),
      sleep: async (ms) => void waits.push(ms),
    });
    expect(result).toBe('ok');
    expect(waits).toEqual([500, 1000]);
    expect(warnings[0]).toBe('memory bank x Put: UNAVAILABLE: connection refused; retry 1 of 3 in 500 ms');
    await expect(withRetries('memory bank x Put', () => Promise.reject(unavailable), { schedule, sleep: async () => undefined })).rejects.toThrow(
      'memory bank x Put failed after 4 attempt(s): UNAVAILABLE: connection refused',
    );
    const invalid = Object.assign(new Error('bad'), { code: grpc.status.INVALID_ARGUMENT });
    let tries = 0;
    await expect(withRetries('x', () => (tries++, Promise.reject(invalid)), { schedule, sleep: async () => undefined })).rejects.toBe(invalid);
    expect(tries).toBe(1);
  });
});

describe('state dir lock', () => {
  it('is exclusive while held, taken over from a dead process, and released', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    try {
      const lock = acquireStateLock(dir);
      expect(JSON.parse(readFileSync(lock.path, 'utf8')).pid).toBe(process.pid);
      expect(() => acquireStateLock(dir)).toThrow(/already in use by this process/);
      lock.release();
      // A live process of this host holds it (our parent): refused.
      writeFileSync(lock.path, JSON.stringify({ pid: process.ppid, host: hostname() }));
      expect(() => acquireStateLock(dir)).toThrow(`state dir ${dir} is in use by another trainer (process ${process.ppid}`);
      // Another host's trainer: refused, since its life cannot be checked from here.
      writeFileSync(lock.path, JSON.stringify({ pid: 1, host: 'elsewhere' }));
      expect(() => acquireStateLock(dir)).toThrow(/is held by a trainer on host elsewhere \(process 1\); if that trainer is gone, delete/);
      // A process that is gone (kill -9) held it: taken over.
      writeFileSync(lock.path, JSON.stringify({ pid: spawnSync('true').pid, host: hostname() }));
      const again = acquireStateLock(dir);
      again.release();
      expect(existsSync(lock.path)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
