import { encodeGrayPng } from '@fmwiss/imaging';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, paintLabels, removeTempDir, writeBytes, writeVocFixture } from '../test/fixtures';
import { idOfListLine } from './list-file';
import { openVocDataset } from './voc';

let dir: string;
let root: string;

beforeAll(async () => {
  dir = await makeTempDir();
  root = join(dir, 'VOC2012');
  await writeVocFixture(root, [
    ['2007_000032', [1]],
    ['2007_000033', [15, 16]],
    ['2008_000001', [20]],
  ]);
  // SegmentationClassAug (grayscale PNGs) holds two of the three ids, with different content.
  await writeBytes(join(root, 'SegmentationClassAug', '2007_000032.png'), encodeGrayPng(paintLabels([2])));
  await writeBytes(join(root, 'SegmentationClassAug', '2008_000001.png'), encodeGrayPng(paintLabels([19])));
  await writeBytes(
    join(dir, 'train_aug.txt'),
    '/JPEGImages/2008_000001.jpg /SegmentationClassAug/2008_000001.png\n/JPEGImages/2007_000032.jpg /SegmentationClassAug/2007_000032.png\n',
  );
});
afterAll(() => removeTempDir(dir));

const classesOf = async (labels: Promise<{ data: Uint8Array }>) => [...new Set((await labels).data)].sort((a, b) => a - b);

describe('openVocDataset', () => {
  it('reads a split in list order with the 21 VOC classes', async () => {
    const voc = await openVocDataset({ root, split: 'train', labels: 'SegmentationClass' });
    expect(voc.name).toBe('voc2012-train');
    expect(voc.ids).toEqual(['2007_000032', '2007_000033', '2008_000001']);
    expect(voc.classes).toHaveLength(21);
    expect(voc.imagePath('2007_000033')).toBe(join(root, 'JPEGImages', '2007_000033.jpg'));
    const sample = await voc.read('2007_000033');
    expect(sample.image).toMatchObject({ width: 8, height: 8 });
    expect(await classesOf(Promise.resolve(sample.labels))).toEqual([0, 15, 16, 255]);
    expect(() => voc.labelPath('nope')).toThrow(/no image "nope"/);
  });

  it("'auto' takes SegmentationClassAug where it holds the id, else SegmentationClass", async () => {
    const voc = await openVocDataset({ root, split: 'train' });
    expect(voc.labelPath('2007_000032')).toBe(join(root, 'SegmentationClassAug', '2007_000032.png'));
    expect(voc.labelPath('2007_000033')).toBe(join(root, 'SegmentationClass', '2007_000033.png'));
    expect(await classesOf(voc.readLabels('2007_000032'))).toEqual([0, 2, 255]);
  });

  it('reads a train_aug.txt list of path pairs', async () => {
    const voc = await openVocDataset({ root, split: 'train_aug', listPath: join(dir, 'train_aug.txt'), labels: 'SegmentationClassAug' });
    expect(voc.ids).toEqual(['2008_000001', '2007_000032']);
    expect(await classesOf(voc.readLabels('2008_000001'))).toEqual([0, 19, 255]);
  });

  it('parses list lines', () => {
    expect(idOfListLine('2007_000032')).toBe('2007_000032');
    expect(idOfListLine('  2007_000032  \r')).toBe('2007_000032');
    expect(idOfListLine('JPEGImages/2007_000032.jpg SegmentationClassAug/2007_000032.png')).toBe('2007_000032');
  });

  it('names the file and the problem when it cannot open', async () => {
    await expect(openVocDataset({ root: join(dir, 'nothing'), split: 'train' })).rejects.toThrow(
      `${join(dir, 'nothing')}: VOC2012 folder not found`,
    );
    const missingList = join(root, 'ImageSets', 'Segmentation', 'val.txt');
    await expect(openVocDataset({ root, split: 'val' })).rejects.toMatchObject({ file: missingList, problem: 'list file not found' });
    await expect(openVocDataset({ root, split: '../x' })).rejects.toThrow(/split "\.\.\/x" is not a list name/);

    const duplicated = join(dir, 'dup.txt');
    await writeFile(duplicated, 'a\nb\na\n\nb\na\nc\n');
    await expect(openVocDataset({ root, split: 'dup', listPath: duplicated })).rejects.toMatchObject({
      file: duplicated,
      problem: '2 duplicate id(s) in list file',
      details: ['"a" on lines 1, 3, 6', '"b" on lines 2, 5'],
    });

    const noAug = join(dir, 'noaug');
    await writeVocFixture(noAug, [['x', [1]]]);
    await expect(openVocDataset({ root: noAug, split: 'train', labels: 'SegmentationClassAug' })).rejects.toThrow(
      `${join(noAug, 'SegmentationClassAug')}: label folder not found`,
    );
    await rm(join(noAug, 'JPEGImages'), { recursive: true });
    await expect(openVocDataset({ root: noAug, split: 'train' })).rejects.toThrow(`${join(noAug, 'JPEGImages')}: image folder not found`);
  });

  it('refuses to read a sample whose image and label sizes differ', async () => {
    const odd = join(dir, 'odd');
    await writeVocFixture(odd, [['x', [1]]]);
    await writeBytes(join(odd, 'SegmentationClass', 'x.png'), encodeGrayPng(paintLabels([1], 8, 6)));
    const voc = await openVocDataset({ root: odd, split: 'train' });
    await expect(voc.read('x')).rejects.toThrow(`${join(odd, 'SegmentationClass', 'x.png')}: image is 8x8 but label is 8x6`);
  });
});
