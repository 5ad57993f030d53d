import { join } from 'node:path';

/** Where everything goes under `<out>`: the VOC 2012 layout, the corpus and the world description. */
export interface WorldLayout {
  readonly out: string;
  readonly vocRoot: string;
  readonly images: string;
  readonly labels: string;
  readonly lists: string;
  readonly corpus: string;
  readonly corpusImages: string;
  readonly captions: string;
  readonly annotations: string;
  readonly world: string;
}

export function worldLayout(out: string): WorldLayout {
  const vocRoot = join(out, 'VOCdevkit', 'VOC2012');
  const corpus = join(out, 'corpus');
  return {
    out,
    vocRoot,
    images: join(vocRoot, 'JPEGImages'),
    labels: join(vocRoot, 'SegmentationClass'),
    lists: join(vocRoot, 'ImageSets', 'Segmentation'),
    corpus,
    corpusImages: join(corpus, 'images'),
    captions: join(corpus, 'captions.jsonl'),
    annotations: join(out, 'annotations.jsonl'),
    world: join(out, 'world.json'),
  };
}

/** The paths the generator owns (what --force removes): never anything else under `<out>`. */
export function generatedPaths(layout: WorldLayout): string[] {
  return [layout.world, layout.images, layout.labels, layout.lists, layout.corpus, layout.annotations];
}
