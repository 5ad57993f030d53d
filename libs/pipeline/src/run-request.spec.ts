import { DatasetRef_Format, Method, Setting, StartRunRequest } from '@fmwiss/contracts';
import { generateRunId, resolveRunRequest, type RunDefaults } from './run-request';

const defaults: RunDefaults = {
  services: { clipMask: 'c:1', seedRefiner: 's:2', memoryBank: 'm:3', trainer: 't:4' },
  runsDir: '/runs',
  memoryPerClass: 64,
  maskConcurrency: 4,
};

const request = (more: Partial<StartRunRequest> = {}) =>
  StartRunRequest.fromPartial({
    task: { name: '15-5' },
    setting: Setting.SETTING_DISJOINT,
    trainData: { format: DatasetRef_Format.FORMAT_VOC, root: '/data/VOC2012' },
    valData: { format: DatasetRef_Format.FORMAT_VOC, root: '/data/VOC2012', listPath: 'lists/val-small.txt' },
    ...more,
  });

describe('resolveRunRequest', () => {
  it('fills every default: method, services, splits, run folder, label, concurrency, memory', () => {
    const run = resolveRunRequest(request({ services: { clipMask: 'remote:9', seedRefiner: '', memoryBank: '', trainer: '' } }), 'r1', defaults);
    expect(run).toMatchObject({
      runId: 'r1',
      runDir: '/runs/r1',
      method: 'fmwiss',
      setting: 'disjoint',
      label: 'fmwiss',
      maskConcurrency: 4,
      memoryPerClass: 64,
      maxEvalImages: 0,
      services: { clipMask: 'remote:9', seedRefiner: 's:2', memoryBank: 'm:3', trainer: 't:4' },
      trainData: { split: 'train', listPath: '' },
      valData: { split: 'val', listPath: `${process.cwd()}/lists/val-small.txt` },
    });
    expect(run.task.steps[1]).toEqual([16, 17, 18, 19, 20]);
  });

  it('takes the output_dir, the label and the method of the request', () => {
    const run = resolveRunRequest(request({ outputDir: '/elsewhere', config: { method: Method.METHOD_JOINT, label: ' upper bound ', promptTemplates: [], asppRates: [] } as never }), 'r2', defaults);
    expect(run).toMatchObject({ runDir: '/elsewhere/r2', method: 'joint', label: 'upper bound' });
  });

  it('builds a custom task from steps, in the COCO class space for a COCO dataset', () => {
    const coco = request({ task: { name: '', steps: [{ classIds: [3, 1] }, { classIds: [44] }] }, trainData: { format: DatasetRef_Format.FORMAT_COCO, root: '/coco', listPath: '', listSha256: '', split: 'train2017' } });
    expect(resolveRunRequest(coco, 'r3', defaults).task).toEqual({ name: 'custom', classSpace: 'coco', steps: [[3, 1], [44]] });
  });

  it('refuses "." and ".." as run ids (they name folders)', () => {
    expect(() => resolveRunRequest(request(), '..', defaults)).toThrow(/^run_id: "\.\." must be 1 to 128 characters/);
  });
});

describe('generateRunId', () => {
  it('is run-<UTC date>-<time>-<6 hex>', () => {
    expect(generateRunId(new Date('2026-03-04T05:06:07.890Z'), () => 0.5)).toBe('run-20260304-050607-7fffff');
  });
});
