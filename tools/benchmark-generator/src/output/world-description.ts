import { BACKGROUND_FAMILIES } from '../raster/background';
import { WORLD_CLASSES } from '../world/classes';
import { CLUTTER_KINDS } from '../world/clutter';
import { CO_OCCURRENCE } from '../world/scene-plan';
import type { WorldStats } from './stats';

/** Bump when any drawing, sampling or layout choice changes: every image changes with it. */
export const GENERATOR_VERSION = '1.0.0';

/** What makes two runs the same world: equal parameters give byte-identical output. */
export interface WorldParameters {
  readonly generatorVersion: string;
  readonly seed: number;
  readonly size: number;
  readonly train: number;
  readonly val: number;
  readonly corpus: number;
  readonly jpegQuality: number;
}

export function sameParameters(a: WorldParameters, b: WorldParameters): boolean {
  return (
    a.generatorVersion === b.generatorVersion &&
    a.seed === b.seed &&
    a.size === b.size &&
    a.train === b.train &&
    a.val === b.val &&
    a.corpus === b.corpus &&
    a.jpegQuality === b.jpegQuality
  );
}

/** The content of `<out>/world.json`. */
export function describeWorld(parameters: WorldParameters, stats: WorldStats): object {
  return {
    generator: '@fmwiss/benchmark-generator',
    parameters,
    layout: {
      images: 'VOCdevkit/VOC2012/JPEGImages/<id>.jpg',
      labels: 'VOCdevkit/VOC2012/SegmentationClass/<id>.png (8-bit palette PNG, VOC palette; 0 background, 1..20 classes, 255 object borders)',
      lists: 'VOCdevkit/VOC2012/ImageSets/Segmentation/{train,val,trainval}.txt',
      annotations: 'annotations.jsonl (diagnostics: per image objects with class, bbox [x,y,w,h], visible and border pixels)',
      corpus: 'corpus/images/<id>.jpg + corpus/captions.jsonl ({ id, file, caption, objects })',
      randomStreams: "new SeededRandom(seed, 'benchmark', split, index) per benchmark image; new SeededRandom(seed, 'corpus', 'corpus', index) per corpus image",
    },
    classes: WORLD_CLASSES.map((c) => ({
      id: c.id,
      name: c.name,
      promptName: c.promptName,
      family: c.family,
      ...(c.similar ? { similar: c.similar } : {}),
      sizeRange: c.size,
      maxRotationDeg: c.maxRotationDeg,
      grounded: c.grounded,
      contexts: [...new Set(c.contexts)],
      vocTrainImages: c.vocImages,
      palettes: c.makePalette ? 'per instance: shirt x trousers x skin x hair' : c.palettes.map((p) => ({ name: p.name, colours: p.colours })),
      textures: [...new Set([...c.textures, ...c.palettes.flatMap((p) => p.textures ?? [])].map((t) => t.kind))],
      companions: CO_OCCURRENCE[c.name],
    })),
    clutter: CLUTTER_KINDS.map((k) => ({
      name: k.name,
      sizeRange: k.size,
      contexts: k.contexts,
      palettes: k.palettes.map((p) => p.name),
    })),
    backgrounds: BACKGROUND_FAMILIES,
    stats,
  };
}
