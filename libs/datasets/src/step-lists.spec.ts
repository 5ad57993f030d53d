import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, removeTempDir, writeVocFixture } from '../test/fixtures';
import { openVocDataset } from './voc';
import { scanDataset } from './scan';
import type { LabelIndex } from './label-index';
import { readStepList, readTaskStepList, sha256Hex, stepCounts, stepImageIds, writeStepList, writeTaskLists } from './step-lists';
import { taskByName, type TaskDefinition } from './tasks';
import { imageLevelLabels } from './weak-labels';

// A "3-3"-style custom task on classes 1..6: step 0 learns 1, 2, 3; step 1 learns 4, 5; step 2 learns 6.
const TASK_333: TaskDefinition = { name: '3-3-custom', classSpace: 'voc', steps: [[1, 2, 3], [4, 5], [6]] };

// The list file's order (deliberately not alphabetical): every expected list follows it.
const IMAGES_333 = [
  ['k', [3]],
  ['a', [1]],
  ['b', [1, 2]],
  ['c', [3, 4]],
  ['d', [4]],
  ['e', [5, 6]],
  ['f', [6]],
  ['g', []],
  ['h', [2, 6]],
  ['i', [1, 4, 6]],
  ['j', []],
  ['l', [5]],
] as const;

// The real 15-5 task: step 0 = 1..15, step 1 = 16..20.
const IMAGES_155 = [
  ['p15', [15]],
  ['p15_16', [15, 16]],
  ['p16', [16]],
  ['m3_17_20', [3, 17, 20]],
  ['t19', [19]],
  ['bg', []],
  ['ab', [1, 2]],
] as const;

let dir: string;
let index333: LabelIndex;
let index155: LabelIndex;

beforeAll(async () => {
  dir = await makeTempDir();
  await writeVocFixture(join(dir, 'voc333'), IMAGES_333);
  await writeVocFixture(join(dir, 'voc155'), IMAGES_155);
  const a = await scanDataset(await openVocDataset({ root: join(dir, 'voc333'), split: 'train' }));
  const b = await scanDataset(await openVocDataset({ root: join(dir, 'voc155'), split: 'train' }));
  expect(a.problems).toEqual([]);
  expect(b.problems).toEqual([]);
  index333 = a.index;
  index155 = b.index;
});

afterAll(() => removeTempDir(dir));

