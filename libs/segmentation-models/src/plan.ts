import { encoderChannels, resolveModelConfig, type ModelConfig, type ResolvedModelConfig } from './config';
import { ModelError } from './errors';

/**
 * One convolution of the architecture: its weight names, its shape and where it sits. Model creation
 * makes the weights from these specs, the forward pass reads them by name, and `countFlops` sums them,
 * so the three cannot disagree.
 */
export interface ConvSpec {
  /** Weight prefix: `${name}/kernel` [k,k,in,out] and, with `bias`, `${name}/bias` [out]. */
  name: string;
  kernelSize: 1 | 3;
  inChannels: number;
  outChannels: number;
  stride: 1 | 2;
  dilation: number;
  bias: boolean;
  /** GroupNorm after the conv: weight prefix (`${norm}/gamma`, `${norm}/beta`, [out]) or null. */
  norm: string | null;
  /** GroupNorm groups (0 without norm). */
  groups: number;
  /** 'he': He-normal, std sqrt(2 / (k*k*in)); 'small': normal, std 0.01 (classifier rows). */
  init: 'he' | 'small';
  /** Output [h, w] at `config.imageSize` (1x1 for the image-pooling branch). */
  outSize: [number, number];
}

export interface StagePlan {
  /** First conv of the stage: stride 2, or stride 1 with dilation when the output stride is reached. */
  down: ConvSpec;
  /** Residual blocks: x + GN(conv2(relu(GN(conv1(x))))), then relu. */
  blocks: { conv1: ConvSpec; conv2: ConvSpec }[];
}

export interface EncoderPlan {
  stem: ConvSpec;
  stages: StagePlan[];
}

export interface AsppPlan {
  /** The 1x1 branch first, then one 3x3 branch per rate. */
  branches: ConvSpec[];
  /** Image pooling: global average, 1x1 conv with bias, relu, broadcast back. */
  pool: ConvSpec;
  /** 1x1 projection of the concatenated branches. */
  project: ConvSpec;
}

export interface StudentPlan {
  encoder: EncoderPlan;
  aspp: AsppPlan;
  classifier: ConvSpec;
}

export interface TeacherPlan {
  aspp: AsppPlan;
  classifier: ConvSpec;
  /** 1x1 conv + relu, then 1x1 conv to `embeddingDim`. */
  embedding: [ConvSpec, ConvSpec];
}

/** The largest divisor of `channels` not above `maxGroups`. */
export function groupsFor(channels: number, maxGroups: number): number {
  for (let g = Math.min(channels, maxGroups); g > 1; g--) if (channels % g === 0) return g;
  return 1;
}

function conv(
  config: ResolvedModelConfig,
  name: string,
  kernelSize: 1 | 3,
  inChannels: number,
  outChannels: number,
  outSize: [number, number],
  options: { stride?: 1 | 2; dilation?: number; norm?: string | null; bias?: boolean; init?: 'he' | 'small' } = {},
): ConvSpec {
  const norm = options.norm ?? null;
  return {
    name,
    kernelSize,
    inChannels,
    outChannels,
    stride: options.stride ?? 1,
    dilation: options.dilation ?? 1,
    bias: options.bias ?? false,
    norm,
    groups: norm == null ? 0 : groupsFor(outChannels, config.normGroups),
    init: options.init ?? 'he',
    outSize,
  };
}

const half = ([h, w]: [number, number]): [number, number] => [Math.ceil(h / 2), Math.ceil(w / 2)];

/** Stem (stride 2) and three stages of w, 2w, 4w channels; strides turn into dilations past `outputStride`. */
export function planEncoder(config: ResolvedModelConfig, prefix: string): EncoderPlan {
  const w = config.encoderWidth;
  let size = half([config.imageSize, config.imageSize]);
  const stem = conv(config, `${prefix}/stem/conv`, 3, 3, w, size, { stride: 2, norm: `${prefix}/stem/norm` });
  let stride = 2;
  let dilation = 1;
  let channels = w;
  const stages: StagePlan[] = [w, 2 * w, 4 * w].map((outChannels, s) => {
    const name = `${prefix}/stage${s + 1}`;
    let convStride: 1 | 2 = 2;
    if (stride * 2 <= config.outputStride) {
      stride *= 2;
      size = half(size);
    } else {
      convStride = 1;
      dilation *= 2;
    }
    const down = conv(config, `${name}/down/conv`, 3, channels, outChannels, size, {
      stride: convStride,
      dilation,
      norm: `${name}/down/norm`,
    });
    channels = outChannels;
    const blocks = Array.from({ length: config.blocksPerStage[s] as number }, (_, b) => ({
      conv1: conv(config, `${name}/block${b}/conv1`, 3, channels, channels, size, { dilation, norm: `${name}/block${b}/norm1` }),
      conv2: conv(config, `${name}/block${b}/conv2`, 3, channels, channels, size, { dilation, norm: `${name}/block${b}/norm2` }),
    }));
    return { down, blocks };
  });
  return { stem, stages };
}

/** Feature-map [h, w] of a config at `imageSize`: ceil(imageSize / 2) halved per strided stage. */
export function featureSize(config: ModelConfig): [number, number] {
  const stages = planEncoder(resolveModelConfig(config), 'x').stages;
  return stages[stages.length - 1]!.down.outSize;
}

