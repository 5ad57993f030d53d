import { z } from 'zod';
import { CheckpointError } from '../errors';

/** Value of `format` in every manifest written by this library. */
export const CHECKPOINT_FORMAT = 'fmwiss-checkpoint';
/** The manifest version this code writes and the only one it reads. */
export const CHECKPOINT_FORMAT_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';
/** The binary file of each tensor group. */
export const GROUP_FILES = { weights: 'weights.bin', optimizer: 'optimizer.bin' } as const;
export type TensorGroup = keyof typeof GROUP_FILES;
export const CHECKPOINT_DTYPES = ['float32', 'int32'] as const;
export type CheckpointDtype = (typeof CHECKPOINT_DTYPES)[number];
/** Bytes per element of every supported dtype. */
export const BYTES_PER_ELEMENT = 4;

const manifestSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  version: z.literal(CHECKPOINT_FORMAT_VERSION),
  createdAt: z.string(),
  files: z.record(
    z.string(),
    z.object({
      bytes: z.number().int().nonnegative(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256'),
    }),
  ),
  tensors: z.array(
    z.object({
      name: z.string().min(1),
      group: z.enum(['weights', 'optimizer']),
      file: z.string(),
      dtype: z.enum(CHECKPOINT_DTYPES),
      shape: z.array(z.number().int().nonnegative()),
      offset: z.number().int().nonnegative(),
      length: z.number().int().nonnegative(),
    }),
  ),
  metadata: z.record(z.string(), z.unknown()),
});

/** The content of `manifest.json` (format version 1); README.md describes every field. */
export type CheckpointManifest = z.infer<typeof manifestSchema>;
export type TensorEntry = CheckpointManifest['tensors'][number];

/**
 * Parses and checks a manifest: format name and version first (so a newer manifest is reported as
 * such, not as malformed), then the schema, then internal consistency. `where` names the file.
 */
export function parseManifest(text: string, where: string): CheckpointManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError('invalid-manifest', `${where} is not valid JSON: ${(error as Error).message}`, where);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new CheckpointError('invalid-manifest', `${where} is not a JSON object`, where);
  }
  const { format, version } = json as { format?: unknown; version?: unknown };
  if (format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(
      'unsupported-version',
      `${where} has format ${JSON.stringify(format)}, not ${CHECKPOINT_FORMAT}`,
      where,
    );
  }
  if (version !== CHECKPOINT_FORMAT_VERSION) {
    throw new CheckpointError(
      'unsupported-version',
      `unsupported checkpoint format version ${JSON.stringify(version)} in ${where} (this code reads version ${CHECKPOINT_FORMAT_VERSION})`,
      where,
    );
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue === undefined ? '' : issue.path.join('.');
    throw new CheckpointError('invalid-manifest', `${where} is malformed at ${at || '(root)'}: ${issue?.message}`, where);
  }
  checkConsistency(parsed.data, where);
  return parsed.data;
}

/** Number of elements of a shape, or an error when it is not a safe integer. */
export function elementCount(shape: readonly number[]): number {
  let count = 1;
  for (const size of shape) count *= size;
  return count;
}

/** Whether a file name is a plain name inside the checkpoint folder (no separators, no `..`). */
export function isPlainFileName(name: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(name) && name !== MANIFEST_FILE;
}

/**
 * Internal consistency: file names are plain, every tensor lives in its group's file, its length is
 * its element count times 4, names are unique within a group, and each file's tensors tile it
 * exactly (contiguous from byte 0, in manifest order, summing to the file's byte count).
 */
function checkConsistency(manifest: CheckpointManifest, where: string): void {
  const fail = (message: string): never => {
    throw new CheckpointError('invalid-manifest', `${where} is inconsistent: ${message}`, where);
  };
  for (const file of Object.keys(manifest.files)) {
    if (!isPlainFileName(file)) fail(`file name ${JSON.stringify(file)} is not a plain file name`);
  }
  const names = { weights: new Set<string>(), optimizer: new Set<string>() };
  const nextOffset = new Map<string, number>();
  for (const tensor of manifest.tensors) {
    const label = `tensor ${tensor.name} (${tensor.group})`;
    if (names[tensor.group].has(tensor.name)) fail(`${label} is listed twice`);
    names[tensor.group].add(tensor.name);
    if (tensor.file !== GROUP_FILES[tensor.group]) fail(`${label} is in ${tensor.file}, expected ${GROUP_FILES[tensor.group]}`);
    if (manifest.files[tensor.file] === undefined) fail(`${label} is in ${tensor.file}, which the manifest does not list`);
    const count = elementCount(tensor.shape);
    if (!Number.isSafeInteger(count * BYTES_PER_ELEMENT)) fail(`${label} has an impossible shape [${tensor.shape}]`);
    if (tensor.length !== count * BYTES_PER_ELEMENT) {
      fail(`${label} has shape [${tensor.shape}] (${count * BYTES_PER_ELEMENT} bytes) but length ${tensor.length}`);
    }
    const expectedOffset = nextOffset.get(tensor.file) ?? 0;
    if (tensor.offset !== expectedOffset) {
      fail(`${label} starts at byte ${tensor.offset} of ${tensor.file}, expected ${expectedOffset} (tensors must be contiguous)`);
    }
    nextOffset.set(tensor.file, expectedOffset + tensor.length);
  }
  for (const [file, { bytes }] of Object.entries(manifest.files)) {
    const total = nextOffset.get(file) ?? 0;
    if (total !== bytes) fail(`its tensors in ${file} add up to ${total} bytes but the file entry says ${bytes}`);
  }
}