describe('stepImageIds on the 3-3 task', () => {
  it('indexes L(x) of every image, 0 and 255 excluded', () => {
    expect(index333.images.map((x) => [x.id, x.classes])).toEqual(IMAGES_333.map(([id, classes]) => [id, [...classes]]));
  });

  it('step 0 (new = 1, 2, 3): overlap keeps images with future classes, disjoint drops them', () => {
    // k {3}: new class 3, nothing else              -> overlap yes, disjoint yes
    // a {1}, b {1,2}: only step-0 classes           -> overlap yes, disjoint yes
    // c {3,4}: 3 is new, 4 is future (step 1)       -> overlap yes, disjoint NO
    // d {4}, e {5,6}, f {6}, l {5}: no class of step 0 -> out of both
    // g {}, j {}: background (and 255) only          -> out of both
    // h {2,6}: 2 is new, 6 is future (step 2)       -> overlap yes, disjoint NO
    // i {1,4,6}: 1 is new, 4 and 6 are future       -> overlap yes, disjoint NO
    expect(stepImageIds(index333, TASK_333, 0, 'overlap')).toEqual(['k', 'a', 'b', 'c', 'h', 'i']);
    expect(stepImageIds(index333, TASK_333, 0, 'disjoint')).toEqual(['k', 'a', 'b']);
  });

  it('step 1 (old = 1, 2, 3; new = 4, 5)', () => {
    // c {3,4}: 4 new, 3 old                         -> overlap yes, disjoint yes (also in step 0's overlap list)
    // d {4}, l {5}: new only                        -> overlap yes, disjoint yes
    // e {5,6}: 5 new, 6 future                      -> overlap yes, disjoint NO
    // i {1,4,6}: 4 new, 1 old, 6 future             -> overlap yes, disjoint NO
    // k, a, b: old classes only; f {6}, h {2,6}: no class of step 1; g, j: none
    expect(stepImageIds(index333, TASK_333, 1, 'overlap')).toEqual(['c', 'd', 'e', 'i', 'l']);
    expect(stepImageIds(index333, TASK_333, 1, 'disjoint')).toEqual(['c', 'd', 'l']);
  });

  it('step 2 (old = 1..5; new = 6): nothing is future at the last step, so both settings agree', () => {
    // e {5,6}, f {6}, h {2,6}, i {1,4,6}: hold 6, everything else old -> in both
    expect(stepImageIds(index333, TASK_333, 2, 'overlap')).toEqual(['e', 'f', 'h', 'i']);
    expect(stepImageIds(index333, TASK_333, 2, 'disjoint')).toEqual(['e', 'f', 'h', 'i']);
  });

  it('puts an image in several steps under overlap', () => {
    // i {1,4,6} has a class of every step: it is in all three overlap lists, but only in step 2's disjoint list.
    const overlap = [0, 1, 2].map((t) => stepImageIds(index333, TASK_333, t, 'overlap').includes('i'));
    const disjoint = [0, 1, 2].map((t) => stepImageIds(index333, TASK_333, t, 'disjoint').includes('i'));
    expect(overlap).toEqual([true, true, true]);
    expect(disjoint).toEqual([false, false, true]);
  });

  it('counts every step in both settings', () => {
    expect(stepCounts(index333, TASK_333)).toEqual([
      { step: 0, classIds: [1, 2, 3], overlap: 6, disjoint: 3 },
      { step: 1, classIds: [4, 5], overlap: 5, disjoint: 3 },
      { step: 2, classIds: [6], overlap: 4, disjoint: 4 },
    ]);
  });

  it('gives the image-level labels L(x) ∩ new', () => {
    expect(imageLevelLabels(index333, 'i', [4, 5])).toEqual([4]);
    expect(imageLevelLabels(index333, 'i', [6])).toEqual([6]);
    expect(imageLevelLabels(index333, 'e', [4, 5])).toEqual([5]);
    expect(imageLevelLabels(index333, 'e', [6, 5])).toEqual([5, 6]);
    expect(imageLevelLabels(index333, 'g', [4, 5])).toEqual([]);
    expect(() => imageLevelLabels(index333, 'zzz', [4])).toThrow(/no image "zzz"/);
  });

  it('refuses a step outside the task and an unknown setting', () => {
    expect(() => stepImageIds(index333, TASK_333, 3, 'overlap')).toThrow(/steps 0\.\.2, got step 3/);
    expect(() => stepImageIds(index333, TASK_333, 0, 'both' as 'overlap')).toThrow(/overlap or disjoint/);
  });
});

