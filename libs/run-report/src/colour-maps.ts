// Colour maps for heat maps and charts.

/** Viridis (matplotlib) at ten evenly spaced points from 0 to 1 (#440154 ... #fde725); interpolated linearly between them. */
const VIRIDIS_ANCHORS: ReadonlyArray<readonly [number, number, number]> = [
  [68, 1, 84], // #440154
  [72, 39, 119], // #482777
  [62, 74, 137], // #3e4a89
  [49, 104, 142], // #31688e
  [38, 130, 142], // #26828e
  [31, 158, 137], // #1f9e89
  [53, 183, 121], // #35b779
  [110, 206, 88], // #6ece58
  [181, 222, 43], // #b5de2b
  [253, 231, 37], // #fde725
];

/** A CSS gradient of the viridis map from 0 (left) to 1 (right), for a heat-map legend. */
export function viridisCssGradient(): string {
  return `linear-gradient(to right, ${VIRIDIS_ANCHORS.map(([r, g, b]) => `rgb(${r},${g},${b})`).join(', ')})`;
}

/** Where a heat map has no value (NaN): mid gray, outside viridis. */
export const NO_VALUE_COLOUR: readonly [number, number, number] = [128, 128, 128];

/** The viridis colour of `value` (clamped to [0,1]); NaN gives NO_VALUE_COLOUR. */
export function viridis(value: number): readonly [number, number, number] {
  if (Number.isNaN(value)) return NO_VALUE_COLOUR;
  const t = Math.min(1, Math.max(0, value)) * (VIRIDIS_ANCHORS.length - 1);
  const i = Math.min(VIRIDIS_ANCHORS.length - 2, Math.floor(t));
  const f = t - i;
  const a = VIRIDIS_ANCHORS[i]!;
  const b = VIRIDIS_ANCHORS[i + 1]!;
  return [
    Math.round(a[0] + f * (b[0] - a[0])),
    Math.round(a[1] + f * (b[1] - a[1])),
    Math.round(a[2] + f * (b[2] - a[2])),
  ];
}

/** Categorical colours (Tableau 10) for steps and loss terms; cycles after ten. */
const CATEGORICAL = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export function categoricalColour(index: number): string {
  return CATEGORICAL[((index % CATEGORICAL.length) + CATEGORICAL.length) % CATEGORICAL.length]!;
}

/** A VOC palette entry as a CSS colour "rgb(r,g,b)". */
export function paletteCss(palette: Uint8Array, index: number): string {
  return `rgb(${palette[index * 3]},${palette[index * 3 + 1]},${palette[index * 3 + 2]})`;
}
