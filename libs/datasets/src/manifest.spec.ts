import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeLabelPng } from '@fmwiss/imaging';
import { jpegBytes, makeTempDir, paintLabels, removeTempDir, writeBytes } from '../test/fixtures';
import { DatasetError } from './errors';
import { openManifestDataset } from './manifest';
import { scanDataset } from './scan';

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir();
  const jpeg = await jpegBytes();
  for (const id of ['a', 'b', 'c']) {
    await writeBytes(join(dir, 'images', `${id}.jpg`), jpeg);
    await writeBytes(join(dir, 'labels', `${id}.png`), encodeLabelPng(paintLabels(id === 'c' ? [7] : [1, 2])));
  }
});
afterAll(() => removeTempDir(dir));

async function writeManifest(name: string, value: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return path;
}

const sample = (id: string) => ({ id, image: `images/${id}.jpg`, labels: `labels/${id}.png` });

describe('openManifestDataset', () => {
  it('opens a split with paths relative to the manifest and background added', async () => {
    const path = await writeManifest('ok.json', {
      name: 'pets',
      classes: [
        { id: 2, name: 'dog' },
        { id: 1, name: 'cat', promptName: 'house cat' },
      ],
      splits: { train: [sample('b'), sample('a')], val: [sample('c')] },
    });
    const pets = await openManifestDataset(path, { split: 'train' });
    expect(pets.name).toBe('pets');
    expect(pets.root).toBe(dir);
    expect(pets.ids).toEqual(['b', 'a']);
    expect(pets.classes).toEqual([
      { id: 0, name: 'background', promptName: 'background' },
      { id: 1, name: 'cat', promptName: 'house cat' },
      { id: 2, name: 'dog', promptName: 'dog' },
    ]);
    expect(pets.labelPath('a')).toBe(join(dir, 'labels', 'a.png'));
    const { problems, index } = await scanDataset(pets);
    expect(problems).toEqual([]);
    expect(index.images.map((x) => x.classes)).toEqual([[1, 2], [1, 2]]);

    const val = await scanDataset(await openManifestDataset(path, { split: 'val' }));
    expect(val.problems).toEqual([
      { id: 'c', file: join(dir, 'labels', 'c.png'), problem: 'label value 7 at (0,1) is no class of the dataset (0-2, 255 ignore); 8 such pixels, values 7' },
    ]);
    await expect(openManifestDataset(path, { split: 'test' })).rejects.toThrow('manifest has no split "test" (splits: train, val)');
  });

  it('reports every problem of a manifest at once', async () => {
    const path = await writeManifest('bad.json', {
      name: 'pets',
      classes: [{ id: 0, name: 'cat' }, { id: 2 }],
      splits: { train: [{ id: 'a', image: 'images/a.jpg' }] },
    });
    const error = (await openManifestDataset(path, { split: 'train' }).catch((e: unknown) => e)) as DatasetError;
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.file).toBe(path);
    expect(error.problem).toBe('manifest has 3 problem(s)');
    expect(error.details).toEqual([
      'classes[0].id: must be 1..254 (0 is the background, added automatically)',
      expect.stringMatching(/^classes\[1\]\.name: /),
      expect.stringMatching(/^splits\.train\[0\]\.labels: /),
    ]);
    expect(error.message).toContain('  - classes[0].id: must be 1..254');
  });

  it('reports duplicates and JSON syntax errors', async () => {
    const dup = await writeManifest('dup.json', {
      name: 'x',
      classes: [
        { id: 1, name: 'cat' },
        { id: 1, name: 'cat' },
      ],
      splits: { train: [sample('a'), sample('a')] },
    });
    await expect(openManifestDataset(dup, { split: 'train' })).rejects.toMatchObject({
      details: [
        'classes[1].id: 1 is also the id of classes[0]',
        'classes[1].name: "cat" is also the name of classes[0]',
        'splits.train[1].id: "a" is also the id of splits.train[0]',
      ],
    });
    const broken = await writeManifest('broken.json', '{ "name": ');
    await expect(openManifestDataset(broken, { split: 'train' })).rejects.toThrow(/broken\.json: manifest is not valid JSON/);
    await expect(openManifestDataset(join(dir, 'none.json'), { split: 'train' })).rejects.toThrow(/none\.json: manifest not found/);
  });
});
