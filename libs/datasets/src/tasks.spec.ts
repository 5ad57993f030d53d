import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, removeTempDir } from '../test/fixtures';
import { COCO_CATEGORIES, VOC_COCO_IDS } from './classes';
import { DatasetError, TaskError } from './errors';
import { loadCustomTask, newClasses, oldClasses, seenClasses, TASK_NAMES, taskByName, validateTask } from './tasks';

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const VOC_IDS = range(0, 20);

describe('protocol tasks', () => {
  it('defines every task of the protocol', () => {
    expect(TASK_NAMES).toEqual(['15-5', '15-1', '10-10', '19-1', '10-5', '10-2', 'coco-to-voc']);
    expect(taskByName('15-5').steps).toEqual([range(1, 15), range(16, 20)]);
    expect(taskByName('15-1').steps).toEqual([range(1, 15), [16], [17], [18], [19], [20]]);
    expect(taskByName('10-10').steps).toEqual([range(1, 10), range(11, 20)]);
    expect(taskByName('19-1').steps).toEqual([range(1, 19), [20]]);
    expect(taskByName('10-5').steps).toEqual([range(1, 10), range(11, 15), range(16, 20)]);
    expect(taskByName('10-2').steps).toEqual([range(1, 10), [11, 12], [13, 14], [15, 16], [17, 18], [19, 20]]);
    for (const name of TASK_NAMES.slice(0, 6)) {
      expect(taskByName(name).classSpace).toBe('voc');
      expect(() => validateTask(taskByName(name), VOC_IDS)).not.toThrow();
    }
  });

  it('defines coco-to-voc: 60 non-VOC COCO ids, then the 20 VOC ones', () => {
    const task = taskByName('coco-to-voc');
    expect(task.classSpace).toBe('coco');
    expect(task.steps[0]).toHaveLength(60);
    expect(task.steps[1]).toEqual([1, 2, 3, 4, 5, 6, 7, 9, 16, 17, 18, 19, 20, 21, 44, 62, 63, 64, 67, 72]);
    expect(task.steps[0].some((id) => VOC_COCO_IDS.includes(id))).toBe(false);
    const cocoIds = [0, ...COCO_CATEGORIES.map((c) => c.id)];
    expect(() => validateTask(task, cocoIds)).not.toThrow();
    expect(() => validateTask(task, VOC_IDS)).toThrow(TaskError);
  });

  it('lists the known names for an unknown task', () => {
    expect(() => taskByName('15-4')).toThrow('unknown task "15-4"; known tasks: 15-5, 15-1, 10-10, 19-1, 10-5, 10-2, coco-to-voc');
  });

  it('gives seen, old and new classes of a step', () => {
    const task = taskByName('10-5');
    expect(seenClasses(task, 0)).toEqual(range(0, 10));
    expect(oldClasses(task, 0)).toEqual([]);
    expect(newClasses(task, 0)).toEqual(range(1, 10));
    expect(seenClasses(task, 2)).toEqual(range(0, 20));
    expect(oldClasses(task, 2)).toEqual(range(1, 15));
    expect(newClasses(task, 2)).toEqual(range(16, 20));
    expect(() => newClasses(task, 3)).toThrow(RangeError);
  });
});

describe('validateTask', () => {
  it('reports every problem at once', () => {
    const bad = { name: 'bad', classSpace: 'voc' as const, steps: [[0, 1, 2], [], [2, 3, 3, 255, 21, 30]] };
    const error = (() => {
      try {
        validateTask(bad, VOC_IDS);
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(TaskError);
    expect((error as TaskError).details).toEqual([
      'step 0: 0 is the background, learned implicitly at step 0; do not list it',
      'step 1 has no classes',
      'class 2 is in step 0 and step 2',
      'step 2: class 3 is listed twice',
      'step 2: 255 is the ignore value, not a class',
      'class(es) 21, 30 not in the dataset (classes 0-20)',
    ]);
    expect(() => validateTask({ name: 'none', classSpace: 'voc', steps: [] }, VOC_IDS)).toThrow(/the task has no steps/);
  });
});

describe('loadCustomTask', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir();
  });
  afterAll(() => removeTempDir(dir));

  it('reads a custom task file', async () => {
    const path = join(dir, 'task.json');
    await writeFile(path, JSON.stringify({ name: '3-3', steps: [[1, 2, 3], [4, 5], [6]] }));
    expect(await loadCustomTask(path)).toEqual({ name: '3-3', classSpace: 'voc', steps: [[1, 2, 3], [4, 5], [6]] });
  });

  it('names the file and its problems', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, JSON.stringify({ name: 'x', steps: [[1, 2], [2.5]] }));
    await expect(loadCustomTask(path)).rejects.toThrow(DatasetError);
    await expect(loadCustomTask(path)).rejects.toMatchObject({ file: path, details: ['steps.1.0: must be an integer class id'] });
    await writeFile(path, JSON.stringify({ name: 'x', steps: [[1, 2], [2, 0]] }));
    await expect(loadCustomTask(path)).rejects.toMatchObject({ details: [expect.stringMatching(/^class 2 is in step 0 and step 1/), expect.stringMatching(/^step 1: 0 is the background/)] });
    await expect(loadCustomTask(join(dir, 'none.json'))).rejects.toThrow(/none\.json: task file not found/);
  });
});
