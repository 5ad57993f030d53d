import { IGNORE_LABEL } from '@fmwiss/imaging';

/** Per drawn layer: labelled pixels, border pixels and the box of both. */
export interface LayerLabelStats {
  /** Pixels labelled with the layer's class (its visible area minus its border band). */
  visible: number;
  /** Pixels of its visible area set to 255. */
  border: number;
  /** [x, y, w, h] of its visible area (border included); null when nothing of it shows. */
  bbox: [number, number, number, number] | null;
}

/**
 * The VOC-style label map of a composed scene. A pixel shows segment s = its layer when that layer is a
 * class (classOfLayer[layer] > 0), else 0 (background and clutter). Label = the class of s, except that
 * a pixel of a segment s > 0 with a 4-neighbour whose segment is lower (background, or an object drawn
 * further back) is 255: a 1-pixel void band along every object's visible boundary, on the side of the
 * object in front.
 *
 * @param instances [H,W] layer index + 1 (0 = background)
 * @param classOfLayer class id per layer index + 1 (index 0 unused)
 */
export function labelScene(
  instances: Uint8Array,
  width: number,
  height: number,
  classOfLayer: readonly number[],
): { labels: Uint8Array; stats: LayerLabelStats[] } {
  const n = instances.length;
  const seg = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const layer = instances[i]!;
    seg[i] = layer > 0 && (classOfLayer[layer] ?? 0) > 0 ? layer : 0;
  }
  const stats: LayerLabelStats[] = classOfLayer.map(() => ({ visible: 0, border: 0, bbox: null }));
  const boxes = classOfLayer.map(() => [Infinity, Infinity, -Infinity, -Infinity]);
  const labels = new Uint8Array(n);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const s = seg[i]!;
      if (s === 0) continue;
      const border =
        (x > 0 && seg[i - 1]! < s) ||
        (x + 1 < width && seg[i + 1]! < s) ||
        (y > 0 && seg[i - width]! < s) ||
        (y + 1 < height && seg[i + width]! < s);
      const st = stats[s]!;
      if (border) {
        labels[i] = IGNORE_LABEL;
        st.border++;
      } else {
        labels[i] = classOfLayer[s]!;
        st.visible++;
      }
      const b = boxes[s]!;
      if (x < b[0]!) b[0] = x;
      if (y < b[1]!) b[1] = y;
      if (x > b[2]!) b[2] = x;
      if (y > b[3]!) b[3] = y;
    }
  }
  boxes.forEach((b, k) => {
    if (b[2]! >= b[0]!) stats[k]!.bbox = [b[0]!, b[1]!, b[2]! - b[0]! + 1, b[3]! - b[1]! + 1];
  });
  return { labels, stats };
}
