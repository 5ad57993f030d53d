import { join } from 'node:path';
import { makeTempDir, removeTempDir, writeVocFixture } from '../test/fixtures';
import type { Sample, SegmentationDataset } from './dataset';
import { openVocDataset } from './voc';

const IDS = Array.from({ length: 12 }, (_, i) => `img${String(i).padStart(2, '0')}`);
let dir: string;
let dataset: SegmentationDataset;

beforeAll(async () => {
  dir = await makeTempDir();
  await writeVocFixture(join(dir, 'voc'), IDS.map((id, i) => [id, [1 + (i % 20)]] as const));
  dataset = await openVocDataset({ root: join(dir, 'voc'), split: 'train' });
});
afterAll(() => removeTempDir(dir));

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('samples()', () => {
  it('yields in id order with at most concurrency + 1 samples alive', async () => {
    // Counting wrapper: a sample is alive from the start of its read until the consumer lets go of
    // it, which this consumer does when the next sample arrives (it holds the previous one).
    const read = dataset.read.bind(dataset);
    let alive = 0;
    let maxAlive = 0;
    dataset.read = async (id: string) => {
      alive++;
      maxAlive = Math.max(maxAlive, alive);
      await sleep(IDS.indexOf(id) % 3 === 0 ? 15 : 1); // finish out of order
      return read(id);
    };
    const seen: string[] = [];
    let held: Sample | undefined;
    try {
      for await (const sample of dataset.samples({ concurrency: 2 })) {
        if (held) alive--;
        held = sample;
        seen.push(sample.id);
        expect(sample.labels.data[8]).toBe(1 + (IDS.indexOf(sample.id) % 20));
        await sleep(2);
      }
    } finally {
      dataset.read = read;
    }
    expect(seen).toEqual(IDS);
    expect(maxAlive).toBeLessThanOrEqual(3);
    expect(maxAlive).toBeGreaterThanOrEqual(2); // it does read ahead
  });

  it('streams a chosen subset in the given order', async () => {
    const ids: string[] = [];
    for await (const sample of dataset.samples({ ids: ['img05', 'img01'], concurrency: 1 })) ids.push(sample.id);
    expect(ids).toEqual(['img05', 'img01']);
    expect(() => dataset.samples({ ids: ['nope'] })).toThrow(/no image "nope"/);
  });
});
