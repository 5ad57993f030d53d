import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { BACKGROUND_ID, type ClassInfo } from './classes';
import { createDataset, type SegmentationDataset } from './dataset';
import { capLines, DatasetError, errorCode } from './errors';

const nonEmpty = z.string().trim().min(1, 'must be a non-empty string');

const classSchema = z.strictObject({
  id: z
    .number()
    .int('must be an integer')
    .min(1, 'must be 1..254 (0 is the background, added automatically)')
    .max(254, 'must be 1..254 (255 is the ignore value)'),
  name: nonEmpty,
  promptName: nonEmpty.optional(),
});

const sampleSchema = z.strictObject({ id: nonEmpty, image: nonEmpty, labels: nonEmpty });

const manifestSchema = z.strictObject({
  name: nonEmpty,
  classes: z.array(classSchema).min(1, 'must list at least one class'),
  splits: z.record(z.string(), z.array(sampleSchema).min(1, 'must list at least one image')),
});

/** The manifest format of a custom dataset (see docs/datasets.md). */
export type DatasetManifest = z.infer<typeof manifestSchema>;

function pathOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out === '' ? '(top level)' : out;
}

/**
 * Checks a parsed manifest: the manifest (strings trimmed) or every problem, schema issues and
 * duplicate class ids, class names and image ids of a split, each as "<json path>: <problem>".
 */
export function parseManifest(value: unknown): { manifest: DatasetManifest; problems: [] } | { problems: string[] } {
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) return { problems: parsed.error.issues.map((issue) => `${pathOf(issue.path)}: ${issue.message}`) };
  const problems: string[] = [];
  const firstIndex = new Map<string, number>();
  const duplicate = (key: string, index: number, message: string) => {
    const first = firstIndex.get(key);
    if (first === undefined) firstIndex.set(key, index);
    else problems.push(message.replace('#', String(first)));
  };
  parsed.data.classes.forEach((c, i) => {
    duplicate(`id:${c.id}`, i, `classes[${i}].id: ${c.id} is also the id of classes[#]`);
    duplicate(`name:${c.name}`, i, `classes[${i}].name: "${c.name}" is also the name of classes[#]`);
  });
  for (const [split, samples] of Object.entries(parsed.data.splits)) {
    samples.forEach((s, i) =>
      duplicate(`${split}/${s.id}`, i, `splits.${split}[${i}].id: "${s.id}" is also the id of splits.${split}[#]`),
    );
  }
  return problems.length > 0 ? { problems } : { manifest: parsed.data, problems: [] };
}

/**
 * Opens one split of a custom dataset described by a JSON manifest:
 * { "name", "classes": [{ "id", "name", "promptName"? }], "splits": { "<split>": [{ "id", "image",
 * "labels" }] } }, paths relative to the manifest's folder (absolute paths are used as they are).
 * Background 0 is implicit. Every problem of the manifest is reported at once (DatasetError.details).
 */
export async function openManifestDataset(manifestPath: string, options: { split: string }): Promise<SegmentationDataset> {
  const file = resolve(manifestPath);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = errorCode(error);
    const problem = code === 'ENOENT' ? 'manifest not found' : `cannot read manifest (${code ?? error})`;
    throw new DatasetError(file, problem, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DatasetError(file, `manifest is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const checked = parseManifest(value);
  if (!('manifest' in checked)) {
    const { problems } = checked;
    throw new DatasetError(file, `manifest has ${problems.length} problem(s)`, { details: capLines(problems, 50) });
  }
  const { manifest } = checked;
  const samples = manifest.splits[options.split];
  if (!Object.hasOwn(manifest.splits, options.split) || !samples) {
    const splits = Object.keys(manifest.splits).join(', ');
    throw new DatasetError(file, `manifest has no split "${options.split}" (splits: ${splits})`);
  }
  const root = dirname(file);
  const at = (path: string) => (isAbsolute(path) ? path : resolve(root, path));
  const byId = new Map(samples.map((s) => [s.id, { image: at(s.image), labels: at(s.labels) }]));
  const classes: ClassInfo[] = [
    { id: BACKGROUND_ID, name: 'background', promptName: 'background' },
    ...manifest.classes
      .map((c) => ({ id: c.id, name: c.name, promptName: c.promptName ?? c.name }))
      .sort((a, b) => a.id - b.id),
  ];
  return createDataset({
    name: manifest.name,
    root,
    classes,
    ids: [...byId.keys()],
    imagePath: (id) => (byId.get(id) as { image: string }).image,
    labelPath: (id) => (byId.get(id) as { labels: string }).labels,
  });
}
