import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { decodeImage, decodeLabelPng } from '@fmwiss/imaging';
import { generateWorld, inspectOutput, removeGenerated } from './generate';
import { worldLayout } from './layout';
import { GENERATOR_VERSION, type WorldParameters } from './world-description';

const params = (over: Partial<WorldParameters> = {}): WorldParameters => ({
  generatorVersion: GENERATOR_VERSION,
  seed: 1,
  size: 64,
  train: 40,
  val: 10,
  corpus: 20,
  jpegQuality: 90,
  ...over,
});

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** One hash over every file (relative path + bytes), in sorted path order. */
function treeHash(dir: string): string {
  const h = createHash('sha256');
  for (const path of files(dir).sort()) h.update(relative(dir, path)).update(readFileSync(path));
  return h.digest('hex');
}

const lines = (path: string): string[] => readFileSync(path, 'utf8').split('\n').filter(Boolean);

describe('generateWorld', () => {
  const dirs: string[] = [];
  const tmp = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'fmwiss-world-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('writes the VOC layout, list files, annotations, the corpus and world.json', async () => {
    const out = tmp();
    const { stats } = await generateWorld({ out, parameters: params(), workers: 0, chunkSize: 16 });
    const layout = worldLayout(out);
    const train = lines(join(layout.lists, 'train.txt'));
    const val = lines(join(layout.lists, 'val.txt'));
    expect(train).toHaveLength(40);
    expect(val).toHaveLength(10);
    expect(lines(join(layout.lists, 'trainval.txt'))).toEqual([...train, ...val]);
    expect(new Set([...train, ...val]).size).toBe(50);
    expect(readdirSync(layout.images).sort()).toEqual([...train, ...val].map((id) => `${id}.jpg`).sort());
    expect(readdirSync(layout.labels).sort()).toEqual([...train, ...val].map((id) => `${id}.png`).sort());

    const image = await decodeImage(readFileSync(join(layout.images, `${val[0]}.jpg`)), 'val0');
    expect([image.width, image.height]).toEqual([64, 64]);
    const annotations = lines(layout.annotations).map((l) => JSON.parse(l) as { id: string; objects: { classId: number; visiblePixels: number }[] });
    expect(annotations.map((a) => a.id)).toEqual([...train, ...val]);
    for (const a of annotations.slice(0, 10)) {
      const labels = decodeLabelPng(readFileSync(join(layout.labels, `${a.id}.png`)), a.id);
      expect(labels.width).toBe(64);
      for (const o of a.objects) expect(labels.data.filter((v) => v === o.classId).length).toBeGreaterThanOrEqual(o.visiblePixels);
      expect([...labels.data].every((v) => v <= 20 || v === 255)).toBe(true);
    }

    const captions = lines(layout.captions).map((l) => JSON.parse(l) as { id: string; file: string; caption: string; objects: string[] });
    expect(captions).toHaveLength(20);
    expect(readdirSync(layout.corpusImages)).toHaveLength(20);
    for (const c of captions) expect(statSync(join(layout.corpus, c.file)).size).toBeGreaterThan(0);
    const benchIds = new Set([...train, ...val]);
    expect(captions.filter((c) => benchIds.has(c.id))).toEqual([]);
    // No corpus image repeats a benchmark image.
    const benchHashes = new Set(files(layout.images).map((p) => createHash('sha1').update(readFileSync(p)).digest('hex')));
    expect(files(layout.corpusImages).filter((p) => benchHashes.has(createHash('sha1').update(readFileSync(p)).digest('hex')))).toEqual([]);

    const world = JSON.parse(readFileSync(layout.world, 'utf8')) as { parameters: WorldParameters; classes: unknown[]; clutter: unknown[] };
    expect(world.parameters).toEqual(params());
    expect(world.classes).toHaveLength(20);
    expect(world.clutter.length).toBeGreaterThanOrEqual(10);
    expect(stats.train.images).toBe(40);
    expect(inspectOutput(out, params())).toEqual({ state: 'same' });
    expect(inspectOutput(out, params({ seed: 2 })).state).toBe('different');
    await removeGenerated(out);
    expect(readdirSync(out)).toEqual(['VOCdevkit']);
    expect(inspectOutput(out, params())).toEqual({ state: 'absent' });
  });

  it('gives byte-identical output whatever the number of worker threads and chunk size', async () => {
    const small = params({ train: 12, val: 4, corpus: 8 });
    const hashes: string[] = [];
    for (const [workers, chunkSize] of [
      [0, 50],
      [1, 5],
      [2, 3],
    ] as const) {
      const out = tmp();
      await generateWorld({ out, parameters: small, workers, chunkSize });
      hashes.push(treeHash(out));
    }
    expect(new Set(hashes).size).toBe(1);
  });
});
