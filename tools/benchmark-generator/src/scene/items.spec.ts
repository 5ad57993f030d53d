import { createHash } from 'node:crypto';
import { renderBenchmarkItem, renderCorpusItem } from './items';

const SIZE = 64;
const hash = (...parts: Uint8Array[]): string => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

describe('benchmark items', () => {
  it('are deterministic: the same seed, split and index give identical bytes; others differ', () => {
    for (let i = 0; i < 5; i++) {
      const a = renderBenchmarkItem(3, 'train', i, SIZE);
      const b = renderBenchmarkItem(3, 'train', i, SIZE);
      expect(hash(a.image.data, a.labels.data)).toBe(hash(b.image.data, b.labels.data));
      expect(a.record).toEqual(b.record);
    }
    const a = renderBenchmarkItem(3, 'train', 0, SIZE);
    expect(hash(renderBenchmarkItem(3, 'val', 0, SIZE).image.data)).not.toBe(hash(a.image.data));
    expect(hash(renderBenchmarkItem(4, 'train', 0, SIZE).image.data)).not.toBe(hash(a.image.data));
  });

  it('label maps hold only 0..20 and 255, 255 separates every pair of different touching segments, and annotations match', () => {
    const problems: string[] = [];
    for (let i = 0; i < 60; i++) {
      const item = renderBenchmarkItem(1, 'train', i, SIZE);
      const { data: labels } = item.labels;
      const inst = item.instances;
      if (item.record.objects.length === 0) problems.push(`${item.id}: no object`);
      // Segment = the visible layer when it is a class, else 0 (clutter is background).
      const seg = Uint8Array.from(inst, (layer) => ((item.classOfLayer[layer] ?? 0) > 0 ? layer : 0));
      for (let p = 0; p < labels.length; p++) {
        const v = labels[p]!;
        if (v > 20 && v !== 255) problems.push(`${item.id}: label ${v}`);
        if (seg[p] === 0 && v !== 0) problems.push(`${item.id}: background pixel ${p} labelled ${v}`);
        if (seg[p] !== 0 && v !== 255 && v !== item.classOfLayer[seg[p]!]) problems.push(`${item.id}: pixel ${p} has the wrong class`);
        if (p % SIZE < SIZE - 1 && seg[p] !== seg[p + 1] && v !== 255 && labels[p + 1] !== 255) problems.push(`${item.id}: no border at ${p}|${p + 1}`);
        if (p + SIZE < labels.length && seg[p] !== seg[p + SIZE] && v !== 255 && labels[p + SIZE] !== 255) problems.push(`${item.id}: no border at ${p}/${p + SIZE}`);
      }
      // Each labelled object's annotation: exactly its labelled and border pixels (objects in layer order).
      const classLayers = item.classOfLayer.map((c, layer) => (c > 0 ? layer : -1)).filter((layer) => layer > 0);
      expect(classLayers.length).toBe(item.record.objects.length);
      classLayers.forEach((layer, k) => {
        const obj = item.record.objects[k]!;
        let visible = 0;
        let border = 0;
        for (let p = 0; p < labels.length; p++) {
          if (inst[p] !== layer) continue;
          if (labels[p] === 255) border++;
          else if (labels[p] === obj.classId) visible++;
        }
        if (visible !== obj.visiblePixels || border !== obj.borderPixels) problems.push(`${item.id}: object ${k} counts differ`);
      });
      for (let c = 1; c <= 20; c++) {
        const want = item.record.objects.filter((o) => o.classId === c).reduce((n, o) => n + o.visiblePixels, 0);
        if (item.labelPixels[c] !== want) problems.push(`${item.id}: class ${c} has ${item.labelPixels[c]} pixels, annotations say ${want}`);
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
  });
});

describe('corpus items', () => {
  it('captions name exactly the things drawn, VOC classes by prompt name and clutter too', () => {
    const templates = new Set<string>();
    for (let i = 0; i < 150; i++) {
      const item = renderCorpusItem(1, i, SIZE);
      const drawn = new Set(
        item.scene.layers.filter((l) => l.visible > 0).map((l) => (l.classId > 0 ? promptName(l.name) : l.name)),
      );
      expect(new Set(item.record.objects)).toEqual(drawn);
      expect(item.record.objects.length).toBe(drawn.size);
      for (const name of item.record.objects) {
        expect(item.record.caption.includes(name) || item.record.caption.includes(PLURALS[name] ?? `${name}s`)).toBe(true);
      }
      templates.add(item.record.caption.replace(/^(a|an) /, '').split(' ').slice(0, 2).join(' '));
      expect(item.record.caption).toMatch(/\.$/);
    }
    expect(templates.size).toBeGreaterThan(15); // varied templates
  });

  it('uses another random stream than the benchmark', () => {
    expect(hash(renderCorpusItem(1, 0, SIZE).image.data)).not.toBe(hash(renderBenchmarkItem(1, 'train', 0, SIZE).image.data));
  });
});

const PROMPT: Record<string, string> = { aeroplane: 'airplane', diningtable: 'dining table', pottedplant: 'potted plant', tvmonitor: 'tv monitor' };
const promptName = (name: string): string => PROMPT[name] ?? name;
const PLURALS: Record<string, string> = { person: 'people', bus: 'buses', sheep: 'sheep' };
