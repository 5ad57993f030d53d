// The plain grpc-js path end to end: both services as child processes on the known-answer models,
// a red square image, and the pseudo label map read back from the PNG the tool writes.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { decodeLabelPng, encodePng } from '@fmwiss/imaging';
import { writeBlobVit, writeColourClip } from '@fmwiss/model-fixtures';

import { main, parseClasses } from './main';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pseudo-masks-tool-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('pseudo-masks tool', () => {
  it('gets a pseudo label map from both services through a plain grpc-js client', async () => {
    const clip = await writeColourClip(path.join(dir, 'clip'));
    const vit = await writeBlobVit(path.join(dir, 'vit.onnx'));
    const size = 64;
    const data = new Uint8Array(size * size * 3).fill(128);
    for (let y = 16; y < 48; y++) for (let x = 16; x < 48; x++) data.set([255, 0, 0], (y * size + x) * 3);
    const imagePath = path.join(dir, 'square.png');
    await writeFile(imagePath, await encodePng({ width: size, height: size, data }));
    const out = path.join(dir, 'out');
    const code = await main([
      '--image', imagePath, '--classes', '5:red', '--start', '--fusion', 'init-only', '--background-prompts', 'gray',
      '--image-model', `onnx:${clip.imagePath}`, '--text-model', `onnx:${clip.textPath}`, '--vit-model', `onnx:${vit}`, '--out', out,
    ]);
    expect(code).toBe(0);
    const labels = decodeLabelPng(await readFile(path.join(out, 'pseudo-labels.png')), 'labels');
    expect(labels).toMatchObject({ width: size, height: size });
    // init-only: the class covers the square's interior and nothing far from it.
    expect(labels.data[32 * size + 32]).toBe(5);
    expect(labels.data[20 * size + 20]).toBe(5);
    expect(labels.data[0]).toBe(0);
    expect(labels.data[8 * size + 60]).toBe(0);
    const mInit = decodeLabelPng(await readFile(path.join(out, 'm_init-5.png')), 'm_init');
    expect(mInit.data[32 * size + 32]).toBe(255);
  }, 120_000);

  it('parses class lists', () => {
    expect(parseClasses('cat, dog')).toEqual([{ id: 8, name: 'cat' }, { id: 12, name: 'dog' }]);
    expect(parseClasses('1:red')).toEqual([{ id: 1, name: 'red' }]);
    expect(() => parseClasses('unicorn')).toThrow(/unknown class "unicorn"/);
  });
});