describe('stepImageIds on the real 15-5 task', () => {
  const task = taskByName('15-5');

  it('step 0 (new = 1..15)', () => {
    // p15 {15}: base class only                     -> overlap yes, disjoint yes
    // p15_16 {15,16}: 15 new, 16 future             -> overlap yes, disjoint NO
    // p16 {16}, t19 {19}: future classes only       -> out of both
    // m3_17_20 {3,17,20}: 3 new, 17 and 20 future   -> overlap yes, disjoint NO
    // bg {}: background only                        -> out of both
    // ab {1,2}: base classes only                   -> overlap yes, disjoint yes
    expect(stepImageIds(index155, task, 0, 'overlap')).toEqual(['p15', 'p15_16', 'm3_17_20', 'ab']);
    expect(stepImageIds(index155, task, 0, 'disjoint')).toEqual(['p15', 'ab']);
  });

  it('step 1 (old = 1..15, new = 16..20): the same list in both settings', () => {
    // p15_16 {15,16}: 16 new, 15 old; p16 {16}; m3_17_20: 17, 20 new, 3 old; t19 {19} -> in both
    // p15, ab: old classes only; bg: none          -> out of both
    const expected = ['p15_16', 'p16', 'm3_17_20', 't19'];
    expect(stepImageIds(index155, task, 1, 'overlap')).toEqual(expected);
    expect(stepImageIds(index155, task, 1, 'disjoint')).toEqual(expected);
  });

  it('gives weak labels of step 1', () => {
    expect(imageLevelLabels(index155, 'm3_17_20', [16, 17, 18, 19, 20])).toEqual([17, 20]);
    expect(imageLevelLabels(index155, 'p15_16', [16, 17, 18, 19, 20])).toEqual([16]);
  });

  it('counts pixels per image and per class', () => {
    const entry = index155.images.find((x) => x.id === 'm3_17_20');
    // 8x8: rows 1-3 hold 3, 17, 20 (8 pixels each), pixel (7,7) is 255, the other 39 are background.
    expect(entry).toMatchObject({ width: 8, height: 8, ignored: 1, pixels: { 0: 39, 3: 8, 17: 8, 20: 8 } });
    const stat = (id: number) => index155.classStats.find((s) => s.id === id);
    expect(stat(15)).toMatchObject({ pixels: 16, images: 2 });
    expect(stat(16)).toMatchObject({ pixels: 16, images: 2 });
    expect(stat(18)).toMatchObject({ pixels: 0, images: 0, frequency: 0 });
    expect(stat(0)?.images).toBe(7);
    // 7 images of 63 labelled pixels each.
    expect(stat(15)?.frequency).toBeCloseTo(16 / (7 * 63), 12);
  });
});

describe('step list files', () => {
  it('writes one id per line with a trailing newline, and its sha256', async () => {
    const path = join(dir, 'lists', 'one.txt');
    const written = await writeStepList(path, ['a', 'b']);
    expect(await readFile(path, 'utf8')).toBe('a\nb\n');
    expect(written).toEqual({ path, sha256: sha256Hex('a\nb\n'), count: 2 });
    expect(await readStepList(path, written.sha256)).toEqual({ ids: ['a', 'b'], sha256: written.sha256 });
  });

  it('refuses a list that changed since it was written', async () => {
    const path = join(dir, 'lists', 'two.txt');
    const { sha256 } = await writeStepList(path, ['a', 'b']);
    await writeFile(path, 'a\nb\nc\n');
    await expect(readStepList(path, sha256)).rejects.toThrow(/two\.txt: step list changed since it was written/);
    await expect(readStepList(path)).resolves.toMatchObject({ ids: ['a', 'b', 'c'] });
  });

  it('writes an empty list as an empty file', async () => {
    const written = await writeStepList(join(dir, 'lists', 'empty.txt'), []);
    expect(written.count).toBe(0);
    expect(await readFile(written.path, 'utf8')).toBe('');
  });

  it('writes a task folder: step-<t>.txt for every step and lists.json', async () => {
    const out = join(dir, 'task-333-disjoint');
    const summary = await writeTaskLists(out, index333, TASK_333, 'disjoint');
    expect(summary.steps.map((s) => [s.step, s.file, s.classes, s.count])).toEqual([
      [0, 'step-0.txt', [1, 2, 3], 3],
      [1, 'step-1.txt', [4, 5], 3],
      [2, 'step-2.txt', [6], 4],
    ]);
    expect(await readFile(join(out, 'step-1.txt'), 'utf8')).toBe('c\nd\nl\n');
    const onDisk = JSON.parse(await readFile(join(out, 'lists.json'), 'utf8'));
    expect(onDisk).toMatchObject({ setting: 'disjoint', task: { name: '3-3-custom', steps: [[1, 2, 3], [4, 5], [6]] } });
    expect(onDisk.steps[2].sha256).toBe(sha256Hex('e\nf\nh\ni\n'));
    await expect(readTaskStepList(out, 2)).resolves.toMatchObject({ ids: ['e', 'f', 'h', 'i'] });
    await writeFile(join(out, 'step-2.txt'), 'e\n');
    await expect(readTaskStepList(out, 2)).rejects.toThrow(/step-2\.txt: step list changed/);
  });
});
