import { decodeImage, decodeLabelPng, VOC_PALETTE } from '@fmwiss/imaging';
import { heatMapPng, labelMapPng, rgbPng } from './png';

const pixel = (data: Uint8Array, i: number) => [data[i * 3], data[i * 3 + 1], data[i * 3 + 2]];
const palette = (id: number) => [VOC_PALETTE[id * 3], VOC_PALETTE[id * 3 + 1], VOC_PALETTE[id * 3 + 2]];

describe('labelMapPng', () => {
  it('shows class ids in the VOC palette colours and keeps the ids', async () => {
    const labels = { width: 3, height: 2, data: Uint8Array.of(0, 1, 15, 255, 20, 2) };
    const png = await labelMapPng(labels);
    const rgb = await decodeImage(png, 'label map');
    expect([rgb.width, rgb.height]).toEqual([3, 2]);
    expect(pixel(rgb.data, 0)).toEqual([0, 0, 0]);
    expect(pixel(rgb.data, 1)).toEqual([128, 0, 0]);
    expect(pixel(rgb.data, 2)).toEqual([192, 128, 128]);
    expect(pixel(rgb.data, 3)).toEqual([224, 224, 192]);
    for (const [i, id] of [...labels.data].entries()) expect(pixel(rgb.data, i)).toEqual(palette(id));
    expect([...decodeLabelPng(png, 'label map').data]).toEqual([...labels.data]);
  });

  it('refuses a label map whose data does not match its size', async () => {
    await expect(labelMapPng({ width: 2, height: 2, data: new Uint8Array(3) })).rejects.toThrow(/4 bytes/);
  });
});

describe('heatMapPng', () => {
  it('maps 0 to dark purple and 1 to yellow (viridis), clamps outside [0,1], NaN gray', async () => {
    const values = Float32Array.of(0, 1, 0.5, Number.NaN, -1, 2);
    const rgb = await decodeImage(await heatMapPng(values, 3, 2), 'heat map');
    expect([rgb.width, rgb.height]).toEqual([3, 2]);
    expect(pixel(rgb.data, 0)).toEqual([68, 1, 84]);
    expect(pixel(rgb.data, 1)).toEqual([253, 231, 37]);
    expect(pixel(rgb.data, 3)).toEqual([128, 128, 128]);
    expect(pixel(rgb.data, 4)).toEqual([68, 1, 84]);
    expect(pixel(rgb.data, 5)).toEqual([253, 231, 37]);
    const mid = pixel(rgb.data, 2) as number[];
    expect(mid[1]).toBeGreaterThan(120); // teal-green in the middle
    expect(mid[1]).toBeLessThan(160);
  });

  it('gets lighter as the value grows', async () => {
    const values = Float32Array.from({ length: 11 }, (_, i) => i / 10);
    const rgb = await decodeImage(await heatMapPng(values, 11, 1), 'ramp');
    const luma = [...values].map((_, i) => 0.299 * rgb.data[i * 3]! + 0.587 * rgb.data[i * 3 + 1]! + 0.114 * rgb.data[i * 3 + 2]!);
    for (let i = 1; i < luma.length; i++) expect(luma[i]!).toBeGreaterThan(luma[i - 1]!);
  });

  it('refuses values that do not match the size', async () => {
    await expect(heatMapPng(new Float32Array(5), 3, 2)).rejects.toThrow('heat map 3x2 needs 6 values, got 5');
    await expect(heatMapPng(new Float32Array(0), 0, 0)).rejects.toThrow(/positive integer/);
  });
});

describe('rgbPng', () => {
  it('round-trips the pixels exactly', async () => {
    const image = { width: 4, height: 3, data: Uint8Array.from({ length: 36 }, (_, i) => (i * 37) % 256) };
    const decoded = await decodeImage(await rgbPng(image), 'rgb');
    expect(decoded.width).toBe(4);
    expect(decoded.height).toBe(3);
    expect([...decoded.data]).toEqual([...image.data]);
  });
});
