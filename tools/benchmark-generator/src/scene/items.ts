import type { LabelImage, RgbImage } from '@fmwiss/imaging';
import { SeededRandom } from '@fmwiss/random';
import { classById, NUM_CLASSES } from '../world/classes';
import { clutterByName } from '../world/clutter';
import { sampleScenePlan, type ScenePlan } from '../world/scene-plan';
import { makeCaption, type CaptionThing } from './caption';
import { composeScene, type ComposedScene } from './compose';
import { labelScene } from './labels';

/**
 * One benchmark or corpus item, made from its own random stream
 * `new SeededRandom(seed, 'benchmark' | 'corpus', split, index)`, so it is the same whatever else is made.
 */
export type BenchmarkSplit = 'train' | 'val';
export const CORPUS_SPLIT = 'corpus';

export function benchmarkId(split: BenchmarkSplit, index: number): string {
  return `fw_${split}_${String(index).padStart(6, '0')}`;
}

export function corpusId(index: number): string {
  return `cap_${String(index).padStart(6, '0')}`;
}

export interface ObjectAnnotation {
  readonly classId: number;
  readonly name: string;
  readonly palette: string;
  /** [x, y, w, h] of the visible area, border band included. */
  readonly bbox: [number, number, number, number] | null;
  /** Pixels labelled classId. */
  readonly visiblePixels: number;
  /** Pixels of its visible area labelled 255. */
  readonly borderPixels: number;
  /** Pixels it covered when drawn, before later objects hid some. */
  readonly drawnPixels: number;
}

export interface AnnotationRecord {
  readonly id: string;
  readonly split: BenchmarkSplit;
  readonly context: string;
  readonly background: string;
  readonly objects: ObjectAnnotation[];
  readonly clutter: string[];
}

export interface BenchmarkItem {
  readonly id: string;
  readonly image: RgbImage;
  readonly labels: LabelImage;
  /** [H,W] drawn-layer index + 1 per pixel (diagnostics and tests). */
  readonly instances: Uint8Array;
  /** Class id per drawn layer index + 1 (index 0: background; 0 for clutter layers). */
  readonly classOfLayer: readonly number[];
  readonly record: AnnotationRecord;
  /** Pixels per label 0..20, then 255 at index 21. */
  readonly labelPixels: number[];
}

export interface CaptionRecord {
  readonly id: string;
  readonly file: string;
  readonly caption: string;
  readonly objects: string[];
}

export interface CorpusItem {
  readonly id: string;
  readonly image: RgbImage;
  readonly record: CaptionRecord;
  readonly scene: ComposedScene;
}

export function renderBenchmarkItem(seed: number, split: BenchmarkSplit, index: number, size: number): BenchmarkItem {
  const r = new SeededRandom(seed, 'benchmark', split, index);
  const id = benchmarkId(split, index);
  return renderLabelledScene(r, sampleScenePlan(r, 'benchmark'), size, id, split);
}

/** Draws a benchmark-style labelled scene from a plan (the contact sheet forces the anchor class). */
export function renderLabelledScene(r: SeededRandom, plan: ScenePlan, size: number, id: string, split: BenchmarkSplit): BenchmarkItem {
  const scene = composeScene(r, plan, size, false);
  const classOfLayer = [0, ...scene.layers.map((l) => l.classId)];
  const { labels, stats } = labelScene(scene.instances, size, size, classOfLayer);
  const objects: ObjectAnnotation[] = [];
  const clutter: string[] = [];
  scene.layers.forEach((layer, k) => {
    if (layer.classId === 0) {
      clutter.push(layer.name);
      return;
    }
    const st = stats[k + 1]!;
    objects.push({
      classId: layer.classId,
      name: layer.name,
      palette: layer.palette,
      bbox: st.bbox,
      visiblePixels: st.visible,
      borderPixels: st.border,
      drawnPixels: layer.area,
    });
  });
  const labelPixels = new Array<number>(NUM_CLASSES + 2).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    labelPixels[v === 255 ? NUM_CLASSES + 1 : v]!++;
  }
  return {
    id,
    image: { width: size, height: size, data: scene.image },
    labels: { width: size, height: size, data: labels },
    instances: scene.instances,
    classOfLayer,
    record: { id, split, context: scene.context, background: scene.background.family, objects, clutter },
    labelPixels,
  };
}

export function renderCorpusItem(seed: number, index: number, size: number): CorpusItem {
  const r = new SeededRandom(seed, 'corpus', CORPUS_SPLIT, index);
  const plan = sampleScenePlan(r, 'corpus');
  const scene = composeScene(r, plan, size, true);
  const visible = scene.layers.map((layer, k) => ({ layer, k })).filter(({ layer }) => layer.visible > 0);
  const position = new Map(visible.map(({ k }, i) => [k, i]));
  const things: CaptionThing[] = visible.map(({ layer }) => {
    const [name, plural] =
      layer.classId > 0
        ? [classById(layer.classId).promptName, classById(layer.classId).plural]
        : [layer.name, clutterByName(layer.name).plural];
    return {
      name,
      plural,
      colour: layer.palette,
      inFrontOf: layer.covers.filter((j) => position.has(j)).map((j) => position.get(j)!),
      person: layer.classId === 15,
      areaShare: layer.visible / (size * size),
    };
  });
  const { caption, objects } = makeCaption(r, things, scene.background.setting);
  const id = corpusId(index);
  return {
    id,
    image: { width: size, height: size, data: scene.image },
    record: { id, file: `images/${id}.jpg`, caption, objects },
    scene,
  };
}
