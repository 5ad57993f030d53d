import type { LabelImage } from '@fmwiss/imaging';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, removeTempDir, writeCocoFixture } from '../test/fixtures';
import { openCocoDataset } from './coco';
import { scanDataset } from './scan';

// 4x2 COCO label maps (values = COCO category ids):
//   A: 1 person | 44 bottle | 90 toothbrush (no VOC class) | 255      row 0
//      0        | 62 chair  | 13 stop sign  (no VOC class) | 0        row 1
//   B: all 0 except one pixel of 12, which is no COCO category id
const A: LabelImage = { width: 4, height: 2, data: Uint8Array.from([1, 44, 90, 255, 0, 62, 13, 0]) };
const B: LabelImage = { width: 4, height: 2, data: Uint8Array.from([0, 0, 0, 0, 0, 12, 0, 0]) };

let root: string;
beforeAll(async () => {
  root = await makeTempDir();
  await writeCocoFixture(root, 'val2017', [
    ['000000000285', A],
    ['000000000139', A],
  ]);
  await writeCocoFixture(root, 'train2017', [
    ['000000000009', A],
    ['000000000025', B],
  ]);
  await writeFile(join(root, 'train2017.txt'), '000000000025\n000000000009\n');
});
afterAll(() => removeTempDir(root));

describe('openCocoDataset', () => {
  it("keeps COCO ids in the 'coco' label space", async () => {
    const coco = await openCocoDataset({ root, split: 'val2017', labelSpace: 'coco' });
    // No val2017.txt: every PNG of annotations/val2017, sorted.
    expect(coco.ids).toEqual(['000000000139', '000000000285']);
    expect(coco.name).toBe('coco-val2017-coco');
    expect(coco.classes).toHaveLength(81);
    expect(coco.classes.find((c) => c.id === 90)?.name).toBe('toothbrush');
    expect([...(await coco.readLabels('000000000139')).data]).toEqual([...A.data]);
    expect(coco.imagePath('000000000139')).toBe(join(root, 'images', 'val2017', '000000000139.jpg'));
  });

  it("maps the 20 VOC categories to VOC ids and the others to background in the 'voc' label space", async () => {
    const voc = await openCocoDataset({ root, split: 'val2017', labelSpace: 'voc' });
    expect(voc.classes.map((c) => c.name)).toContain('tvmonitor');
    expect(voc.classes).toHaveLength(21);
    const sample = await voc.read('000000000285');
    // person 1 -> 15, bottle 44 -> 5, toothbrush 90 -> 0, 255 stays; chair 62 -> 9, stop sign 13 -> 0.
    expect([...sample.labels.data]).toEqual([15, 5, 0, 255, 0, 9, 0, 0]);
  });

  it('reports a value that is no COCO category in both label spaces', async () => {
    const file = join(root, 'annotations', 'train2017', '000000000025.png');
    const voc = await openCocoDataset({ root, split: 'train2017', labelSpace: 'voc' });
    expect(voc.ids).toEqual(['000000000025', '000000000009']); // the list file's order
    const inVoc = await scanDataset(voc);
    expect(inVoc.problems).toEqual([
      { id: '000000000025', file, problem: expect.stringMatching(/^label value 12 at \(1,1\) is no COCO category id \(0-11, 13-25, 27, 28,/) },
    ]);
    expect(inVoc.index.images.map((x) => [x.id, x.classes])).toEqual([['000000000009', [5, 9, 15]]]);

    const inCoco = await scanDataset(await openCocoDataset({ root, split: 'train2017', labelSpace: 'coco' }));
    expect(inCoco.problems).toEqual([{ id: '000000000025', file, problem: expect.stringMatching(/^label value 12 at \(1,1\) is no class of the dataset/) }]);
    expect(inCoco.index.images[0].classes).toEqual([1, 13, 44, 62, 90]);
  });

  it('names a missing folder', async () => {
    await expect(openCocoDataset({ root, split: 'test2017', labelSpace: 'coco' })).rejects.toThrow(
      `${join(root, 'images', 'test2017')}: image folder not found`,
    );
  });
});
