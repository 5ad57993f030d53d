import { InvalidArgumentError } from '@fmwiss/service-kit';
import { checkLength, checkMapSize, type MapSize } from './shapes';

/** The label of pixels no fused mask covers. */
export const BACKGROUND_LABEL = 0;
/** Highest class id a label map can carry (255 is "ignore"). */
export const MAX_CLASS_ID = 254;

/** A class's pixel count in a pseudo label map (seed_refiner.proto's ClassArea). */
export interface ClassArea {
  classId: number;
  pixels: number;
}

export interface LabelMapInput {
  /** Class ids 1..254, distinct, in request order. */
  classIds: readonly number[];
  /** Per class, the fused binary mask [H,W]. */
  fused: readonly Uint8Array[];
  /** Per class, M_init [H,W], used to break ties. */
  initialMasks: readonly Float32Array[];
  imageSize: MapSize;
}

export interface PseudoLabels {
  /** [H,W] class id per pixel, 0 = background. */
  labels: Uint8Array;
  /** Pixels of each class in `labels`, in request order. */
  areas: ClassArea[];
}

/** Throws an InvalidArgumentError unless the ids are distinct integers in 1..254. */
export function checkClassIds(classIds: readonly number[]): void {
  const seen = new Set<number>();
  classIds.forEach((id, i) => {
    if (!Number.isInteger(id) || id < 1 || id > MAX_CLASS_ID) {
      throw new InvalidArgumentError(`class id ${id} (class ${i}) must be an integer in 1..${MAX_CLASS_ID}`);
    }
    if (seen.has(id)) throw new InvalidArgumentError(`class id ${id} appears more than once`);
    seen.add(id);
  });
}

/**
 * The pseudo label map of METHOD.md section 2: every pixel takes the class whose fused mask covers
 * it; where several do, the one with the higher M_init value there, then the lower class id; pixels
 * covered by none are background (0). Also the area of each class in the result.
 */
export function buildLabelMap(input: LabelMapInput): PseudoLabels {
  const { classIds, fused, initialMasks, imageSize } = input;
  checkMapSize('imageSize', imageSize);
  checkClassIds(classIds);
  if (fused.length !== classIds.length || initialMasks.length !== classIds.length) {
    throw new InvalidArgumentError(
      `${classIds.length} class ids need as many fused masks and initial masks, got ${fused.length} and ${initialMasks.length}`,
    );
  }
  const shape = [imageSize.height, imageSize.width];
  classIds.forEach((id, c) => {
    checkLength(`fused mask of class ${id}`, fused[c]!, shape);
    checkLength(`initial mask of class ${id}`, initialMasks[c]!, shape);
  });
  const n = imageSize.height * imageSize.width;
  const labels = new Uint8Array(n) /* [H,W] */;
  const winner = new Int32Array(n).fill(-1) /* [H,W] index into classIds */;
  for (let c = 0; c < classIds.length; c++) {
    const mask = fused[c]!;
    const init = initialMasks[c]!;
    const id = classIds[c]!;
    for (let i = 0; i < n; i++) {
      if (mask[i] === 0) continue;
      const w = winner[i]!;
      if (w >= 0) {
        const best = initialMasks[w]![i]!;
        if (init[i]! < best || (init[i] === best && id > classIds[w]!)) continue;
      }
      winner[i] = c;
      labels[i] = id;
    }
  }
  const counts = new Array<number>(classIds.length).fill(0);
  for (let i = 0; i < n; i++) if (winner[i]! >= 0) counts[winner[i]!]!++;
  return { labels, areas: classIds.map((classId, c) => ({ classId, pixels: counts[c]! })) };
}
