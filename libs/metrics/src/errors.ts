/**
 * Any misuse of the metrics: a label value that is neither a class id nor the ignore label, arrays of
 * different lengths, matrices over different classes, a malformed checkpoint, bad class groups.
 * A service evaluating user data maps it to INVALID_ARGUMENT; the message names the image (`what`),
 * the value and the pixel index so a person can find the offending mask.
 */
export class MetricsError extends Error {
  /** The caller's name for the data being counted (e.g. an image id), when one was given. */
  readonly what: string | undefined;
  /** The offending label value, for a bad-value error. */
  readonly value: number | undefined;
  /** The flat (row-major) pixel index of the offending value, for a bad-value error. */
  readonly pixelIndex: number | undefined;

  constructor(message: string, details: { what?: string; value?: number; pixelIndex?: number } = {}) {
    super(message);
    this.name = new.target.name;
    this.what = details.what;
    this.value = details.value;
    this.pixelIndex = details.pixelIndex;
  }
}

/** "0-20", "0-3, 7, 9-11": a compact, readable list of sorted distinct integers for messages. */
export function describeIds(ids: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ids.length; ) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j] + 1) j++;
    parts.push(j === i ? `${ids[i]}` : j === i + 1 ? `${ids[i]}, ${ids[j]}` : `${ids[i]}-${ids[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}
