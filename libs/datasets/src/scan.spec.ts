import { encodeLabelPng } from '@fmwiss/imaging';
import { readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jpegBytes, makeTempDir, paintLabels, removeTempDir, truncated, writeBytes, writeVocFixture } from '../test/fixtures';
import { DatasetError } from './errors';
import { loadLabelIndex } from './label-index';
import { labelIndexFor, scanDataset, type ScanProgress } from './scan';
import { openVocDataset } from './voc';

let dir: string;

beforeAll(async () => {
  dir = await makeTempDir();
});
afterAll(() => removeTempDir(dir));

describe('scanDataset', () => {
  it('reports every problem at once, each naming its file', async () => {
    const root = join(dir, 'broken');
    const ids = ['ok', 'noimage', 'nolabel', 'size', 'badvalue', 'cutpng', 'cutjpeg', 'twice'] as const;
    await writeVocFixture(root, ids.map((id) => [id, [15]] as const));
    const jpeg = (id: string) => join(root, 'JPEGImages', `${id}.jpg`);
    const png = (id: string) => join(root, 'SegmentationClass', `${id}.png`);
    await rm(jpeg('noimage'));
    await rm(png('nolabel'));
    await writeBytes(png('size'), encodeLabelPng(paintLabels([15], 8, 7)));
    const bad = paintLabels([15]);
    bad.data[3 * 8 + 2] = 37; // (x=2, y=3)
    await writeBytes(png('badvalue'), encodeLabelPng(bad));
    // Cut inside the image data: the PNG loses IEND and the end of IDAT; the JPEG keeps its headers
    // (the start-of-scan marker FFDA) but loses the end of its entropy-coded data.
    await writeBytes(png('cutpng'), truncated(await readFile(png('cutpng')), 20));
    const bigJpeg = await jpegBytes(64, 64);
    const cutJpeg = truncated(bigJpeg, Math.floor(bigJpeg.length / 5));
    expect(Buffer.from(cutJpeg).includes(Buffer.from([0xff, 0xda]))).toBe(true);
    await writeBytes(jpeg('cutjpeg'), cutJpeg);
    // Two problems in one image: a corrupt JPEG and two bad label values.
    await writeBytes(jpeg('twice'), 'not a jpeg');
    const twice = paintLabels([15]);
    twice.data[0] = 21;
    twice.data[1] = 200;
    await writeBytes(png('twice'), encodeLabelPng(twice));

    const progress: ScanProgress[] = [];
    const dataset = await openVocDataset({ root, split: 'train' });
    const { problems, index } = await scanDataset(dataset, { concurrency: 3, onProgress: (p) => progress.push(p) });

    expect(problems).toEqual([
      { id: 'noimage', file: jpeg('noimage'), problem: 'image file not found' },
      { id: 'nolabel', file: png('nolabel'), problem: 'label file not found' },
      { id: 'size', file: png('size'), problem: 'image is 8x8 but label is 8x7' },
      { id: 'badvalue', file: png('badvalue'), problem: 'label value 37 at (2,3) is no class of the dataset (0-20, 255 ignore)' },
      { id: 'cutpng', file: png('cutpng'), problem: expect.stringMatching(/^truncated or corrupt/) },
      { id: 'cutjpeg', file: jpeg('cutjpeg'), problem: expect.stringMatching(/^truncated or corrupt/) },
      { id: 'twice', file: jpeg('twice'), problem: expect.stringMatching(/^not a PNG or JPEG file/) },
      {
        id: 'twice',
        file: png('twice'),
        problem: 'label value 21 at (0,0) is no class of the dataset (0-20, 255 ignore); 2 such pixels, values 21, 200',
      },
    ]);
    // Only the image without problems is indexed; the problems travel with the index.
    expect(index.images.map((x) => x.id)).toEqual(['ok']);
    expect(index.problems).toEqual(problems);
    expect(progress.map((p) => p.done)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(progress.at(-1)).toMatchObject({ total: 8, id: 'twice', problems: 8 });
  });

  it('refuses an empty list file, naming it', async () => {
    const root = join(dir, 'empty');
    await writeVocFixture(root, [['a', [1]]]);
    const list = join(root, 'ImageSets', 'Segmentation', 'val.txt');
    await writeFile(list, '\n\n');
    const error = await openVocDataset({ root, split: 'val' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect(error).toMatchObject({ file: list, problem: 'list file is empty (no ids)' });
    expect((error as Error).message).toBe(`${list}: list file is empty (no ids)`);
  });
});

describe('labelIndexFor', () => {
  it('scans once, then loads the cache until a label file changes', async () => {
    const root = join(dir, 'cached');
    await writeVocFixture(root, [
      ['a', [1]],
      ['b', [2, 3]],
    ]);
    const dataset = await openVocDataset({ root, split: 'train' });
    const cache = join(dir, 'cache', 'index.json');

    const first = await labelIndexFor(dataset, cache);
    expect(first).toMatchObject({ fromCache: false, reason: 'no cache', problems: [] });
    expect(await loadLabelIndex(cache)).toEqual(first.index);

    const second = await labelIndexFor(dataset, cache);
    expect(second.fromCache).toBe(true);
    expect(second.index).toEqual(first.index);

    // Touch one label file: same bytes, a new mtime -> stale.
    const later = new Date(Date.now() + 60_000);
    await utimes(join(root, 'SegmentationClass', 'b.png'), later, later);
    const third = await labelIndexFor(dataset, cache);
    expect(third).toMatchObject({ fromCache: false, reason: 'stale: dataset changed' });
    expect(third.index.fingerprint).not.toBe(first.index.fingerprint);
    expect((await labelIndexFor(dataset, cache)).fromCache).toBe(true);

    // A damaged cache is rebuilt, not trusted.
    await writeFile(cache, '{"format":"something else"}');
    const fourth = await labelIndexFor(dataset, cache);
    expect(fourth.fromCache).toBe(false);
    expect(fourth.reason).toMatch(/^cache unusable: not a label index/);
    expect(fourth.index.images.map((x) => x.classes)).toEqual([[1], [2, 3]]);
  });
});
