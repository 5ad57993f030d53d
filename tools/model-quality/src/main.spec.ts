// The whole tool on the known-answer models (@fmwiss/model-fixtures) and a tiny synthetic dataset
// in the VOC layout: 64x64 gray images with colour squares labelled by colour (1 red, 2 green, 3 blue).
//
// What the closed-form models imply:
// - colour CLIP: a patch's embedding is its mean colour and "red" embeds as (1,0,0), so the cosine of
//   the image with "red" is r/|rgb|: above 1/sqrt(3) exactly when red dominates, i.e. when a red
//   square is present (gray gives 1/sqrt(3), a green or blue square less). Both rankings are perfect:
//   mAP 1, global and dense (a pure red patch scores 1 against at most 1/sqrt(3) without one).
// - M_init with the background prompt "gray": red scores 1 on the square's patches and 1/sqrt(3) on
//   gray ones, gray the reverse; at T = 0.01 the softmax is a step at the square's edge, so M_init is
//   the square up to the few pixels where the bilinear scores cross, and the mass binarisation keeps
//   most of it: high mIoU.
// - blob ViT: a seed's attention covers its 3x3 patch neighbourhood (8 px patches) and itself, so the
//   seed map lies inside the object dilated by one patch; its binarisation overlaps the object well.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { ClipMaskEngine, ClipModels } from '@fmwiss/co-segmentation';
import { openVocDataset } from '@fmwiss/datasets';
import { encodeJpeg, encodeLabelPng, type RgbImage } from '@fmwiss/imaging';
import { openModel } from '@fmwiss/model-backends';
import { blobAttention, writeBlobVit, writeColourClip } from '@fmwiss/model-fixtures';

import { imageEmbeddings } from './clip-scores';
import { main, type Io } from './main';
import { mean, median, presentClasses } from './mask-iou';
import { classTextEmbeddings, initialMasksFromEmbeddings, seedAttentionIoU } from './quality';

const SIZE = 64;
const COLOURS: Record<number, [number, number, number]> = { 1: [255, 0, 0], 2: [0, 255, 0], 3: [0, 0, 255] };

interface Square {
  classId: number;
  x: number;
  y: number;
  side: number;
}

/** The synthetic images: squares on the 16 px grid (the colour CLIP's patches at 64 px, and JPEG's 4:2:0 blocks). */
const IMAGES: Record<string, Square[]> = {
  red: [{ classId: 1, x: 16, y: 16, side: 32 }],
  green: [{ classId: 2, x: 16, y: 16, side: 32 }],
  'red-green': [
    { classId: 1, x: 0, y: 0, side: 32 },
    { classId: 2, x: 32, y: 32, side: 32 },
  ],
  blue: [{ classId: 3, x: 16, y: 0, side: 48 }],
  'big-red': [{ classId: 1, x: 0, y: 16, side: 48 }],
  empty: [],
};

async function writeSyntheticVoc(root: string): Promise<void> {
  for (const folder of ['JPEGImages', 'SegmentationClass', 'ImageSets/Segmentation']) await mkdir(path.join(root, folder), { recursive: true });
  for (const [id, squares] of Object.entries(IMAGES)) {
    const image: RgbImage = { width: SIZE, height: SIZE, data: new Uint8Array(SIZE * SIZE * 3).fill(128) };
    const labels = { width: SIZE, height: SIZE, data: new Uint8Array(SIZE * SIZE) };
    for (const { classId, x, y, side } of squares) {
      for (let r = y; r < y + side; r++) {
        for (let c = x; c < x + side; c++) {
          image.data.set(COLOURS[classId]!, (r * SIZE + c) * 3);
          labels.data[r * SIZE + c] = classId;
        }
      }
    }
    if (id === 'red') {
      // A VOC-style "ignore" ring just outside the square: left out of every figure.
      for (let i = 15; i <= 48; i++) for (const [r, c] of [[15, i], [48, i], [i, 15], [i, 48]] as const) labels.data[r * SIZE + c] = 255;
    }
    await writeFile(path.join(root, 'JPEGImages', `${id}.jpg`), await encodeJpeg(image, 95));
    await writeFile(path.join(root, 'SegmentationClass', `${id}.png`), encodeLabelPng(labels));
  }
  await writeFile(path.join(root, 'ImageSets/Segmentation/val.txt'), `${Object.keys(IMAGES).join('\n')}\n`);
}

