import { DEFAULT_MODEL_CONFIG, resolveModelConfig, type ModelConfig } from './config';
import { ModelError } from './errors';
import { countFlops, featureSize, groupsFor, planConvs, planStudent } from './plan';

const TINY: ModelConfig = { imageSize: 16, encoderWidth: 4, outputStride: 8, asppRates: [1, 2], asppChannels: 8, embeddingDim: 4 };

describe('countFlops', () => {
  it('counts the MACs of a tiny student by hand', () => {
    // 16 px, w = 4, stride 8, rates [1, 2], ASPP 8 channels, 3 classes; MACs = h*w*k*k*in*out per image:
    //   stem 8x8, 3x3, 3->4:                 64 * 108  =  6912
    //   stage1 down 4x4, 4->4:               16 * 144  =  2304;  block 2 x 2304       =  4608
    //   stage2 down 2x2, 4->8:                4 * 288  =  1152;  block 2 x 4*576      =  4608
    //   stage3 (dilated) 2x2, 8->16:          4 * 1152 =  4608;  block 2 x 4*2304     = 18432
    //   encoder                                                                        = 42624
    //   ASPP 1x1 16->8: 4*128 = 512; rates 1, 2: 2 x 4*1152 = 9216; pool 1x1: 128;
    //   project 32->8: 4*256 = 1024                                                    = 10880
    //   classifier 8->3: 4*24                                                          =    96
    //   total 53600 per image; batch 2: 107200 MACs = 214400 FLOPs
    const report = countFlops(TINY, 2, 3);
    expect(report.featureSize).toEqual([2, 2]);
    expect(report.student.macs).toBe(107200);
    expect(report.student.gflops).toBeCloseTo(214400 / 1e9, 12);
  });

  it('pins the default model: 2.15 GFLOP student, 0.83 GFLOP teacher per batch-8 pass at 128 px', () => {
    const report = countFlops(DEFAULT_MODEL_CONFIG, 8);
    expect(report.featureSize).toEqual([16, 16]);
    expect(report.student.gflops).toBeCloseTo(2.153, 3);
    expect(report.student.params).toBe(477181);
    expect(report.teacher.gflops).toBeCloseTo(0.828, 3);
    expect(report.teacher.params).toBe(209045);
  });

  it('rejects a bad batch and bad configs', () => {
    expect(() => countFlops(TINY, 0)).toThrow(ModelError);
    expect(() => resolveModelConfig({ ...TINY, outputStride: 32 as 8 })).toThrow(ModelError);
    expect(() => resolveModelConfig({ ...TINY, asppRates: [1, 0] })).toThrow(ModelError);
    expect(() => resolveModelConfig({ ...TINY, encoderWidth: 2.5 })).toThrow(ModelError);
  });
});

describe('plan', () => {
  it.each([
    [4, [4, 4]],
    [8, [2, 2]],
    [16, [1, 1]],
  ] as const)('outputStride %i gives %j features on 16 px images', (outputStride, size) => {
    expect(featureSize({ ...TINY, outputStride })).toEqual(size);
  });

  it('turns strides into dilations past the output stride (DeepLab)', () => {
    const stages = (os: 4 | 8 | 16) => planStudent(resolveModelConfig({ ...TINY, outputStride: os }), 3).encoder.stages.map((s) => [s.down.stride, s.down.dilation]);
    expect(stages(16)).toEqual([[2, 1], [2, 1], [2, 1]]);
    expect(stages(8)).toEqual([[2, 1], [2, 1], [1, 2]]);
    expect(stages(4)).toEqual([[2, 1], [1, 2], [1, 4]]);
  });

  it('gives every conv a unique stable name and GroupNorm groups that divide its channels', () => {
    const convs = planConvs(planStudent(resolveModelConfig(DEFAULT_MODEL_CONFIG), 21));
    expect(new Set(convs.map((c) => c.name)).size).toBe(convs.length);
    for (const c of convs) if (c.norm != null) expect(c.outChannels % c.groups).toBe(0);
    expect(groupsFor(24, 8)).toBe(8);
    expect(groupsFor(20, 8)).toBe(5);
    expect(groupsFor(7, 8)).toBe(7);
    expect(groupsFor(13, 8)).toBe(1);
  });
});
