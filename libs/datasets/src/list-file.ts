import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { capLines, DatasetError, errorCode } from './errors';

/**
 * The image id on one line of a list file. Accepted forms: a bare id ("2007_000032"), or paths whose
 * first one names the image ("/JPEGImages/2007_000032.jpg /SegmentationClassAug/2007_000032.png", the
 * DeepLab train_aug.txt form): the id is its file name without extension.
 */
export function idOfListLine(line: string): string {
  const first = line.trim().split(/\s+/)[0];
  if (!first.includes('/') && !first.includes('\\')) return first;
  const name = basename(first.replace(/\\/g, '/'));
  return name.slice(0, name.length - extname(name).length);
}

/**
 * Reads an id list: one id per line (see idOfListLine), blank lines skipped. Refuses a missing or
 * unreadable file, a file without ids and duplicate ids (all duplicates named, with their lines).
 */
export async function readIdList(path: string, what = 'list file'): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = errorCode(error);
    throw new DatasetError(path, code === 'ENOENT' ? `${what} not found` : `cannot read ${what} (${code ?? error})`, {
      cause: error,
    });
  }
  const ids: string[] = [];
  const lineOf = new Map<string, number[]>();
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    const id = idOfListLine(line);
    ids.push(id);
    const lines = lineOf.get(id);
    if (lines) lines.push(index + 1);
    else lineOf.set(id, [index + 1]);
  });
  if (ids.length === 0) throw new DatasetError(path, `${what} is empty (no ids)`);
  const duplicates = [...lineOf].filter(([, lines]) => lines.length > 1);
  if (duplicates.length > 0) {
    throw new DatasetError(path, `${duplicates.length} duplicate id(s) in ${what}`, {
      details: capLines(duplicates.map(([id, lines]) => `"${id}" on lines ${lines.join(', ')}`)),
    });
  }
  return ids;
}