function captureIo(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (text) => stdout.push(text), err: (text) => stderr.push(text), progress: true };
}

/** Seed-attention IoU of every (image, class present) of the synthetic set under a given attention [2,65,65]. */
async function closedFormSeedIoUs(attention: Float32Array): Promise<number[]> {
  const dataset = await openVocDataset({ root: vocRoot, split: 'val' });
  const ious: number[] = [];
  for (const id of dataset.ids) {
    const labels = await dataset.readLabels(id);
    for (const classId of presentClasses(labels.data)) {
      const vit = { heads: 2, tokens: 65, prefixTokens: 1, gridHeight: 8, gridWidth: 8, data: attention, modelMs: 0 };
      ious.push(seedAttentionIoU(labels.data, { height: SIZE, width: SIZE }, classId, vit, { seed: 0, imageId: id }, 9, 0.7)!);
    }
  }
  return ious;
}

let dir: string;
let vocRoot: string;
let modelArgs: string[];
let clipFiles: { imagePath: string; textPath: string };
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'model-quality-'));
  vocRoot = path.join(dir, 'VOC2012');
  await writeSyntheticVoc(vocRoot);
  clipFiles = await writeColourClip(path.join(dir, 'clip'));
  const vit = await writeBlobVit(path.join(dir, 'vit.onnx'));
  modelArgs = ['--image-model', `onnx:${clipFiles.imagePath}`, '--text-model', `onnx:${clipFiles.textPath}`, '--vit-model', `onnx:${vit}`];
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('model-quality on the known-answer models', () => {
  it('prints and writes the four figures the closed-form models imply', async () => {
    const io = captureIo();
    const json = path.join(dir, 'out', 'quality.json');
    const code = await main(['--voc-root', vocRoot, '--class-names', 'red,green,blue', '--background-prompts', 'gray', '--json', json, ...modelArgs], io);
    expect(io.stderr.filter((line) => !line.includes('images,'))).toEqual([]);
    expect(code).toBe(0);
    const table = io.stdout.join('\n');
    expect(table).toMatch(/6 images \(1 without an object class\), 6 \(image, class\) pairs, seed 0/);
    expect(table).toMatch(/1\. zero-shot mAP, global embedding\s+1\.000\s+>= 0\.85\s+met/);
    expect(table).toContain(`onnx:${clipFiles.imagePath}`);
    expect(io.stderr.at(-1)).toMatch(/^model-quality: 6\/6 images/);

    const report = JSON.parse(await readFile(json, 'utf8'));
    const f = report.figures;
    // 1. Perfect rankings.
    expect(f.mAPGlobal).toBe(1);
    expect(f.mAPDense).toBe(1);
    expect(report.perClass.map((c: { name: string; positives: number }) => [c.name, c.positives])).toEqual([
      ['red', 3],
      ['green', 2],
      ['blue', 1],
    ]);
    // 2. M_init is the square up to a thin rim.
    expect(f.mIoUInitOnly).toBeGreaterThan(0.8);
    for (const c of report.perClass) expect(c.iouInitOnly).toBeGreaterThan(0.7);
    // 3. The blob ViT's attention is blobAttention(8, 1) whatever the image: the figure is that
    // attention's seed maps on the ground-truth objects. Nine seeds light up about half of a 4x4- or
    // 6x6-patch object, so the IoU sits near one half.
    const closedForm = await closedFormSeedIoUs(blobAttention(8, 1));
    expect(closedForm).toHaveLength(6);
    expect(f.seedIoUMean).toBeCloseTo(mean(closedForm)!, 10);
    expect(f.seedIoUMedian).toBeCloseTo(median(closedForm)!, 10);
    expect(f.seedIoUMean).toBeGreaterThan(0.3);
    expect(f.seedIoUMean).toBeLessThan(0.7);
    // 4. Union adds the seed blobs to the binarised M_init.
    expect(f.mIoUUnion).toBeGreaterThan(f.mIoUInitOnly);
    expect(f.mIoUUnionMinusInitOnly).toBeCloseTo(f.mIoUUnion - f.mIoUInitOnly, 12);
    expect(report.targets.map((t: { key: string }) => t.key)).toEqual(['mAPGlobal', 'mAPDense', 'mIoUInitOnly', 'seedIoUMean', 'seedIoUMedian', 'mIoUUnion']);

    // The same seed gives the same figures; --images bounds the run.
    const again = captureIo();
    expect(await main(['--voc-root', vocRoot, '--class-names', 'red,green,blue', '--background-prompts', 'gray', '--images', '2', ...modelArgs], again)).toBe(0);
    expect(again.stdout.join('\n')).toMatch(/2 images \(0 without an object class\), 2 \(image, class\) pairs/);
  }, 60_000);

  it('computes M_init exactly as ClipMaskEngine.initialMasks does, from one model call', async () => {
    const image = await openModel(`onnx:${clipFiles.imagePath}`);
    const text = await openModel(`onnx:${clipFiles.textPath}`);
    try {
      const engine = new ClipMaskEngine(await ClipModels.open(image, text), { backgroundPrompts: ['gray'] });
      const dataset = await openVocDataset({ root: vocRoot, split: 'val' });
      const sample = await dataset.read('red-green');
      const classes = [
        { id: 1, promptName: 'red' },
        { id: 2, promptName: 'green' },
      ];
      const expected = await engine.initialMasks(sample.image, classes);
      const { classText, backgroundText } = await classTextEmbeddings(engine, classes);
      const embeddings = await imageEmbeddings(engine.models, sample.image);
      const masks = initialMasksFromEmbeddings(engine, embeddings, classText, backgroundText, { height: SIZE, width: SIZE });
      expect(masks).toEqual(expected.masks);
      // The global embedding is the mean colour (half red, half green, the rest gray 128), within JPEG error.
      const mean = (255 * 0.25 + 128 * 0.5) / 255;
      Array.from(embeddings.global).forEach((v, i) => expect(Math.abs(v - [mean, mean, (128 * 0.5) / 255][i]!)).toBeLessThan(0.01));
    } finally {
      await Promise.all([image.dispose(), text.dispose()]);
    }
  });

  it('exits 2 on a missing dataset or bad arguments, 3 on a missing model', async () => {
    const noData = captureIo();
    expect(await main(['--voc-root', path.join(dir, 'nowhere'), ...modelArgs], noData)).toBe(2);
    expect(noData.stderr.join('\n')).toMatch(/VOC2012 folder not found[\s\S]*npm run gen:benchmark/);

    const badArg = captureIo();
    expect(await main(['--images', '0'], badArg)).toBe(2);
    expect(badArg.stderr[0]).toMatch(/--images must be an integer >= 1/);
    expect(await main(['--no-such-flag'], captureIo())).toBe(2);

    const noModel = captureIo();
    const args = ['--voc-root', vocRoot, ...modelArgs.slice(0, 4), '--vit-model', `onnx:${path.join(dir, 'missing.onnx')}`];
    expect(await main(args, noModel)).toBe(3);
    expect(noModel.stderr[0]).toMatch(/ONNX model file not found: .*missing\.onnx/);

    const wrongContract = captureIo();
    expect(await main(['--voc-root', vocRoot, ...modelArgs.slice(0, 2), '--text-model', modelArgs[1]!, ...modelArgs.slice(4)], wrongContract)).toBe(3);
    expect(wrongContract.stderr[0]).toMatch(/clip-text\/1/);

    const badLabels = captureIo();
    expect(await main(['--voc-root', vocRoot, '--class-names', 'red', '--background-prompts', 'gray', ...modelArgs], badLabels)).toBe(2);
    expect(badLabels.stderr[0]).toMatch(/label value 2 .* 1 classes are named/);
  });
});