export function planAspp(config: ResolvedModelConfig, prefix: string, inChannels: number): AsppPlan {
  const size = featureSize(config);
  const c = config.asppChannels;
  const branches = [
    conv(config, `${prefix}/branch0/conv`, 1, inChannels, c, size, { norm: `${prefix}/branch0/norm` }),
    ...config.asppRates.map((rate, i) =>
      conv(config, `${prefix}/branch${i + 1}/conv`, 3, inChannels, c, size, { dilation: rate, norm: `${prefix}/branch${i + 1}/norm` }),
    ),
  ];
  const pool = conv(config, `${prefix}/pool/conv`, 1, inChannels, c, [1, 1], { bias: true });
  const project = conv(config, `${prefix}/project/conv`, 1, (branches.length + 1) * c, c, size, { norm: `${prefix}/project/norm` });
  return { branches, pool, project };
}

function checkClasses(numClasses: number): void {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new ModelError(`numClasses must be a positive integer (background + seen classes), got ${numClasses}`);
  }
}

export function planStudent(config: ResolvedModelConfig, numClasses: number): StudentPlan {
  checkClasses(numClasses);
  const encoder = planEncoder(config, 'student/encoder');
  const aspp = planAspp(config, 'student/aspp', encoderChannels(config));
  const classifier = conv(config, 'student/classifier', 1, config.asppChannels, numClasses, featureSize(config), {
    bias: true,
    init: 'small',
  });
  return { encoder, aspp, classifier };
}

export function planTeacher(config: ResolvedModelConfig, numClasses: number): TeacherPlan {
  checkClasses(numClasses);
  const size = featureSize(config);
  const c = config.asppChannels;
  return {
    aspp: planAspp(config, 'teacher/aspp', encoderChannels(config)),
    classifier: conv(config, 'teacher/classifier', 1, c, numClasses, size, { bias: true, init: 'small' }),
    embedding: [
      conv(config, 'teacher/embedding/conv1', 1, c, c, size, { bias: true }),
      conv(config, 'teacher/embedding/conv2', 1, c, config.embeddingDim, size, { bias: true }),
    ],
  };
}

/** Every conv of a plan in a fixed order (the order of the model's `variables`). */
export function planConvs(plan: StudentPlan | TeacherPlan): ConvSpec[] {
  const aspp = [...plan.aspp.branches, plan.aspp.pool, plan.aspp.project];
  if ('encoder' in plan) {
    const { stem, stages } = plan.encoder;
    const encoder = [stem, ...stages.flatMap((s) => [s.down, ...s.blocks.flatMap((b) => [b.conv1, b.conv2])])];
    return [...encoder, ...aspp, plan.classifier];
  }
  return [...aspp, plan.classifier, ...plan.embedding];
}

/** Multiply-accumulates of one conv for one image. */
export function convMacs(spec: ConvSpec): number {
  return spec.outSize[0] * spec.outSize[1] * spec.kernelSize * spec.kernelSize * spec.inChannels * spec.outChannels;
}

/** Parameters of one conv: kernel, bias, GroupNorm gamma and beta. */
export function convParams(spec: ConvSpec): number {
  return (
    spec.kernelSize * spec.kernelSize * spec.inChannels * spec.outChannels +
    (spec.bias ? spec.outChannels : 0) +
    (spec.norm == null ? 0 : 2 * spec.outChannels)
  );
}

export interface LayerCost {
  name: string;
  /** Multiply-accumulates per image. */
  macs: number;
  params: number;
}

export interface NetworkCost {
  /** Multiply-accumulates of the whole batch. */
  macs: number;
  /** 2 * macs / 1e9. */
  gflops: number;
  params: number;
  layers: LayerCost[];
}

export interface FlopReport {
  batch: number;
  imageSize: number;
  numClasses: number;
  /** [h, w] of logits and features. */
  featureSize: [number, number];
  student: NetworkCost;
  /** The plug-in teacher on the student's features (its encoder is the student's, not counted again). */
  teacher: NetworkCost;
}

function cost(convs: ConvSpec[], batch: number): NetworkCost {
  const layers = convs.map((spec) => ({ name: spec.name, macs: convMacs(spec), params: convParams(spec) }));
  const macs = batch * layers.reduce((sum, l) => sum + l.macs, 0);
  return { macs, gflops: (2 * macs) / 1e9, params: layers.reduce((sum, l) => sum + l.params, 0), layers };
}

/**
 * Analytic cost of one forward pass of a batch at `config.imageSize`: convolution MACs only
 * (GroupNorm, relu, pooling, resizing and the loss are a few percent and not counted), FLOPs = 2 MACs.
 * `numClasses` (default 21: VOC background + 20) sizes the classifiers.
 */
export function countFlops(config: ModelConfig, batch: number, numClasses = 21): FlopReport {
  const resolved = resolveModelConfig(config);
  if (!Number.isInteger(batch) || batch < 1) throw new ModelError(`batch must be a positive integer, got ${batch}`);
  return {
    batch,
    imageSize: resolved.imageSize,
    numClasses,
    featureSize: featureSize(resolved),
    student: cost(planConvs(planStudent(resolved, numClasses)), batch),
    teacher: cost(planConvs(planTeacher(resolved, numClasses)), batch),
  };
}
