/**
 * Names of the sibling folders a save creates next to a checkpoint `<name>`:
 * `<name>.tmp-<12 hex>` while it is written, `<name>.old-<12 hex>` for the previous checkpoint during
 * a replace.
 */
export type SiblingKind = 'tmp' | 'old';

const SIBLING = /^(.+)\.(tmp|old)-([0-9a-f]{12})$/;

export function temporaryName(name: string, kind: SiblingKind, suffix: string): string {
  return `${name}.${kind}-${suffix}`;
}

/** The checkpoint name and kind of a sibling folder name, or null for an ordinary folder. */
export function parseSiblingName(folder: string): { name: string; kind: SiblingKind } | null {
  const match = SIBLING.exec(folder);
  if (match === null) return null;
  return { name: match[1] as string, kind: match[2] as SiblingKind };
}
